"""Integrity checks of a source dataset, run before conversion and by ``medrep seg check``.

For each case, every file must load, and images must be 3-D (4-D only in the MSD layout,
with one volume per channel). All channels, the label and the brain mask must share one
voxel grid: the same shape, spacings and origins within ``tolerance_mm``, directions
within ``direction_tolerance``. No voxel may be NaN or infinite, and label values must be
integral and among the declared labels. Each problem names the case, the file and both
values.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from medrep import progress
from medrep.errors import DataError
from medrep_seg.dataset.labels import LabelMapping, integral_values, label_mapping, labels_hint, present_values
from medrep_seg.dataset.layouts import CaseFiles, DatasetSpec, SourceDataset, discover
from medrep_seg.dataset.volumes import Grid, grid_differences, load_nifti

__all__ = ["Problem", "IntegrityReport", "PreparedCase", "check_dataset", "prepare_case"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    """One integrity problem of one file of one case."""

    case_id: str
    file: str
    message: str
    #: The values present in a label file that contains undeclared values; empty for other problems.
    label_values: tuple[int, ...] = ()

    def __str__(self) -> str:
        return f"{self.case_id}: {self.file}: {self.message}"


@dataclass
class IntegrityReport:
    """The result of checking a source dataset."""

    dataset: SourceDataset
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every case passed."""
        return not self.problems

    @property
    def failed_cases(self) -> list[str]:
        """Identifiers of the cases with at least one problem, in dataset order."""
        failed = {problem.case_id for problem in self.problems}
        return [case.case_id for case in self.dataset.cases if case.case_id in failed]

    @property
    def hint(self) -> str | None:
        """What to do about the problems: for undeclared label values, the presets that include the values found."""
        if self.ok:
            return None
        found = {value for problem in self.problems for value in problem.label_values}
        if found:
            return labels_hint(found)
        return "fix the files listed, or adjust the options (labels, resample_to_label, copy_image_geometry)"

    def raise_if_failed(self) -> None:
        """Raise :class:`DataError` listing every problem, one per line."""
        if self.ok:
            return
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        raise DataError(
            f"{len(self.failed_cases)} of {len(self.dataset.cases)} case(s) failed the integrity check:\n{lines}",
            hint=self.hint,
        )


@dataclass
class PreparedCase:
    """A case that passed its checks, as arrays on one grid, ready to be written."""

    case_id: str
    channels: list[np.ndarray]
    label: np.ndarray | None
    mask: np.ndarray | None
    affine: np.ndarray


@dataclass
class _Volume:
    path: Path
    image: Any
    name: str


def check_dataset(source: str | Path, spec: DatasetSpec | None = None) -> IntegrityReport:
    """Check every case of a source dataset (any layout ``convert`` reads, or an nnU-Net raw dataset)."""
    spec = spec or DatasetSpec()
    dataset = discover(source, spec)
    mapping = label_mapping(dataset.declared_labels, "classes")
    report = IntegrityReport(dataset)
    for case in progress.track(dataset.cases, total=len(dataset.cases), desc="Checking", unit="case"):
        _, problems = prepare_case(case, dataset, spec, mapping, keep_arrays=False)
        report.problems.extend(problems)
    return report


def prepare_case(
    case: CaseFiles, dataset: SourceDataset, spec: DatasetSpec, mapping: LabelMapping, *, keep_arrays: bool
) -> tuple[PreparedCase | None, list[Problem]]:
    """Check one case; return its arrays (when ``keep_arrays`` and it passed) and its problems."""
    problems = [Problem(case.case_id, "-", message) for message in case.problems]
    channels = _load_channels(case, dataset, problems)
    label = _load_3d(case.label, "label", case.case_id, problems) if case.label else None
    mask = _load_3d(case.mask, "brain mask", case.case_id, problems) if case.mask else None
    if problems or not channels:
        return None, problems

    if spec.resample_to_label and label is not None:
        channels = [_onto_label_grid(volume, label, spec, case.case_id) for volume in channels]
    reference = channels[0]
    reference_grid = _grid(reference.image)
    for volume in [*channels[1:], *([label] if label else []), *([mask] if mask else [])]:
        differences = grid_differences(
            _grid(volume.image), reference_grid, tolerance_mm=spec.tolerance_mm, direction_tolerance=spec.direction_tolerance
        )
        if differences and volume is label and spec.copy_image_geometry and tuple(volume.image.shape) == reference_grid.shape:
            logger.info(
                "case %s: copied the geometry of %s onto the label %s (%s)",
                case.case_id, reference.path.name, label.path.name,
                "; ".join(f"{field} {value} -> {expected}" for field, value, expected in differences),
            )
            continue
        for field, value, expected in differences:
            problems.append(
                Problem(case.case_id, volume.path.name, f"{field} {value} differs from the {field} {expected} of {reference.path.name}")
            )
    if problems:
        return None, problems

    arrays = [_finite(volume, case.case_id, problems) for volume in channels]
    label_array = _label_values(label, mapping, case.case_id, problems) if label else None
    mask_array = _mask_values(mask, case.case_id, problems) if mask else None
    if problems or not keep_arrays:
        return None, problems
    return PreparedCase(case.case_id, arrays, label_array, mask_array, reference_grid.affine), problems


def _grid(image: Any) -> Grid:
    return Grid(shape=tuple(int(size) for size in image.shape[:3]), affine=np.asarray(image.affine, dtype=np.float64))


def _load(path: Path, case_id: str, problems: list[Problem]) -> Any:
    try:
        return load_nifti(path)
    except Exception as exc:  # nibabel raises several types for unreadable files
        problems.append(Problem(case_id, path.name, f"cannot be read as NIfTI: {exc}"))
        return None


def _load_3d(path: Path, role: str, case_id: str, problems: list[Problem]) -> _Volume | None:
    import nibabel as nib

    image = _load(path, case_id, problems)
    if image is None:
        return None
    if image.ndim > 3 and all(size == 1 for size in image.shape[3:]):
        image = nib.funcs.squeeze_image(image)
    if image.ndim != 3:
        problems.append(Problem(case_id, path.name, f"{role} has shape {tuple(image.shape)}; a 3-D {role} is expected"))
        return None
    return _Volume(path, image, role)


def _load_channels(case: CaseFiles, dataset: SourceDataset, problems: list[Problem]) -> list[_Volume]:
    if not dataset.four_d:
        loaded = [_load_3d(path, "image", case.case_id, problems) for path in case.images]
        return [volume for volume in loaded if volume is not None] if all(loaded) else []

    import nibabel as nib

    path = case.images[0]
    image = _load(path, case.case_id, problems)
    if image is None:
        return []
    expected = len(dataset.channel_names)
    if image.ndim == 3 and expected == 1:
        return [_Volume(path, image, dataset.channel_names[0])]
    if image.ndim != 4 or image.shape[3] != expected:
        problems.append(
            Problem(case.case_id, path.name, f"image has shape {tuple(image.shape)}; expected 4-D with {expected} channel(s) on the last axis")
        )
        return []
    return [_Volume(path, volume, name) for volume, name in zip(nib.funcs.four_to_three(image), dataset.channel_names)]


def _onto_label_grid(volume: _Volume, label: _Volume, spec: DatasetSpec, case_id: str) -> _Volume:
    differences = grid_differences(
        _grid(volume.image), _grid(label.image), tolerance_mm=spec.tolerance_mm, direction_tolerance=spec.direction_tolerance
    )
    if not differences:
        return volume
    from nibabel.processing import resample_from_to

    logger.info(
        "case %s: resampling %s onto the grid of %s (cubic spline): %s",
        case_id, volume.path.name, label.path.name, "; ".join(f"{field} {value} -> {expected}" for field, value, expected in differences),
    )
    resampled = resample_from_to(volume.image, (label.image.shape, label.image.affine), order=3, mode="constant", cval=0.0)
    return _Volume(volume.path, resampled, volume.name)


def _finite(volume: _Volume, case_id: str, problems: list[Problem]) -> np.ndarray:
    data = np.asanyarray(volume.image.dataobj)
    if data.dtype.kind == "f" and data.dtype != np.float32:
        data = data.astype(np.float32)
    if data.dtype.kind == "f":
        bad = int(np.count_nonzero(~np.isfinite(data)))
        if bad:
            problems.append(Problem(case_id, volume.path.name, f"{bad} voxel(s) are NaN or infinite"))
    return data


def _label_values(label: _Volume, mapping: LabelMapping, case_id: str, problems: list[Problem]) -> np.ndarray | None:
    values, offending = integral_values(np.asanyarray(label.image.dataobj))
    if values is None:
        problems.append(Problem(case_id, label.path.name, f"label values {offending} are not integers"))
        return None
    present = present_values(values)
    undeclared = [value for value in present if value not in mapping.declared]
    if undeclared:
        problems.append(
            Problem(
                case_id, label.path.name, f"label values {undeclared} are not among the declared labels {list(mapping.declared)}",
                label_values=tuple(present),
            )
        )
        return None
    return values


def _mask_values(mask: _Volume, case_id: str, problems: list[Problem]) -> np.ndarray | None:
    data = np.asanyarray(mask.image.dataobj)
    if data.dtype.kind == "f" and not np.isfinite(data).all():
        problems.append(Problem(case_id, mask.path.name, "brain mask contains NaN or infinite voxels"))
        return None
    # Masks stored with a scale factor read as {0, 0.99999997}: threshold, never test == 1.
    binary = (data > 0.5).astype(np.uint8)
    if not binary.any():
        problems.append(Problem(case_id, mask.path.name, "brain mask is empty (no voxel above 0.5)"))
        return None
    return binary
