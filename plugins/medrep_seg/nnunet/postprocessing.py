"""nnU-Net's keep-largest-component post-processing: decided on cross-validation, applied at prediction.

The decision is nnU-Net's own (``determine_postprocessing``): on the merged validation
predictions of the trained folds, keep only the largest connected foreground component
when that raises the mean foreground Dice and lowers no class's Dice, then try the same per
label or region. medrep stores the outcome as JSON (``postprocessing.json`` in the model
folder) instead of nnU-Net's pickled functions. A model trained only on fold ``all`` has no
validation predictions, so no post-processing is decided for it.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from medrep.io import write_json
from medrep_seg.nnunet.paths import default_processes, ensure_environment, nnunet_folders

__all__ = ["DECISION_FILE", "apply_postprocessing", "determine_postprocessing", "load_decision"]

logger = logging.getLogger(__name__)

#: File in the model folder that records the post-processing decision.
DECISION_FILE = "postprocessing.json"


def _trained_folds(model_folder: Path) -> list[int]:
    folds = []
    for folder in sorted(model_folder.glob("fold_*")):
        suffix = folder.name[len("fold_"):]
        if suffix.isdigit() and (folder / "validation" / "summary.json").is_file():
            folds.append(int(suffix))
    return folds


def determine_postprocessing(model_folder: str | Path, folds: list[int] | None = None) -> dict[str, Any]:
    """Decide keep-largest-component post-processing from the folds' validation predictions.

    ``folds`` defaults to every fold with a finished final validation. Returns and writes
    the decision: ``{"steps": [{"operation": "keep_largest_component", "labels_or_regions":
    [...]}, ...], "folds": [...], "dice_before": ..., "dice_after": ...}``; ``steps`` is
    empty when no fold was validated or removing components did not help.
    """
    ensure_environment()
    from medrep_seg.nnunet.preprocessing import nnunet_output_to_log
    from nnunetv2.evaluation.accumulate_cv_results import accumulate_cv_results
    from nnunetv2.postprocessing.remove_connected_components import determine_postprocessing as nnunet_determine

    model_folder = Path(model_folder)
    folds = _trained_folds(model_folder) if folds is None else list(folds)
    if not folds:
        decision = {"steps": [], "folds": [], "reason": "no cross-validation predictions (fold 'all' or no final validation)"}
        write_json(model_folder / DECISION_FILE, decision)
        logger.info("no post-processing decided for %s: %s", model_folder, decision["reason"])
        return decision

    plans = json.loads((model_folder / "plans.json").read_text(encoding="utf-8"))
    dataset_json = json.loads((model_folder / "dataset.json").read_text(encoding="utf-8"))
    merged = model_folder / "crossval_results"
    processes = default_processes()
    reference = nnunet_folders().preprocessed / plans["dataset_name"] / "gt_segmentations"
    with nnunet_output_to_log(logger):
        accumulate_cv_results(str(model_folder), str(merged), folds, num_processes=processes, overwrite=True)
        functions, arguments = nnunet_determine(
            str(merged), str(reference), plans, dataset_json, num_processes=processes, keep_postprocessed_files=False
        )

    summary = json.loads((merged / "postprocessing.json").read_text(encoding="utf-8"))
    decision = {
        "steps": [
            {"operation": "keep_largest_component", "labels_or_regions": _plain(kwargs["labels_or_regions"])}
            for function, kwargs in zip(functions, arguments)
        ],
        "folds": folds,
        "dice_before": summary["input_folder"]["foreground_mean"]["Dice"],
        "dice_after": summary["postprocessed"]["foreground_mean"]["Dice"],
    }
    (merged / "postprocessing.pkl").unlink(missing_ok=True)  # medrep keeps the JSON decision only
    write_json(model_folder / DECISION_FILE, decision)
    logger.info(
        "post-processing for %s: %s (cross-validation Dice %.4f before, %.4f after)",
        model_folder.name, ", ".join(_describe(step) for step in decision["steps"]) or "none",
        decision["dice_before"], decision["dice_after"],
    )
    return decision


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return int(value)


def _describe(step: dict[str, Any]) -> str:
    return f"keep the largest component of {step['labels_or_regions']}"


def load_decision(model_folder: str | Path) -> dict[str, Any]:
    """Return the stored decision, or an empty one when none was made."""
    path = Path(model_folder) / DECISION_FILE
    if not path.is_file():
        return {"steps": [], "folds": []}
    return json.loads(path.read_text(encoding="utf-8"))


def apply_postprocessing(segmentation: np.ndarray, decision: dict[str, Any]) -> np.ndarray:
    """Apply a decision's steps to a label map (a new array; the input is left unchanged)."""
    from nnunetv2.postprocessing.remove_connected_components import remove_all_but_largest_component_from_segmentation

    for step in decision.get("steps", []):
        if step["operation"] != "keep_largest_component":
            raise ValueError(f"unknown post-processing operation {step['operation']!r}")
        labels_or_regions = step["labels_or_regions"]
        if isinstance(labels_or_regions, list):
            labels_or_regions = [tuple(item) if isinstance(item, list) else item for item in labels_or_regions]
        segmentation = remove_all_but_largest_component_from_segmentation(segmentation, labels_or_regions)
    return segmentation


def remove_crossval_folder(model_folder: str | Path) -> None:
    """Delete the merged cross-validation predictions that the decision was made on."""
    shutil.rmtree(Path(model_folder) / "crossval_results", ignore_errors=True)
