"""Dice and HD95 on hand-computed cases, including every branch of the empty-mask policy."""

from __future__ import annotations

import math

import numpy as np
import pytest

from medrep_seg.metrics import dice, hausdorff_distance, image_diagonal, score_structure, summarise

DIAGONAL_64 = math.sqrt(64**2 + 64**2)  # 90.5097 mm


def square(size: int = 64, lower: int = 20, upper: int = 28) -> np.ndarray:
    mask = np.zeros((size, size), dtype=bool)
    mask[lower:upper, lower:upper] = True
    return mask


def test_reference_square_prediction_empty() -> None:
    score = score_structure(np.zeros((64, 64), bool), square(), (1.0, 1.0))

    assert score.dice == 0.0
    assert score.hd95 == pytest.approx(90.51, abs=0.005)
    assert score.worst_case


def test_reference_empty_prediction_square() -> None:
    prediction = square(lower=30, upper=33)  # a 3x3 square
    score = score_structure(prediction, np.zeros((64, 64), bool), (1.0, 1.0))

    assert score.dice == 0.0
    assert score.hd95 == pytest.approx(DIAGONAL_64)
    assert score.worst_case


def test_both_empty_score_perfect() -> None:
    score = score_structure(np.zeros((64, 64), bool), np.zeros((64, 64), bool), (1.0, 1.0))

    assert score.dice == 1.0
    assert score.hd95 == 0.0
    assert not score.worst_case


def test_anisotropic_single_voxels_six_mm() -> None:
    reference = np.zeros((10, 10, 10), dtype=bool)
    prediction = np.zeros((10, 10, 10), dtype=bool)
    reference[5, 5, 2] = True
    prediction[5, 5, 5] = True

    assert hausdorff_distance(prediction, reference, (1.0, 1.0, 2.0), percentile=100) == pytest.approx(6.0)
    assert hausdorff_distance(prediction, reference, (1.0, 1.0, 2.0)) == pytest.approx(6.0)


def test_worst_case_override() -> None:
    value = hausdorff_distance(np.zeros((8, 8), bool), square(8, 2, 4), (1.0, 1.0), worst_case=373.0)

    assert value == 373.0


def test_identical_masks_score_perfect() -> None:
    score = score_structure(square(), square(), (1.0, 1.0))

    assert score.dice == 1.0
    assert score.hd95 == 0.0


def test_shifted_square_known_distances() -> None:
    # Shifting an 8x8 square by 2 voxels along x: every surface voxel of one square is at most
    # 2 mm from the other surface, and the corners of the leading edge are exactly 2 mm away.
    reference = square()
    prediction = np.roll(reference, 2, axis=0)

    assert dice(prediction, reference) == pytest.approx(2 * 48 / 128)
    assert hausdorff_distance(prediction, reference, (1.0, 1.0), percentile=100) == pytest.approx(2.0)


def test_hd95_ignores_five_percent_outliers() -> None:
    # 40 surface voxels at distance 0 and one far voxel: the maximum sees the outlier, the
    # 95th percentile of the 41 distances (linear interpolation) does not.
    reference = np.zeros((100, 100), dtype=bool)
    reference[10:21, 10:21] = True
    prediction = reference.copy()
    prediction[90, 90] = True

    assert hausdorff_distance(prediction, reference, (1.0, 1.0), percentile=100) == pytest.approx(math.hypot(70, 70))
    assert hausdorff_distance(prediction, reference, (1.0, 1.0)) == pytest.approx(0.0)


def test_spacing_scales_distances() -> None:
    reference = np.zeros((20, 20), dtype=bool)
    prediction = np.zeros((20, 20), dtype=bool)
    reference[5, 5] = True
    prediction[5, 9] = True

    assert hausdorff_distance(prediction, reference, (1.0, 0.5)) == pytest.approx(2.0)


def test_mismatched_shapes_raise() -> None:
    with pytest.raises(ValueError, match="differs from reference shape"):
        hausdorff_distance(np.zeros((4, 4), bool), np.zeros((4, 5), bool), (1.0, 1.0))


def test_image_diagonal_in_mm() -> None:
    assert image_diagonal((10, 10, 10), (1.0, 1.0, 2.0)) == pytest.approx(math.sqrt(100 + 100 + 400))


def test_summarise_population_std() -> None:
    stats = summarise([0.0, 1.0])

    assert stats == {"mean": 0.5, "median": 0.5, "std": 0.5, "n": 2}
    assert summarise([])["mean"] is None
