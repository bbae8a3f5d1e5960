"""Overlap and surface-distance metrics of one binary structure: Dice and HD95 in millimetres.

Empty-mask policy, applied identically to every label and region:

- reference and prediction both empty: Dice 1, HD95 0 (nothing to find, nothing found);
- exactly one of them empty: Dice 0 and HD95 equal to the worst case, by default the
  diagonal of the image in millimetres. Such cases are flagged ``worst_case`` and are
  counted in every mean, never dropped.

HD95 is the larger of the two directed 95th-percentile surface distances, the definition
used by MONAI's ``compute_hausdorff_distance(percentile=95)`` and by the BraTS evaluation.
It is written here with scipy because MONAI is not a medrep dependency; the tests pin it to
hand-computed values. The surface of a mask is the set of its voxels removed by one binary
erosion with face connectivity, and distances are Euclidean distance transforms sampled at
the voxel spacing, as MONAI computes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["StructureScore", "dice", "hausdorff_distance", "image_diagonal", "score_structure", "summarise"]


@dataclass(frozen=True)
class StructureScore:
    """Dice and HD95 of one structure in one case, with the flags of the empty-mask policy."""

    dice: float
    hd95: float
    reference_empty: bool
    prediction_empty: bool

    @property
    def worst_case(self) -> bool:
        """Whether exactly one mask was empty, so HD95 is the worst-case value."""
        return self.reference_empty != self.prediction_empty


def dice(prediction: np.ndarray, reference: np.ndarray) -> float:
    """Return the Dice coefficient of two boolean masks; 1.0 when both are empty."""
    prediction = np.asarray(prediction, dtype=bool)
    reference = np.asarray(reference, dtype=bool)
    total = int(prediction.sum()) + int(reference.sum())
    if total == 0:
        return 1.0
    return 2.0 * int(np.logical_and(prediction, reference).sum()) / total


def image_diagonal(shape: tuple[int, ...], spacing: tuple[float, ...]) -> float:
    """Return the length in millimetres of the diagonal of an image of ``shape`` voxels."""
    extent = np.asarray(shape, dtype=float) * np.asarray(spacing, dtype=float)
    return float(np.sqrt(np.sum(extent**2)))


def _surface(mask: np.ndarray) -> np.ndarray:
    from scipy import ndimage

    # Voxels on the image border erode away (border_value=0), so they count as surface.
    eroded = ndimage.binary_erosion(mask, structure=ndimage.generate_binary_structure(mask.ndim, 1))
    return mask & ~eroded


def _union_box(first: np.ndarray, second: np.ndarray) -> tuple[slice, ...]:
    from scipy import ndimage

    union = (first | second).astype(np.uint8)
    box = ndimage.find_objects(union)[0]
    return tuple(slice(max(0, part.start - 1), min(size, part.stop + 1)) for part, size in zip(box, union.shape))


def _directed_distances(source_surface: np.ndarray, target_surface: np.ndarray, spacing: tuple[float, ...]) -> np.ndarray:
    from scipy import ndimage

    # Distance from every voxel to the nearest target surface voxel, in millimetres.
    distance_to_target = ndimage.distance_transform_edt(~target_surface, sampling=spacing)
    return distance_to_target[source_surface]


def hausdorff_distance(
    prediction: np.ndarray,
    reference: np.ndarray,
    spacing: tuple[float, ...],
    *,
    percentile: float = 95.0,
    worst_case: float | None = None,
) -> float:
    """Return the symmetric percentile Hausdorff distance in millimetres.

    The result is ``max(P(d(pred -> ref)), P(d(ref -> pred)))`` where ``P`` is the
    ``percentile`` (linear interpolation, as ``numpy.percentile``) of the distances from
    each surface voxel of one mask to the nearest surface voxel of the other. Both masks
    empty gives 0; exactly one empty gives ``worst_case`` (default: the image diagonal).
    """
    prediction = np.asarray(prediction, dtype=bool)
    reference = np.asarray(reference, dtype=bool)
    if prediction.shape != reference.shape:
        raise ValueError(f"prediction shape {prediction.shape} differs from reference shape {reference.shape}")
    if len(spacing) != prediction.ndim:
        raise ValueError(f"spacing {tuple(spacing)} has {len(spacing)} values for a {prediction.ndim}-D mask")

    prediction_empty = not prediction.any()
    reference_empty = not reference.any()
    if prediction_empty and reference_empty:
        return 0.0
    if prediction_empty or reference_empty:
        return image_diagonal(prediction.shape, spacing) if worst_case is None else float(worst_case)

    # Both surfaces lie in the bounding box of the union of the masks, so the distance
    # transforms can run on that box (one voxel wider, so erosion uses the same neighbours).
    box = _union_box(prediction, reference)
    prediction_surface = _surface(prediction[box])
    reference_surface = _surface(reference[box])
    spacing = tuple(float(value) for value in spacing)
    forward = _directed_distances(prediction_surface, reference_surface, spacing)
    backward = _directed_distances(reference_surface, prediction_surface, spacing)
    return float(max(np.percentile(forward, percentile), np.percentile(backward, percentile)))


def score_structure(
    prediction: np.ndarray,
    reference: np.ndarray,
    spacing: tuple[float, ...],
    *,
    worst_case: float | None = None,
) -> StructureScore:
    """Score one binary structure: Dice and HD95 under the empty-mask policy."""
    prediction = np.asarray(prediction, dtype=bool)
    reference = np.asarray(reference, dtype=bool)
    return StructureScore(
        dice=dice(prediction, reference),
        hd95=hausdorff_distance(prediction, reference, spacing, worst_case=worst_case),
        reference_empty=not reference.any(),
        prediction_empty=not prediction.any(),
    )


def summarise(values: list[float]) -> dict[str, Any]:
    """Return mean, median, population standard deviation and count of ``values``."""
    array = np.asarray(values, dtype=float)
    if array.size == 0:
        return {"mean": None, "median": None, "std": None, "n": 0}
    return {
        "mean": float(array.mean()),
        "median": float(np.median(array)),
        "std": float(array.std()),
        "n": int(array.size),
    }
