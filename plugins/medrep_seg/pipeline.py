"""``medrep seg run``: convert -> check -> plan -> preprocess -> train -> predict -> evaluate -> report.

One TOML file configures the run (see ``examples/configs/seg_*.toml``)::

    output = "runs/brain-tumour"

    [data]
    source = "${MEDREP_DATA_DIR}/brain-tumour/train"   # case folders; ${VARIABLE} and ~ are expanded
    dataset = "Dataset511_BraTSQuick"                 # replaced on every run of this configuration
    channels = ["fld", "t1c"]
    labels = "brats2015"
    test_cases = ["brats_2013_pat0004_1"]            # held out: predicted and evaluated

    [plan]
    memory_budget_gb = 0.5

    [train]                                           # TrainerOptions, plus `fold`
    epochs = 5
    fold = "all"

    [predict]
    extra_inputs = ["${MEDREP_DATA_DIR}/brain-mri-unlabelled"]

The training cases are every case of the source except the test cases (or ``train_cases``
when given). Held-out cases never enter the nnU-Net dataset: their labels are mapped as the
converter maps training labels and written as the evaluation's references.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from medrep.errors import DataError
from medrep.io import write_run_record

__all__ = ["SegRunConfig", "SegRunResult", "load_config", "run_seg"]

logger = logging.getLogger(__name__)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DataSection(_Section):
    """Location of the source cases and how to convert them."""

    source: str = Field(description="folder of case folders (any layout `medrep seg convert` reads)")
    dataset: str = Field(
        description="nnU-Net dataset name, DatasetNNN_Name; each run replaces it, so give each configuration its own id"
    )
    layout: str = Field(default="auto", description="source layout")
    channels: list[str] | None = Field(default=None, description="channel suffixes in order, e.g. [\"fld\", \"t1c\"]")
    labels: str | list[int] | None = Field(default=None, description="declared source labels: a preset or values")
    target: Literal["whole-tumour", "regions", "classes"] = Field(default="whole-tumour", description="what the labels become")
    train_cases: list[str] | None = Field(default=None, description="training case ids; default: all but the test cases")
    test_cases: list[str] = Field(default_factory=list, description="held-out case ids, predicted and evaluated")


class PlanSection(_Section):
    """Planning and preprocessing."""

    configuration: str = Field(default="3d_fullres", description="nnU-Net configuration to preprocess and train")
    memory_budget_gb: float = Field(default=8.0, gt=0, description="memory nnU-Net plans patches for (0.5-1 for CPU)")
    target_spacing: list[float] | None = Field(default=None, description="target spacing in mm; default: nnU-Net's")
    preprocessors: list[str | dict[str, Any]] | None = Field(default=None, description="preprocessor chain; default crop, zscore, resample")
    planner: Literal["plain", "resenc"] = Field(default="plain", description="nnU-Net planner")
    processes: int | None = Field(default=None, ge=1, description="worker processes for fingerprint and preprocessing")


class PredictSection(_Section):
    """Inference on the held-out and unlabelled cases."""

    mirroring: bool = Field(default=True, description="test-time mirroring")
    tile_step_size: float = Field(default=0.5, gt=0, le=1, description="sliding-window step, fraction of the patch")
    keep_largest: bool = Field(
        default=False, description="keep only the largest foreground component, whatever cross-validation decided"
    )
    extra_inputs: list[str] = Field(default_factory=list, description="more folders of unlabelled cases to predict")


class EvaluateSection(_Section):
    """Evaluation of the held-out cases."""

    regions: Literal["brats2015", "brats2021", "brats2023"] | None = Field(default=None, description="also score BraTS regions")
    worst_case_hd95: float | None = Field(default=None, ge=0, description="HD95 when one mask is empty; default: image diagonal")


class ReportSection(_Section):
    """The report."""

    formats: list[Literal["markdown", "html"]] = Field(default_factory=lambda: ["markdown", "html"], description="report formats")
    montage_slices: int = Field(default=8, ge=1, description="axial slices per montage")


class SegRunConfig(_Section):
    """A whole segmentation run."""

    output: str = Field(description="folder for the report, predictions and evaluation")
    data: DataSection
    plan: PlanSection = Field(default_factory=PlanSection)
    train: dict[str, Any] = Field(default_factory=dict, description="TrainerOptions fields, plus fold and resume")
    predict: PredictSection = Field(default_factory=PredictSection)
    evaluate: EvaluateSection = Field(default_factory=EvaluateSection)
    report: ReportSection = Field(default_factory=ReportSection)


@dataclass
class SegRunResult:
    """Locations of a run's outputs."""

    output: Path
    model_folder: Path
    reports: dict[str, Path] = field(default_factory=dict)
    evaluation: Any = None
    stage_seconds: dict[str, float] = field(default_factory=dict)


def _expand(value: str) -> str:
    expanded = os.path.expandvars(os.path.expanduser(value))
    if "$" in expanded:
        raise DataError(f"unset environment variable in {value!r}", hint="export it, or write the path out")
    return expanded


def load_config(path: str | Path, overrides: dict[str, Any] | None = None) -> SegRunConfig:
    """Read a TOML run configuration, expanding ``${VARIABLE}`` and ``~`` in its paths; ``overrides`` replace top-level keys."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    data.update(overrides or {})
    if isinstance(data.get("output"), str):
        data["output"] = _expand(data["output"])
    if isinstance(data.get("data"), dict) and isinstance(data["data"].get("source"), str):
        data["data"]["source"] = _expand(data["data"]["source"])
    if isinstance(data.get("predict"), dict) and isinstance(data["predict"].get("extra_inputs"), list):
        data["predict"]["extra_inputs"] = [_expand(item) if isinstance(item, str) else item for item in data["predict"]["extra_inputs"]]
    try:
        return SegRunConfig.model_validate(data)
    except Exception as exc:
        raise DataError(f"invalid run configuration {path}: {exc}", hint="compare it with examples/configs/seg_quick.toml") from None


def _stage_cases(source: Path, cases: list[str], folder: Path) -> Path:
    """Return a folder holding links to the chosen case folders of ``source``."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for case in cases:
        if not (source / case).is_dir():
            raise DataError(f"case {case!r} not found in {source}", hint="check train_cases and test_cases")
        (folder / case).symlink_to((source / case).resolve(), target_is_directory=True)
    return folder


def _spec(config: SegRunConfig) -> Any:
    from medrep_seg.dataset import DatasetSpec

    return DatasetSpec(layout=config.data.layout, channels=config.data.channels, labels=config.data.labels, target=config.data.target)


def _write_references(test_source: Path, config: SegRunConfig, dataset_json: dict[str, Any], folder: Path) -> None:
    """Map the held-out cases' labels as the converter maps training labels, in the label files' geometry."""
    import nibabel as nib

    from medrep_seg.dataset import discover, label_mapping

    declared = dataset_json.get("medrep", {}).get("declared_labels", config.data.labels or "binary")
    mapping = label_mapping(declared, config.data.target)
    folder.mkdir(parents=True, exist_ok=True)
    for case in discover(test_source, _spec(config)).cases:
        if case.label is None:
            raise DataError(f"held-out case {case.case_id} has no label", hint="list only labelled cases in test_cases")
        image = nib.load(str(case.label))
        values = np.round(np.asanyarray(image.dataobj)).astype(np.int64)
        nib.save(nib.Nifti1Image(mapping.apply(values), image.affine), folder / f"{case.case_id}.nii.gz")


def run_seg(config: SegRunConfig) -> SegRunResult:
    """Run the whole pipeline and write the report; return where everything is."""
    from medrep_seg.dataset import check_dataset, convert_dataset
    from medrep_seg.nnunet.options import DEFAULT_FOLDS
    from medrep_seg.nnunet.paths import ensure_environment
    from medrep_seg.nnunet.planning import plan_dataset
    from medrep_seg.nnunet.preprocessing import preprocess_dataset
    from medrep_seg.nnunet.training import train, validate_options

    output = Path(_expand(config.output))
    output.mkdir(parents=True, exist_ok=True)
    source = Path(_expand(config.data.source))
    staging = ensure_environment().raw.parent / "run-staging" / config.data.dataset
    all_cases = sorted(path.name for path in source.iterdir() if path.is_dir() and not path.name.startswith("."))
    train_cases = config.data.train_cases or [case for case in all_cases if case not in config.data.test_cases]
    train_options = dict(config.train)
    folds, resume = train_options.pop("fold", None), bool(train_options.pop("resume", False))
    options = validate_options(train_options)
    numeric_folds = folds is None or any(str(fold) != "all" for fold in (folds if isinstance(folds, list) else [folds]))
    k = options.folds or DEFAULT_FOLDS
    seconds: dict[str, float] = {}

    def timed(stage: str, function: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        value = function(*args, **kwargs)
        seconds[stage] = time.perf_counter() - started
        logger.info("stage %s done in %.1f s", stage, seconds[stage])
        return value

    train_source = _stage_cases(source, train_cases, staging / "train")
    timed("check", lambda: check_dataset(train_source, _spec(config)).raise_if_failed())
    converted = timed("convert", convert_dataset, train_source, config.data.dataset, _spec(config), overwrite=True)
    name = converted.path.name
    timed(
        "plan", plan_dataset, name, memory_budget_gb=config.plan.memory_budget_gb,
        folds=k if numeric_folds else 0, preprocessors=config.plan.preprocessors,
        target_spacing=config.plan.target_spacing, planner=config.plan.planner, num_processes=config.plan.processes,
    )
    timed("preprocess", preprocess_dataset, name, configurations=[config.plan.configuration], num_processes=config.plan.processes)
    trained = timed("train", train, name, configuration=config.plan.configuration, folds=folds, options=options, resume=resume)
    result = SegRunResult(output=output, model_folder=trained.model_folder, stage_seconds=seconds)

    content = _predict_and_evaluate(config, result, source, staging, trained)
    content.folds = [
        {"fold": fold.fold, "epochs": fold.epochs, "final_pseudo_dice": fold.final_pseudo_dice, "validation_dice": fold.validation_dice}
        for fold in trained.folds
    ]
    content.curves = _copy_curves(trained, output)
    content.settings = {
        "dataset": name, "training cases": ", ".join(train_cases), "test cases": ", ".join(config.data.test_cases) or "-",
        "configuration": config.plan.configuration, "memory budget (GB)": config.plan.memory_budget_gb,
        "target spacing": config.plan.target_spacing or "nnU-Net's", "folds": folds if folds is not None else f"all {k}",
        "epochs x iterations": f"{options.epochs} x {options.iterations_per_epoch}",
        "network": options.network.name, "loss": options.loss.name,
        "augmentations": ", ".join(spec.name for spec in options.augmentations), "model": str(trained.model_folder),
    }
    from medrep_seg.report import write_report

    result.reports = write_report(content, output, list(config.report.formats))
    write_run_record(output, step="seg run", config=config.model_dump(mode="json"), seed=options.seed, extra={"stage_seconds": seconds})
    return result


def _copy_curves(trained: Any, output: Path) -> dict[str, str]:
    curves = {}
    (output / "figures").mkdir(parents=True, exist_ok=True)
    for fold in trained.folds:
        source = fold.folder / "progress.png"
        if source.is_file():
            target = output / "figures" / f"training_fold_{fold.fold}.png"
            shutil.copyfile(source, target)
            curves[str(fold.fold)] = str(target.relative_to(output))
    return curves


def _predict_and_evaluate(config: SegRunConfig, result: SegRunResult, source: Path, staging: Path, trained: Any) -> Any:
    import json

    from medrep_seg.evaluation import evaluate_folder
    from medrep_seg.figures import save_montage
    from medrep_seg.nnunet.postprocessing import load_decision
    from medrep_seg.nnunet.predictor import find_cases, predict
    from medrep_seg.report import ReportContent

    output, seconds = result.output, result.stage_seconds
    content = ReportContent(title=f"Segmentation run: {config.data.dataset}", settings={}, stage_seconds=seconds)
    content.postprocessing = load_decision(result.model_folder)
    if config.predict.keep_largest:
        content.postprocessing = {"steps": [{"labels_or_regions": "every foreground label"}], "reason": "set in the run configuration"}
    predict_options = {
        "mirroring": config.predict.mirroring,
        "tile_step_size": config.predict.tile_step_size,
        "keep_largest": config.predict.keep_largest,
    }
    dataset_json = json.loads((result.model_folder / "dataset.json").read_text(encoding="utf-8"))
    channels = [dataset_json["channel_names"][key] for key in sorted(dataset_json["channel_names"], key=int)]
    figures = output / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    slices = config.report.montage_slices
    # Regions (values that name lists of labels) keep numbered legend entries.
    names = {value: name for name, value in dataset_json["labels"].items() if isinstance(value, int) and value > 0}

    if config.data.test_cases:
        test_source = _stage_cases(source, config.data.test_cases, staging / "test")
        started = time.perf_counter()
        predicted = predict(result.model_folder, test_source, output / "predictions" / "test", **predict_options)
        seconds["predict (test)"] = time.perf_counter() - started
        content.prediction_seconds.update(predicted.seconds_per_case)
        references = output / "references"
        _write_references(test_source, config, dataset_json, references)
        started = time.perf_counter()
        result.evaluation = evaluate_folder(
            output / "predictions" / "test", references, output / "evaluation",
            dataset_json=result.model_folder / "dataset.json", regions=config.evaluate.regions,
            worst_case_hd95=config.evaluate.worst_case_hd95,
        )
        seconds["evaluate"] = time.perf_counter() - started
        content.evaluation = result.evaluation
        for case in find_cases(test_source, channels):
            pair = {}
            for role, label in (("reference", references), ("prediction", output / "predictions" / "test")):
                path = figures / f"{case.case_id}_{role}.png"
                save_montage(case.images[0], path, label=label / f"{case.case_id}.nii.gz", label_names=names, slices=slices,
                             title=f"{case.case_id}: {role}")
                pair[role] = str(path.relative_to(output))
            content.montages[case.case_id] = pair

    for extra in config.predict.extra_inputs:
        folder = Path(_expand(extra))
        target = output / "predictions" / folder.name
        started = time.perf_counter()
        predicted = predict(result.model_folder, folder, target, **predict_options)
        seconds[f"predict ({folder.name})"] = time.perf_counter() - started
        content.prediction_seconds.update(predicted.seconds_per_case)
        for case in find_cases(folder, channels):
            path = figures / f"{case.case_id}_prediction.png"
            save_montage(case.images[0], path, label=target / f"{case.case_id}.nii.gz", label_names=names, slices=slices,
                         title=f"{case.case_id}: prediction")
            content.unlabelled[case.case_id] = str(path.relative_to(output))
    return content
