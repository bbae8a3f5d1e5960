"""Conversion of a checked source dataset into an nnU-Net v2 raw dataset.

The output is written into a temporary folder that replaces the destination only when
every case passed its checks and was written, so a failed case leaves nothing behind.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from medrep import progress
from medrep.errors import DataError
from medrep.io import atomic_directory, write_json, write_run_record
from medrep_seg.dataset.checks import IntegrityReport, prepare_case
from medrep_seg.dataset.labels import LabelMapping, label_mapping
from medrep_seg.dataset.layouts import DatasetSpec, SourceDataset, discover
from medrep_seg.dataset.volumes import save_nifti
from medrep_seg.nnunet.paths import DATASET_NAME_PATTERN, nnunet_folders

__all__ = ["ConversionResult", "convert_dataset", "destination_folder"]

logger = logging.getLogger(__name__)

FILE_ENDING = ".nii.gz"
#: nnU-Net reads the files with nibabel, reoriented to RAS, so cases stored with other axis codes line up.
READER = "NibabelIOWithReorient"


@dataclass
class ConversionResult:
    """The folder of a converted dataset and the integrity report it passed."""

    path: Path
    report: IntegrityReport

    @property
    def num_cases(self) -> int:
        """Number of converted cases."""
        return len(self.report.dataset.cases)


def destination_folder(destination: str | Path) -> Path:
    """Return the dataset folder for ``destination``: a dataset name (placed in nnU-Net's raw folder) or a path.

    Either way, the folder name must be an nnU-Net dataset name such as ``Dataset501_BraTS2015``.
    """
    text = str(destination)
    path = Path(text) if ("/" in text or "\\" in text) else nnunet_folders().raw / text
    if not DATASET_NAME_PATTERN.match(path.name):
        raise DataError(
            f"invalid nnU-Net dataset name {path.name!r}",
            hint="name the destination DatasetNNN_Name, for example Dataset501_BraTS2015 (NNN: three digits)",
        )
    return path


def convert_dataset(
    source: str | Path,
    destination: str | Path,
    spec: DatasetSpec | None = None,
    *,
    overwrite: bool = False,
) -> ConversionResult:
    """Check ``source`` and convert it to the nnU-Net v2 raw dataset ``destination``.

    Writes ``imagesTr/<case>_<channel>.nii.gz``, ``labelsTr/<case>.nii.gz``,
    ``masksTr/<case>.nii.gz`` (brain masks as 0/1, when the source has them) and
    ``dataset.json``. Raises :class:`DataError` listing every problem when any case fails
    its checks; nothing is written then.
    """
    spec = spec or DatasetSpec()
    target = destination_folder(destination)
    _check_destination(target, overwrite)
    dataset = discover(source, spec)
    mapping = label_mapping(dataset.declared_labels, spec.target)
    report = IntegrityReport(dataset)

    with atomic_directory(target) as folder:
        for name in ("imagesTr", "labelsTr"):
            (folder / name).mkdir()
        has_masks = False
        for case in progress.track(dataset.cases, total=len(dataset.cases), desc="Converting", unit="case"):
            prepared, problems = prepare_case(case, dataset, spec, mapping, keep_arrays=True)
            report.problems.extend(problems)
            if prepared is None:
                continue
            for index, channel in enumerate(prepared.channels):
                save_nifti(channel, prepared.affine, folder / "imagesTr" / f"{case.case_id}_{index:04d}{FILE_ENDING}")
            if prepared.label is not None:
                save_nifti(mapping.apply(prepared.label), prepared.affine, folder / "labelsTr" / f"{case.case_id}{FILE_ENDING}")
            if prepared.mask is not None:
                (folder / "masksTr").mkdir(exist_ok=True)
                save_nifti(prepared.mask, prepared.affine, folder / "masksTr" / f"{case.case_id}{FILE_ENDING}")
                has_masks = True
        report.raise_if_failed()
        if has_masks and len(list((folder / "masksTr").iterdir())) != len(dataset.cases):
            raise DataError(
                "only some cases have a brain mask; crop would treat the others differently",
                hint="provide a brain mask for every case, or none",
            )

        write_json(folder / "dataset.json", _dataset_json(dataset, mapping, spec, target.name))
        write_run_record(folder, step="seg convert", config={"source": str(source), "destination": str(target), "spec": spec})
    logger.info("converted %d case(s) from %s (%s layout) to %s", len(dataset.cases), dataset.root, dataset.layout, target)
    return ConversionResult(target, report)


def _check_destination(target: Path, overwrite: bool) -> None:
    if target.exists() and not overwrite:
        raise DataError(f"{target} already exists", hint="pass overwrite=True (--overwrite) to replace it")
    identifier = target.name[: len("Dataset000")]
    clashes = [path.name for path in target.parent.glob(f"{identifier}_*") if path.is_dir() and path.name != target.name]
    if clashes:
        raise DataError(
            f"dataset id {identifier[7:]} is already used by {', '.join(clashes)} in {target.parent}",
            hint="pick another three-digit id; nnU-Net identifies datasets by it",
        )


def _dataset_json(dataset: SourceDataset, mapping: LabelMapping, spec: DatasetSpec, name: str) -> dict:
    info = {
        "name": name,
        "description": f"converted by medrep from {dataset.root} ({dataset.layout} layout)",
        "channel_names": {str(index): channel for index, channel in enumerate(dataset.channel_names)},
        "labels": mapping.labels,
        "numTraining": len(dataset.cases),
        "file_ending": FILE_ENDING,
        "overwrite_image_reader_writer": READER,
        "medrep": {
            "source": str(dataset.root),
            "layout": dataset.layout,
            "declared_labels": dataset.declared_labels,
            "target": spec.target,
            "brain_masks": "masksTr" if any(case.mask for case in dataset.cases) else None,
        },
    }
    if mapping.regions_class_order is not None:
        info["regions_class_order"] = mapping.regions_class_order
    return info
