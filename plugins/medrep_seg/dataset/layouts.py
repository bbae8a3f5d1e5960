"""Source layouts: where the channels, the label and the brain mask of each case are.

Supported layouts:

- ``case-folder``: ``SRC/<case>/<case>_fld.nii[.gz]`` (FLAIR) and ``<case>_seg.nii[.gz]``,
  further channels by suffix (``_t1c``), the brain mask as ``<case>_brainmask``.
- ``brats2021``: ``SRC/<case>/<case>_{flair,t1,t1ce,t2,seg}.nii.gz``.
- ``brats2023``: ``SRC/<case>/<case>-{t2f,t1n,t1c,t2w,seg}.nii.gz``.
- ``msd``: the Medical Segmentation Decathlon: ``SRC/imagesTr/<case>.nii.gz`` 4-D with the
  channels on the last axis, ``SRC/labelsTr/<case>.nii.gz``, ``SRC/dataset.json``.
- ``nnunet``: an nnU-Net v2 raw dataset (``imagesTr/<case>_0000.nii.gz``, ...).
- ``glob``: any other layout: one glob pattern per channel and one for the label (and the
  brain mask), matched inside each case folder ``SRC/<case>/``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from medrep.errors import DataError
from medrep_seg.dataset.volumes import nifti_suffix, strip_nifti_suffix

__all__ = ["DatasetSpec", "CaseFiles", "SourceDataset", "MODALITY_NAMES", "discover", "detect_layout"]

Layout = Literal["auto", "case-folder", "brats2021", "brats2023", "msd", "nnunet", "glob"]

#: Channel name for each known file suffix (case-folder and BraTS layouts).
MODALITY_NAMES: dict[str, str] = {
    "fld": "FLAIR",
    "flair": "FLAIR",
    "t2f": "FLAIR",
    "t1": "T1",
    "t1n": "T1",
    "t1c": "T1c",
    "t1ce": "T1c",
    "t2": "T2",
    "t2w": "T2",
    "dwi": "DWI",
    "adc": "ADC",
}

_BRATS = {
    "brats2021": {"separator": "_", "channels": ["flair", "t1", "t1ce", "t2"]},
    "brats2023": {"separator": "-", "channels": ["t2f", "t1n", "t1c", "t2w"]},
}


class DatasetSpec(BaseModel):
    """How to read a source dataset and turn it into an nnU-Net raw dataset."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    layout: Layout = Field(default="auto", description="source layout; 'auto' recognises all but 'glob' by file names")
    channels: list[str] | None = Field(
        default=None,
        description="case-folder and BraTS layouts: channel suffixes in order; default: fld (case-folder), all four (BraTS)",
    )
    modality_names: dict[str, str] = Field(
        default_factory=dict, description="channel name per suffix, overriding the built-in table (fld -> FLAIR, ...)"
    )
    label_suffix: str = Field(default="seg", description="case-folder layout: suffix of the label file")
    mask_suffix: str | None = Field(
        default="brainmask", description="case-folder layout: suffix of the brain mask file (used if present)"
    )
    channel_globs: dict[str, str] = Field(
        default_factory=dict, description="glob layout: channel name -> glob pattern inside each case folder, in order"
    )
    label_glob: str | None = Field(default=None, description="glob layout: pattern of the label file")
    mask_glob: str | None = Field(default=None, description="glob layout: pattern of the brain mask file")
    labels: str | list[int] | None = Field(
        default=None,
        description=(
            "declared source label values: a preset (binary, brats2015, brats2021, brats2023) or a list; "
            "default: the release of a BraTS layout, the labels of a dataset.json, else binary"
        ),
    )
    target: Literal["whole-tumour", "regions", "classes"] = Field(
        default="whole-tumour", description="what the labels become: one foreground class, BraTS regions, or one class per value"
    )
    tolerance_mm: float = Field(default=1e-3, ge=0.0, description="tolerance on spacings and origins, in mm")
    direction_tolerance: float = Field(default=1e-4, ge=0.0, description="tolerance on direction cosines")
    resample_to_label: bool = Field(
        default=False, description="resample channels whose grid differs from the label's onto the label's grid (cubic)"
    )
    copy_image_geometry: bool = Field(
        default=False,
        description="give a label with the image's shape but another affine the image's affine (logged per case)",
    )


@dataclass
class CaseFiles:
    """The files of one source case."""

    case_id: str
    images: list[Path]
    label: Path | None
    mask: Path | None = None
    problems: list[str] = field(default_factory=list)


@dataclass
class SourceDataset:
    """A source dataset: its layout, channel names and cases."""

    root: Path
    layout: str
    channel_names: list[str]
    cases: list[CaseFiles]
    four_d: bool = False
    declared_labels: str | list[int] = "binary"


def detect_layout(root: Path) -> str:
    """Recognise the layout of ``root`` from its file names; raises DataError when none fits."""
    if (root / "dataset.json").is_file() and (root / "imagesTr").is_dir():
        info = json.loads((root / "dataset.json").read_text(encoding="utf-8"))
        return "nnunet" if "channel_names" in info else "msd"
    names = [path.name for folder in _case_folders(root)[:3] for path in folder.iterdir()]
    if any(strip_nifti_suffix(name).endswith("_fld") for name in names):
        return "case-folder"
    if any(strip_nifti_suffix(name).endswith(("_flair", "_t1ce")) for name in names):
        return "brats2021"
    if any(strip_nifti_suffix(name).endswith(("-t2f", "-t1n")) for name in names):
        return "brats2023"
    raise DataError(
        f"cannot tell the layout of {root}: no case folder with *_fld, *_flair or *-t2f files, and no dataset.json",
        hint="describe it with layout='glob' and a glob pattern per channel and for the label",
    )


def discover(root: str | Path, spec: DatasetSpec) -> SourceDataset:
    """List the cases of ``root`` under ``spec``; problems with single cases are kept per case."""
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"source folder not found: {root}", hint="pass the folder that contains the case folders")
    layout = spec.layout if spec.layout != "auto" else detect_layout(root)
    if layout == "case-folder":
        dataset = _case_folder(root, spec)
    elif layout in _BRATS:
        dataset = _brats(root, spec, layout)
    elif layout in ("msd", "nnunet"):
        dataset = _decathlon_like(root, layout)
    else:
        dataset = _globbed(root, spec)
    if spec.labels is not None:
        dataset.declared_labels = spec.labels
    if not dataset.cases:
        raise DataError(f"no cases found in {root} ({layout} layout)", hint="check the folder and the layout options")
    return dataset


def _case_folders(root: Path) -> list[Path]:
    return sorted(path for path in root.iterdir() if path.is_dir() and not path.name.startswith("."))


def _channel_name(suffix: str, spec: DatasetSpec) -> str:
    return spec.modality_names.get(suffix) or MODALITY_NAMES.get(suffix.lower(), suffix)


def _by_suffix(folder: Path, separator: str, suffix: str) -> tuple[Path | None, str | None]:
    """Return the one NIfTI file in ``folder`` whose name ends with ``<separator><suffix>``."""
    matches = [
        path
        for path in sorted(folder.iterdir())
        if nifti_suffix(path) and strip_nifti_suffix(path).endswith(f"{separator}{suffix}")
    ]
    if len(matches) == 1:
        return matches[0], None
    if not matches:
        return None, f"no file ending in {separator}{suffix}.nii[.gz]"
    return None, f"{len(matches)} files end in {separator}{suffix}.nii[.gz]: {', '.join(path.name for path in matches)}"


def _suffix_cases(root: Path, separator: str, suffixes: list[str], label: str, mask: str | None) -> list[CaseFiles]:
    cases = []
    for folder in _case_folders(root):
        case = CaseFiles(case_id=folder.name, images=[], label=None)
        for suffix in suffixes:
            path, problem = _by_suffix(folder, separator, suffix)
            if problem:
                case.problems.append(f"channel {suffix}: {problem}")
            elif path is not None:
                case.images.append(path)
        case.label, problem = _by_suffix(folder, separator, label)
        if problem:
            case.problems.append(f"label: {problem}")
        if mask:
            case.mask, _ = _by_suffix(folder, separator, mask)
        cases.append(case)
    return cases


def _case_folder(root: Path, spec: DatasetSpec) -> SourceDataset:
    suffixes = spec.channels or ["fld"]
    cases = _suffix_cases(root, "_", suffixes, spec.label_suffix, spec.mask_suffix)
    return SourceDataset(root, "case-folder", [_channel_name(suffix, spec) for suffix in suffixes], cases)


def _brats(root: Path, spec: DatasetSpec, layout: str) -> SourceDataset:
    settings = _BRATS[layout]
    suffixes = spec.channels or settings["channels"]
    cases = _suffix_cases(root, settings["separator"], suffixes, "seg", None)
    return SourceDataset(root, layout, [_channel_name(suffix, spec) for suffix in suffixes], cases, declared_labels=layout)


def _decathlon_like(root: Path, layout: str) -> SourceDataset:
    info = json.loads((root / "dataset.json").read_text(encoding="utf-8"))
    file_ending = info.get("file_ending", ".nii.gz")
    names_by_index = info.get("channel_names") or info.get("modality") or {"0": "channel 0"}
    channel_names = [names_by_index[key] for key in sorted(names_by_index, key=int)]
    declared = _declared_from_json(info.get("labels", {}))

    images = root / "imagesTr"
    cases = []
    if layout == "msd":
        for path in sorted(images.iterdir()):
            if path.name.startswith(".") or not path.name.endswith(file_ending):
                continue
            case_id = path.name[: -len(file_ending)]
            label = root / "labelsTr" / path.name
            case = CaseFiles(case_id, [path], label if label.is_file() else None)
            if case.label is None:
                case.problems.append(f"label: {label} not found")
            cases.append(case)
        return SourceDataset(root, layout, channel_names, cases, four_d=True, declared_labels=declared)

    identifiers = sorted({path.name[: -len(file_ending) - 5] for path in images.glob(f"*_[0-9][0-9][0-9][0-9]{file_ending}")})
    for case_id in identifiers:
        files = [images / f"{case_id}_{index:04d}{file_ending}" for index in range(len(channel_names))]
        label = root / "labelsTr" / f"{case_id}{file_ending}"
        mask = root / "masksTr" / f"{case_id}{file_ending}"
        case = CaseFiles(case_id, [path for path in files if path.is_file()], label if label.is_file() else None, mask if mask.is_file() else None)
        case.problems += [f"channel {index}: {path.name} not found" for index, path in enumerate(files) if not path.is_file()]
        if case.label is None:
            case.problems.append(f"label: {label.name} not found")
        cases.append(case)
    return SourceDataset(root, layout, channel_names, cases, declared_labels=declared)


def _declared_from_json(labels: dict) -> list[int]:
    """Return the label values a dataset.json declares (nnU-Net: name -> value; MSD: value -> name)."""
    values: set[int] = set()
    for key, value in labels.items():
        if str(key).isdigit():
            values.add(int(key))
        elif isinstance(value, list):
            values.update(int(item) for item in value)
        else:
            values.add(int(value))
    return sorted(values | {0})


def _globbed(root: Path, spec: DatasetSpec) -> SourceDataset:
    if not spec.channel_globs or not spec.label_glob:
        raise DataError(
            "the glob layout needs a pattern for each channel and one for the label",
            hint="pass channel_globs={'FLAIR': '*flair*.nii.gz'} and label_glob='*mask*.nii.gz'",
        )
    cases = []
    for folder in _case_folders(root):
        case = CaseFiles(case_id=folder.name, images=[], label=None)
        for name, pattern in spec.channel_globs.items():
            path, problem = _one_match(folder, pattern)
            if problem:
                case.problems.append(f"channel {name}: {problem}")
            elif path is not None:
                case.images.append(path)
        case.label, problem = _one_match(folder, spec.label_glob)
        if problem:
            case.problems.append(f"label: {problem}")
        if spec.mask_glob:
            case.mask, problem = _one_match(folder, spec.mask_glob)
            if problem:
                case.problems.append(f"brain mask: {problem}")
        cases.append(case)
    return SourceDataset(root, "glob", list(spec.channel_globs), cases)


def _one_match(folder: Path, pattern: str) -> tuple[Path | None, str | None]:
    matches = sorted(path for path in folder.glob(pattern) if path.is_file())
    if len(matches) == 1:
        return matches[0], None
    if not matches:
        return None, f"no file matches {pattern!r}"
    return None, f"{len(matches)} files match {pattern!r}: {', '.join(path.name for path in matches)}"
