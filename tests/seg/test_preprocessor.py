"""The crop, zscore and resample preprocessors on hand-made cases with exact expected values."""

from __future__ import annotations

import logging

import numpy as np
import pytest

import medrep
from medrep.errors import DataError, NotFittedError
from medrep.kinds import ImageCase
from medrep.testing import check_plugin


def blocky_case(background: float = -1.25) -> ImageCase:
    """A 2-channel 10x12x14 case: a brain block at [2:7, 3:9, 4:12] on a constant background."""
    image = np.full((2, 10, 12, 14), background, dtype=np.float32)
    image[:, 2:7, 3:9, 4:12] = np.arange(5 * 6 * 8, dtype=np.float32).reshape(5, 6, 8)
    image[1, 2:7, 3:9, 4:12] *= 2.0
    seg = np.zeros((1, 10, 12, 14), dtype=np.int16)
    seg[0, 3:5, 4:6, 5:7] = 1
    return ImageCase(image=image, spacing=(1.0, 1.0, 1.0), seg=seg, case_id="case_7")


@pytest.mark.parametrize("name", ["crop", "zscore", "resample"])
def test_builtin_contract(name: str) -> None:
    assert len(check_plugin("preprocessor", name)) == 5


@pytest.mark.parametrize("background", [-1.25, 0.0, 3.5], ids=["negative", "zero", "positive"])
def test_crop_constant_background(background: float) -> None:
    case = blocky_case(background)

    cropped = medrep.get("preprocessor", "crop")(case)

    assert cropped.image.shape == (2, 5, 6, 8)
    assert cropped.seg.shape == (1, 5, 6, 8)
    assert int(cropped.seg.sum()) == 8
    assert cropped.properties["bbox_used_for_cropping"] == [[2, 7], [3, 9], [4, 12]]
    assert cropped.properties["shape_before_cropping"] == (10, 12, 14)
    assert cropped.properties["shape_after_cropping_and_before_resampling"] == (5, 6, 8)
    assert cropped.mask.shape == (5, 6, 8)


def test_crop_nonzero_keeps_negative_background() -> None:
    cropped = medrep.get("preprocessor", "crop", mask="nonzero")(blocky_case(-1.25))

    assert cropped.image.shape == (2, 10, 12, 14)


def test_crop_given_mask_thresholded() -> None:
    case = blocky_case()
    brain = np.zeros((10, 12, 14), dtype=np.float64)
    brain[1:9, 2:10, 3:13] = 0.99999997
    case.mask = brain

    cropped = medrep.get("preprocessor", "crop")(case)

    assert cropped.properties["bbox_used_for_cropping"] == [[1, 9], [2, 10], [3, 13]]
    assert cropped.mask.dtype == bool
    assert bool(cropped.mask.all())


def test_crop_margin_clipped_at_edges() -> None:
    cropped = medrep.get("preprocessor", "crop", margin=3)(blocky_case())

    assert cropped.properties["bbox_used_for_cropping"] == [[0, 10], [0, 12], [1, 14]]


@pytest.mark.parametrize("shape", [(7,), (9, 6), (8, 11, 5), (4, 3, 6, 5)], ids=["1d", "2d", "3d", "4d"])
def test_crop_box_matches_find_objects(shape: tuple[int, ...]) -> None:
    from scipy.ndimage import find_objects

    from medrep_seg.preprocessors.crop import _bounding_box

    rng = np.random.default_rng(len(shape))
    for density in (0.0, 0.02, 0.3):
        mask = rng.random(shape) < density
        found = find_objects(mask.astype(np.uint8))
        expected = [(piece.start, piece.stop) for piece in found[0]] if found else None
        assert _bounding_box(mask, 0) == expected
        if expected is not None:
            assert _bounding_box(mask, 2) == [(max(0, a - 2), min(n, b + 2)) for (a, b), n in zip(expected, shape)]


@pytest.mark.parametrize("shape", [(1,), (12,), (9, 6), (8, 11, 5), (4, 3, 6, 5)], ids=["one", "1d", "2d", "3d", "4d"])
def test_fill_holes_matches_scipy(shape: tuple[int, ...]) -> None:
    from scipy.ndimage import binary_fill_holes

    from medrep_seg.preprocessors.crop import fill_holes

    rng = np.random.default_rng(len(shape))
    for density in (0.0, 0.3, 0.6, 0.9, 1.0):
        mask = rng.random(shape) < density
        assert np.array_equal(fill_holes(mask), binary_fill_holes(mask)), density


def test_fill_holes_fills_enclosed_cavity() -> None:
    from medrep_seg.preprocessors.crop import fill_holes

    mask = np.zeros((7, 7, 7), dtype=bool)
    mask[1:6, 1:6, 1:6] = True
    mask[3, 3, 3] = False  # A ventricle inside the brain is filled.
    mask[1:6, 3, 0:2] = False  # A notch open to the border stays empty.

    filled = fill_holes(mask)

    assert filled[3, 3, 3]
    assert not filled[3, 3, 1]
    assert filled.sum() == mask.sum() + 1


def test_crop_does_not_modify_input() -> None:
    case = blocky_case()
    before = case.image.copy()

    medrep.get("preprocessor", "crop")(case)

    np.testing.assert_array_equal(case.image, before)
    assert case.properties == {}


def test_crop_empty_mask_error() -> None:
    case = blocky_case()
    case.mask = np.zeros((10, 12, 14), dtype=bool)

    with pytest.raises(DataError, match="case case_7: the brain mask \\(auto\\) is empty"):
        medrep.get("preprocessor", "crop")(case)


def test_crop_given_without_mask_error() -> None:
    with pytest.raises(DataError, match="case case_7: crop\\(mask='given'\\) needs a brain mask"):
        medrep.get("preprocessor", "crop", mask="given")(blocky_case())


def test_zscore_inside_mask() -> None:
    case = medrep.get("preprocessor", "crop")(blocky_case())
    case.mask = np.zeros((5, 6, 8), dtype=bool)
    case.mask[:, :, :4] = True

    result = medrep.get("preprocessor", "zscore")(case)

    inside = result.image[:, case.mask]
    np.testing.assert_allclose(inside.mean(axis=1), [0.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(inside.std(axis=1), [1.0, 1.0], rtol=1e-5)
    assert float(np.abs(result.image[:, ~case.mask]).max()) == 0.0
    values = case.image[0][case.mask]
    expected = (case.image[0, 0, 0, 0] - values.mean()) / values.std()
    assert float(result.image[0, 0, 0, 0]) == pytest.approx(float(expected), rel=1e-5)


def test_zscore_without_mask_whole_image() -> None:
    image = np.arange(8, dtype=np.float32).reshape(1, 2, 2, 2)

    result = medrep.get("preprocessor", "zscore")(ImageCase(image=image, spacing=(1.0, 1.0, 1.0)))

    expected = (np.arange(8) - 3.5) / np.std(np.arange(8))
    np.testing.assert_allclose(result.image.ravel(), expected, rtol=1e-6)


@pytest.mark.parametrize("value", [0.0, 7.5], ids=["all-zero", "constant"])
def test_zscore_constant_channel_zero_and_warns(value: float, caplog: pytest.LogCaptureFixture) -> None:
    image = np.stack([np.full((4, 4, 4), value, np.float32), np.arange(64, dtype=np.float32).reshape(4, 4, 4)])
    case = ImageCase(image=image, spacing=(1.0, 1.0, 1.0), case_id="flat_case")

    with caplog.at_level(logging.WARNING, logger="medrep_seg.preprocessors.zscore"):
        result = medrep.get("preprocessor", "zscore")(case)

    assert bool(np.isfinite(result.image).all())
    assert float(np.abs(result.image[0]).max()) == 0.0
    assert float(result.image[1].std()) == pytest.approx(1.0, rel=1e-5)
    assert f"case flat_case: channel 0 is constant ({value:g}) over the image; it is set to 0" in caplog.text


def test_zscore_ct_variant_dataset_statistics() -> None:
    image = np.array([-2000.0, -100.0, 40.0, 100.0, 3000.0], dtype=np.float32).reshape(1, 5, 1, 1)
    fingerprint = {
        "foreground_intensity_properties_per_channel": {
            "0": {"mean": 40.0, "std": 20.0, "percentile_00_5": -100.0, "percentile_99_5": 200.0,
                  "median": 40.0, "min": -500.0, "max": 900.0},
        }
    }
    zscore = medrep.get("preprocessor", "zscore", variant="ct").fit(fingerprint)

    result = zscore(ImageCase(image=image, spacing=(1.0, 1.0, 1.0)))

    np.testing.assert_allclose(result.image.ravel(), [-7.0, -7.0, 0.0, 3.0, 8.0])


def test_zscore_ct_needs_fit() -> None:
    with pytest.raises(NotFittedError, match="zscore\\(variant='ct'\\) has no dataset statistics"):
        medrep.get("preprocessor", "zscore", variant="ct")(blocky_case())


def test_zscore_selected_channels_only() -> None:
    case = blocky_case()

    result = medrep.get("preprocessor", "zscore", channels=[1], use_mask=False)(case)

    np.testing.assert_array_equal(result.image[0], case.image[0])
    assert float(result.image[1].mean()) == pytest.approx(0.0, abs=1e-5)


def test_zscore_rejects_nan() -> None:
    case = blocky_case()
    case.image[0, 0, 0, 0] = np.nan

    with pytest.raises(DataError, match="case case_7: the image contains NaN or infinite voxels"):
        medrep.get("preprocessor", "zscore")(case)


def test_resample_isotropic_shape_and_spacing() -> None:
    case = blocky_case()

    result = medrep.get("preprocessor", "resample", target_spacing=[2.0, 2.0, 2.0])(case)

    assert result.image.shape == (2, 5, 6, 7)
    assert result.seg.shape == (1, 5, 6, 7)
    assert result.spacing == (2.0, 2.0, 2.0)
    assert result.image.dtype == np.float32


def test_resample_anisotropic_nearest_out_of_plane() -> None:
    # Spacing 1 x 1 x 4 mm is anisotropic (ratio 4 > 3): the 4 mm axis is resampled alone,
    # nearest neighbour by default, so each slice is repeated twice at 2 mm.
    image = np.arange(3 * 3 * 4, dtype=np.float32).reshape(1, 3, 3, 4)
    case = ImageCase(image=image, spacing=(1.0, 1.0, 4.0), target_spacing=(1.0, 1.0, 2.0))

    result = medrep.get("preprocessor", "resample")(case)

    assert result.image.shape == (1, 3, 3, 8)
    np.testing.assert_allclose(result.image[0], np.repeat(image[0], 2, axis=2), atol=1e-5)


def test_resample_labels_linear_on_one_hot() -> None:
    seg = np.zeros((1, 4, 4, 4), dtype=np.int16)
    seg[0, :2] = 1
    seg[0, 2:, 2:] = 2
    case = ImageCase(image=np.zeros((1, 4, 4, 4), np.float32), spacing=(1.0, 1.0, 1.0), seg=seg)

    result = medrep.get("preprocessor", "resample", target_spacing=[0.5, 0.5, 0.5])(case)

    assert result.seg.shape == (1, 8, 8, 8)
    assert sorted(np.unique(result.seg).tolist()) == [0, 1, 2]
    assert int((result.seg == 1).sum()) == 4 * 8 * 8
    assert int((result.seg == 2).sum()) == 4 * 4 * 8


def test_resample_needs_target_spacing() -> None:
    with pytest.raises(DataError, match="case case_7: resample has no target spacing"):
        medrep.get("preprocessor", "resample")(blocky_case())


def test_chain_crop_zscore_resample() -> None:
    case = blocky_case()
    case.target_spacing = (1.0, 2.0, 2.0)

    for name in ("crop", "zscore", "resample"):
        case = medrep.get("preprocessor", name)(case)

    assert case.image.shape == (2, 5, 3, 4)
    assert case.properties["shape_after_cropping_and_before_resampling"] == (5, 6, 8)
    assert case.mask.shape == (5, 3, 4)
