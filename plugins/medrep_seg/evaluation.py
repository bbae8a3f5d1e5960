"""Evaluation of a folder of predictions against a folder of reference labels.

Every case is scored per structure (a label, or a region made of several labels) with
Dice and HD95 under the empty-mask policy of :mod:`medrep_seg.metrics`. The report in the
output folder contains ``metrics.json`` (policy, per-case scores and summaries),
``per_case.csv`` (one row per case, named by case id) and ``summary.csv`` (one row per
structure: mean, median, standard deviation and the number of worst-case cases).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from medrep import progress
from medrep.errors import DataError
from medrep.io import atomic_write, write_json
from medrep_seg.dataset.labels import present_values
from medrep_seg.metrics import score_structure, summarise

__all__ = ["BRATS_REGIONS", "EvaluationResult", "evaluate_folder", "evaluate_arrays", "structures_from_dataset_json"]

logger = logging.getLogger(__name__)

#: BraTS evaluation regions per release, as lists of label values: whole tumour, tumour
#: core and enhancing tumour. The label values differ between releases.
BRATS_REGIONS: dict[str, dict[str, list[int]]] = {
    "brats2015": {"whole_tumour": [1, 2, 3, 4], "tumour_core": [1, 3, 4], "enhancing_tumour": [4]},
    "brats2021": {"whole_tumour": [1, 2, 4], "tumour_core": [1, 4], "enhancing_tumour": [4]},
    "brats2023": {"whole_tumour": [1, 2, 3], "tumour_core": [1, 3], "enhancing_tumour": [3]},
}

NIFTI_SUFFIXES = (".nii.gz", ".nii")
AFFINE_TOLERANCE = 1e-3


@dataclass
class EvaluationResult:
    """Per-case scores and their summaries; ``output_dir`` is where the report files are."""

    structures: dict[str, list[int]]
    cases: list[dict[str, Any]]
    summary: dict[str, dict[str, Any]]
    policy: dict[str, Any]
    output_dir: Path | None = None
    files: list[Path] = field(default_factory=list)
    #: Label mismatches between the predictions and the references (see ``evaluate_folder``).
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON form written to ``metrics.json``."""
        return {
            "policy": self.policy,
            "structures": self.structures,
            "summary": self.summary,
            "cases": self.cases,
            "warnings": self.warnings,
        }


def _case_id(path: Path) -> str | None:
    for suffix in NIFTI_SUFFIXES:
        if path.name.endswith(suffix):
            return path.name[: -len(suffix)]
    return None


def _list_cases(folder: Path, role: str) -> dict[str, Path]:
    if not folder.is_dir():
        raise DataError(f"{role} folder not found: {folder}", hint="pass an existing folder of .nii.gz files")
    cases = {}
    for path in sorted(folder.iterdir()):
        case_id = _case_id(path)
        if case_id is not None and path.is_file():
            cases[case_id] = path
    if not cases:
        raise DataError(f"no .nii or .nii.gz files in the {role} folder {folder}", hint="check the path")
    return cases


def structures_from_dataset_json(dataset_json: dict[str, Any]) -> dict[str, list[int]]:
    """Return the foreground labels (or regions) that an nnU-Net ``dataset.json`` declares."""
    structures = {}
    for name, value in dataset_json.get("labels", {}).items():
        values = [int(v) for v in value] if isinstance(value, list | tuple) else [int(value)]
        if values == [0] or name == "ignore":
            continue
        structures[_slug(name)] = values
    return structures


def _slug(name: str) -> str:
    return re.sub(r"[^0-9a-zA-Z]+", "_", name.strip()).strip("_").lower() or "label"


def _resolve_structures(
    labels: dict[str, list[int]] | None,
    regions: str | None,
    dataset_json: str | Path | None,
    reference_values: set[int],
) -> dict[str, list[int]]:
    if labels is not None:
        structures = {name: [int(v) for v in values] for name, values in labels.items()}
    elif dataset_json is not None:
        structures = structures_from_dataset_json(json.loads(Path(dataset_json).read_text(encoding="utf-8")))
    else:
        structures = {f"label_{value}": [value] for value in sorted(reference_values) if value != 0}
    if regions is not None:
        if regions not in BRATS_REGIONS:
            raise DataError(
                f"unknown region preset {regions!r}",
                hint=f"choose one of {', '.join(BRATS_REGIONS)}, or leave regions unset",
            )
        structures.update(BRATS_REGIONS[regions])
    if not structures:
        raise DataError(
            "no foreground label to evaluate: the reference masks are all empty and no labels were given",
            hint="pass the labels (or the dataset.json that declares them)",
        )
    return structures


def _load(path: Path) -> tuple[np.ndarray, np.ndarray, tuple[float, ...]]:
    import nibabel as nib

    image = nib.load(str(path))
    data = np.asanyarray(image.dataobj)
    if not np.all(np.isfinite(data)) or not np.allclose(data, np.round(data)):
        raise DataError(f"{path} contains non-integer label values", hint="evaluate label maps, not probabilities")
    spacing = tuple(float(value) for value in image.header.get_zooms()[: data.ndim])
    return np.round(data).astype(np.int32), image.affine, spacing


def evaluate_arrays(
    prediction: np.ndarray,
    reference: np.ndarray,
    spacing: tuple[float, ...],
    structures: dict[str, list[int]],
    *,
    worst_case_hd95: float | None = None,
) -> dict[str, dict[str, Any]]:
    """Score one case: for each structure, Dice, HD95 and the empty-mask flags."""
    scores = {}
    for name, values in structures.items():
        score = score_structure(
            np.isin(prediction, values), np.isin(reference, values), spacing, worst_case=worst_case_hd95
        )
        scores[name] = {
            "dice": score.dice,
            "hd95": score.hd95,
            "worst_case": score.worst_case,
            "reference_empty": score.reference_empty,
            "prediction_empty": score.prediction_empty,
        }
    return scores


def _check_geometry(case_id: str, prediction: tuple, reference: tuple) -> None:
    prediction_data, prediction_affine, _ = prediction
    reference_data, reference_affine, _ = reference
    if prediction_data.shape != reference_data.shape:
        raise DataError(
            f"case {case_id}: prediction shape {prediction_data.shape} differs from reference shape "
            f"{reference_data.shape}",
            hint="predictions must be written in the reference image's geometry",
        )
    if not np.allclose(prediction_affine, reference_affine, atol=AFFINE_TOLERANCE):
        raise DataError(
            f"case {case_id}: prediction affine {prediction_affine.round(3).tolist()} differs from reference "
            f"affine {reference_affine.round(3).tolist()}",
            hint="predictions must be written in the reference image's geometry",
        )


def evaluate_folder(
    prediction_dir: str | Path,
    reference_dir: str | Path,
    output_dir: str | Path | None = None,
    *,
    labels: dict[str, list[int]] | None = None,
    regions: str | None = None,
    dataset_json: str | Path | None = None,
    worst_case_hd95: float | None = None,
) -> EvaluationResult:
    """Score every reference case against the prediction of the same case id.

    ``labels`` maps structure names to label values; without it the labels come from
    ``dataset_json`` or, failing that, from the values present in the references.
    ``regions`` adds a BraTS region preset (``brats2015``, ``brats2021``, ``brats2023``).
    ``worst_case_hd95`` replaces the default worst case (the image diagonal in mm). A
    reference case without a prediction raises :class:`DataError`; extra predictions are
    ignored with a warning. When the references contain labels that no prediction
    contains, a warning (logged, and kept in ``warnings`` and ``metrics.json``) names them
    and the merged structure to score instead. The report is written to ``output_dir``
    when given.
    """
    predictions = _list_cases(Path(prediction_dir), "prediction")
    references = _list_cases(Path(reference_dir), "reference")
    missing = sorted(set(references) - set(predictions))
    if missing:
        raise DataError(
            f"{len(missing)} reference case(s) have no prediction in {prediction_dir}: {', '.join(missing)}",
            hint="the reference folder must hold one label file per case, named like its prediction (CASE.nii.gz); "
            "predict the missing cases or leave them out of that folder",
        )
    extra = sorted(set(predictions) - set(references))
    if extra:
        logger.warning("ignoring %d prediction(s) without a reference: %s", len(extra), ", ".join(extra))

    reference_values: set[int] = set()
    if labels is None and dataset_json is None:
        # Without declared labels, the structures are the values found in the references.
        for case_id in sorted(references):
            reference_values |= {int(v) for v in np.unique(_load(references[case_id])[0])}
    structures = _resolve_structures(labels, regions, dataset_json, reference_values)

    cases = []
    predicted: set[int] = set()
    referenced: set[int] = set()
    for case_id in progress.track(sorted(references), desc="evaluating", unit="case"):
        reference = _load(references[case_id])
        prediction = _load(predictions[case_id])
        _check_geometry(case_id, prediction, reference)
        predicted.update(present_values(prediction[0]))
        referenced.update(present_values(reference[0]))
        spacing = reference[2]
        scores = evaluate_arrays(prediction[0], reference[0], spacing, structures, worst_case_hd95=worst_case_hd95)
        cases.append({"case_id": case_id, "spacing": list(spacing), "structures": scores})
        logger.debug("evaluated %s: %s", case_id, scores)

    result = EvaluationResult(
        structures=structures,
        cases=cases,
        summary=_summarise(cases, structures),
        policy={
            "both_empty": {"dice": 1.0, "hd95": 0.0},
            "one_empty": {
                "dice": 0.0,
                "hd95": "image diagonal in mm" if worst_case_hd95 is None else float(worst_case_hd95),
                "counted_in_means": True,
            },
            "hd95": "max of the two directed 95th-percentile surface distances, in mm",
        },
        warnings=_label_warnings(predicted, referenced, structures),
    )
    for warning in result.warnings:
        logger.warning("%s", warning)
    if output_dir is not None:
        write_report(result, output_dir)
    return result


def _label_warnings(predicted: set[int], referenced: set[int], structures: dict[str, list[int]]) -> list[str]:
    """Return a warning when the references contain labels that no prediction contains.

    The usual cause is a model trained on merged labels (a whole-tumour model writes 1
    for every tumour label), scored against references that keep the source labels.
    Each source label is then scored on its own, or left out, and the scores mean nothing.
    A missing label inside a structure that also contains a predicted label (the merged
    structure) is expected and not reported.
    """
    missing = referenced - predicted - {0}
    merged = {value for values in structures.values() if set(values) & predicted for value in values}
    reported = sorted(missing - merged)
    if not reported:
        return []
    if not predicted - {0}:
        return [f"no prediction contains a foreground label, while the references contain label(s) {_values(reported)}"]

    unpredictable = [name for name, values in structures.items() if set(values) & missing and not set(values) & predicted]
    if unpredictable:
        where = f"structure(s) {', '.join(unpredictable)} score only labels that no prediction contains"
    else:
        where = "no structure scores them"
    return [
        f"the references contain label(s) {_values(reported)} that no prediction contains "
        f"(the predictions contain {_values(sorted(predicted - {0}))}); {where}. "
        "If the model was trained on merged labels (a whole-tumour model writes 1 for every tumour "
        f"label), score the merged structure instead: --label whole_tumour={_values(sorted(referenced - {0}))}"
    ]


def _values(values: list[int]) -> str:
    """Return label values as the comma-separated list that ``--label`` takes."""
    return ",".join(str(value) for value in values)


def _summarise(cases: list[dict[str, Any]], structures: dict[str, list[int]]) -> dict[str, dict[str, Any]]:
    summary = {}
    for name in structures:
        scores = [case["structures"][name] for case in cases]
        summary[name] = {
            "dice": summarise([score["dice"] for score in scores]),
            "hd95": summarise([score["hd95"] for score in scores]),
            "n_worst_case": sum(1 for score in scores if score["worst_case"]),
        }
    return summary


def write_report(result: EvaluationResult, output_dir: str | Path) -> list[Path]:
    """Write ``metrics.json``, ``per_case.csv`` and ``summary.csv`` into ``output_dir``."""
    output = Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    files = [write_json(output / "metrics.json", result.as_dict())]

    header = ["case_id"]
    for name in result.structures:
        header += [f"{name}_dice", f"{name}_hd95_mm", f"{name}_worst_case"]
    rows = []
    for case in result.cases:
        row = [case["case_id"]]
        for name in result.structures:
            score = case["structures"][name]
            row += [f"{score['dice']:.6f}", f"{score['hd95']:.4f}", str(score["worst_case"]).lower()]
        rows.append(row)
    files.append(_write_csv(output / "per_case.csv", header, rows))

    header = ["structure", "n_cases", "dice_mean", "dice_median", "dice_std",
              "hd95_mean_mm", "hd95_median_mm", "hd95_std_mm", "n_worst_case"]
    rows = []
    for name, summary in result.summary.items():
        dice_stats, hd95_stats = summary["dice"], summary["hd95"]
        rows.append(
            [name, dice_stats["n"], _number(dice_stats["mean"]), _number(dice_stats["median"]),
             _number(dice_stats["std"]), _number(hd95_stats["mean"]), _number(hd95_stats["median"]),
             _number(hd95_stats["std"]), summary["n_worst_case"]]
        )
    files.append(_write_csv(output / "summary.csv", header, rows))

    result.output_dir = output
    result.files = files
    logger.info("wrote the evaluation of %d case(s) to %s", len(result.cases), output)
    return files


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    with atomic_write(path) as stream:
        stream.write(text.getvalue())
    return path


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}"
