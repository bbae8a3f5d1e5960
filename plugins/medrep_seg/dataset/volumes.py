"""NIfTI volumes through nibabel: loading, voxel grids and their comparison within tolerances."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["Grid", "grid_differences", "load_nifti", "nifti_suffix", "save_nifti", "strip_nifti_suffix"]

NIFTI_SUFFIXES = (".nii.gz", ".nii")


def nifti_suffix(path: str | Path) -> str | None:
    """Return ``.nii.gz`` or ``.nii`` when ``path`` names a NIfTI file, else ``None``."""
    name = Path(path).name
    return next((suffix for suffix in NIFTI_SUFFIXES if name.endswith(suffix)), None)


def strip_nifti_suffix(path: str | Path) -> str:
    """Return the file name without its NIfTI suffix."""
    name = Path(path).name
    suffix = nifti_suffix(name)
    return name[: -len(suffix)] if suffix else name


@dataclass(frozen=True)
class Grid:
    """The voxel grid of a 3-D volume: shape and voxel-to-world affine (mm)."""

    shape: tuple[int, ...]
    affine: np.ndarray

    @property
    def spacing(self) -> np.ndarray:
        """Voxel size along each array axis, in mm."""
        return np.linalg.norm(self.affine[:3, :3], axis=0)

    @property
    def origin(self) -> np.ndarray:
        """World position of voxel (0, 0, 0), in mm."""
        return self.affine[:3, 3]

    @property
    def direction(self) -> np.ndarray:
        """Unit direction of each array axis in world space (columns)."""
        return self.affine[:3, :3] / self.spacing


def _vector(values: Any, digits: int = 3) -> str:
    return "(" + ", ".join(f"{float(value):.{digits}f}".rstrip("0").rstrip(".") or "0" for value in values) + ")"


def grid_differences(grid: Grid, reference: Grid, *, tolerance_mm: float, direction_tolerance: float) -> list[tuple[str, str, str]]:
    """Return ``(property, value, reference value)`` for each grid property that differs.

    Shapes must match exactly; spacings and origins within ``tolerance_mm``; direction
    cosines within ``direction_tolerance``.
    """
    differences = []
    if tuple(grid.shape) != tuple(reference.shape):
        differences.append(("shape", str(tuple(grid.shape)), str(tuple(reference.shape))))
    if not np.allclose(grid.spacing, reference.spacing, rtol=0.0, atol=tolerance_mm):
        differences.append(("spacing", _vector(grid.spacing, 4), _vector(reference.spacing, 4)))
    if not np.allclose(grid.origin, reference.origin, rtol=0.0, atol=tolerance_mm):
        differences.append(("origin", _vector(grid.origin), _vector(reference.origin)))
    if not np.allclose(grid.direction, reference.direction, rtol=0.0, atol=direction_tolerance):
        differences.append(("direction", _direction(grid), _direction(reference)))
    return differences


def _direction(grid: Grid) -> str:
    import nibabel as nib

    codes = "".join(nib.aff2axcodes(grid.affine))
    return f"{codes} {_vector(np.round(grid.direction, 4).ravel(), 4)}"


def load_nifti(path: str | Path) -> Any:
    """Load a NIfTI image with nibabel (data stays on disk until read)."""
    import nibabel as nib

    return nib.load(str(path))


def save_nifti(data: np.ndarray, affine: np.ndarray, path: str | Path) -> None:
    """Write ``data`` with ``affine`` as NIfTI-1, spatial units in mm."""
    import nibabel as nib

    image = nib.Nifti1Image(data, affine)
    image.header.set_xyzt_units("mm")
    image.set_qform(affine, code=1)
    image.set_sform(affine, code=1)
    nib.save(image, str(path))
