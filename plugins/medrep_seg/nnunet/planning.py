"""Dataset fingerprint and nnU-Net plans, in-process through nnunetv2's Python API.

:func:`plan_dataset` checks the cross-validation request and extracts the fingerprint
(spacings, shapes after cropping, foreground intensity statistics). It then runs
nnU-Net's experiment planner with a memory budget, where small budgets give the small
patches a CPU run needs. Finally it stores medrep's preprocessor chain in every
configuration of the plans and writes the cross-validation split.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from medrep import progress
from medrep.errors import DataError
from medrep.io import write_json, write_run_record
from medrep.kinds import ImageCase, Preprocessor
from medrep_seg.nnunet.paths import default_processes, ensure_environment, nnunet_folders, resolve_dataset
from medrep_seg.nnunet.preprocessing import (
    CHAIN_KEY,
    ChainStep,
    RUNS_FOLDER,
    MedrepPreprocessor,
    build_chain,
    mask_file_for,
    nnunet_output_to_log,
    parse_chain,
)

ensure_environment()  # nnunetv2 reads its environment variables when first imported

from batchgenerators.utilities.file_and_folder_operations import load_json  # noqa: E402
from nnunetv2.experiment_planning.dataset_fingerprint.fingerprint_extractor import DatasetFingerprintExtractor  # noqa: E402
from nnunetv2.experiment_planning.experiment_planners.default_experiment_planner import ExperimentPlanner  # noqa: E402
from nnunetv2.experiment_planning.experiment_planners.residual_unets.residual_encoder_unet_planners import (  # noqa: E402
    ResEncUNetPlanner,
)
from nnunetv2.imageio.reader_writer_registry import determine_reader_writer_from_dataset_json  # noqa: E402
from nnunetv2.utilities.crossval_split import generate_crossval_split  # noqa: E402
from nnunetv2.utilities.utils import get_filenames_of_train_images_and_targets  # noqa: E402

__all__ = [
    "PLANS_NAME",
    "PLANNERS",
    "extract_fingerprint",
    "format_plan_table",
    "load_plans",
    "plan_dataset",
    "plans_path",
]

logger = logging.getLogger(__name__)

#: Name of the plans medrep writes (nnU-Net's own default is ``nnUNetPlans``).
PLANS_NAME = "medrepPlans"
#: nnU-Net experiment planners by medrep name: plain U-Net or residual-encoder U-Net.
PLANNERS: dict[str, type[ExperimentPlanner]] = {"plain": ExperimentPlanner, "resenc": ResEncUNetPlanner}
SEED = 12345  # nnU-Net's seed for its cross-validation split


def plans_path(dataset: str | int, plans_name: str = PLANS_NAME) -> Path:
    """Return the path of a dataset's plans file in ``nnUNet_preprocessed``."""
    return nnunet_folders().preprocessed / resolve_dataset(dataset) / f"{plans_name}.json"


def load_plans(dataset: str | int, plans_name: str = PLANS_NAME) -> dict[str, Any]:
    """Return a dataset's plans as a dictionary; raises DataError when it was never planned."""
    path = plans_path(dataset, plans_name)
    if not path.is_file():
        raise DataError(f"no plans {plans_name!r} at {path}", hint=f"run `medrep seg plan {dataset}` first")
    return load_json(str(path))


def plan_dataset(
    dataset: str | int,
    *,
    memory_budget_gb: float = 8.0,
    folds: int = 5,
    preprocessors: Sequence[ChainStep | dict[str, Any] | str] | None = None,
    target_spacing: Sequence[float] | None = None,
    planner: Literal["plain", "resenc"] = "plain",
    plans_name: str = PLANS_NAME,
    num_processes: int | None = None,
    intensity_samples: int = 1_000_000,
) -> dict[str, Any]:
    """Fingerprint and plan a converted dataset; return the plans dictionary.

    - ``memory_budget_gb``: the accelerator (or CPU) memory nnU-Net sizes patches and batches
      for (its ``gpu_memory_target_in_gb``, 8 by default). About 0.5 to 1 gives 3-D patches of
      roughly 48 to 64 voxels per side, small enough to train on a CPU.
    - ``folds``: number of cross-validation folds written to ``splits_final.json``; 0 writes no
      split (train on every case). A request for more folds than cases raises DataError.
    - ``preprocessors``: the chain, as registered names or ``{"name", "options"}``; default
      crop, zscore, resample. Its cropping steps also run in the fingerprint.
    - ``target_spacing``: overrides the planned 3-D spacing (mm, in the files' axis order).
    - ``intensity_samples``: foreground voxels sampled over the dataset for the intensity
      statistics (nnU-Net samples 10^8; fewer are faster and change the percentiles little).
    """
    ensure_environment()
    name = resolve_dataset(dataset)
    folders = nnunet_folders()
    dataset_json = load_json(str(folders.raw / name / "dataset.json"))
    _check_folds(name, folds, int(dataset_json["numTraining"]))
    if memory_budget_gb <= 0:
        raise DataError(f"memory budget must be positive, got {memory_budget_gb} GB", hint="pass a budget such as 0.5 or 8")
    if planner not in PLANNERS:
        raise DataError(f"unknown planner {planner!r}", hint=f"use one of: {', '.join(PLANNERS)}")
    steps = parse_chain(preprocessors)
    chain = build_chain(steps)

    extract_fingerprint(name, chain=chain, num_processes=num_processes, intensity_samples=intensity_samples)

    spacing = [float(value) for value in target_spacing] if target_spacing is not None else None
    with nnunet_output_to_log(logger):
        experiment_planner = PLANNERS[planner](
            name,
            gpu_memory_target_in_gb=memory_budget_gb,
            preprocessor_name=MedrepPreprocessor.__name__,
            plans_name=plans_name,
            overwrite_target_spacing=spacing,
        )
        plans = experiment_planner.plan_experiment()

    for configuration in plans["configurations"].values():
        if "inherits_from" not in configuration:
            configuration[CHAIN_KEY] = [step.model_dump() for step in steps]
    output = folders.preprocessed / name
    write_json(output / f"{plans_name}.json", plans)
    if folds >= 2:
        identifiers = sorted(get_filenames_of_train_images_and_targets(str(folders.raw / name), dataset_json))
        write_json(output / "splits_final.json", generate_crossval_split(identifiers, seed=SEED, n_splits=folds))
    write_run_record(
        output / RUNS_FOLDER / "plan",
        step="seg plan",
        config={
            "dataset": name,
            "plans": plans_name,
            "memory_budget_gb": memory_budget_gb,
            "folds": folds,
            "planner": planner,
            "target_spacing": spacing,
            "preprocessors": [step.model_dump() for step in steps],
            "intensity_samples": intensity_samples,
        },
    )
    logger.info("planned %s: %s", name, ", ".join(plans["configurations"]))
    return load_json(str(output / f"{plans_name}.json"))


def _check_folds(name: str, folds: int, cases: int) -> None:
    if folds == 1 or folds < 0:
        raise DataError(
            f"invalid number of cross-validation folds: {folds}",
            hint="set folds to 2 or more, or to 0 to train on every case without cross-validation",
        )
    if folds > cases:
        raise DataError(
            f"{folds}-fold cross-validation needs at least {folds} training cases, and {name} has {cases}",
            hint=(f"add cases, set folds to {cases} or fewer" if cases >= 2 else "add cases")
            + ", or set folds to 0 to train on every case without cross-validation",
        )


def extract_fingerprint(
    dataset: str | int,
    *,
    chain: list[Preprocessor] | None = None,
    num_processes: int | None = None,
    intensity_samples: int = 1_000_000,
) -> dict[str, Any]:
    """Compute nnU-Net's dataset fingerprint, cropping with the chain's cropping steps.

    nnU-Net's own extractor crops to nonzero voxels, which leaves images with a nonzero
    background (z-scored data) uncropped. This one runs the steps marked ``crops`` (the
    ``crop`` plugin by default), so the plan is sized for the shapes preprocessing makes.
    The result has nnU-Net's format and is written to ``dataset_fingerprint.json``.
    """
    ensure_environment()
    name = resolve_dataset(dataset)
    folders = nnunet_folders()
    dataset_json = load_json(str(folders.raw / name / "dataset.json"))
    cases = get_filenames_of_train_images_and_targets(str(folders.raw / name), dataset_json)
    if not cases:
        raise DataError(f"{name} has no training cases", hint="convert the dataset again with `medrep seg convert`")
    crop_steps = [step for step in (chain if chain is not None else build_chain(None)) if step.crops]
    with nnunet_output_to_log(logger):
        reader = determine_reader_writer_from_dataset_json(dataset_json, next(iter(cases.values()))["images"][0])
    samples = max(1, intensity_samples // len(cases))
    jobs = [
        (files["images"], files["label"], mask_file_for(files["images"], dataset_json["file_ending"]), reader, crop_steps, samples)
        for files in cases.values()
    ]

    results = _run_jobs(jobs, num_processes or default_processes())
    fingerprint = _aggregate(results, len(dataset_json["channel_names"]), name)
    write_json(folders.preprocessed / name / "dataset_fingerprint.json", fingerprint)
    return fingerprint


def _run_jobs(jobs: list[tuple], processes: int) -> list[tuple]:
    if processes <= 1 or len(jobs) == 1:
        return [_analyze_case(*job) for job in progress.track(jobs, total=len(jobs), desc="Fingerprint", unit="case")]
    with multiprocessing.get_context("spawn").Pool(min(processes, len(jobs))) as pool:
        return list(progress.track(pool.imap(_analyze_job, jobs), total=len(jobs), desc="Fingerprint", unit="case"))


def _analyze_job(job: tuple) -> tuple:
    return _analyze_case(*job)


def _analyze_case(
    image_files: list[str],
    label_file: str,
    mask_file: str | None,
    reader_class: type,
    crop_steps: list[Preprocessor],
    samples: int,
) -> tuple:
    """Return shape after cropping, spacing, sampled foreground intensities and relative size of one case."""
    reader = reader_class()
    images, properties = reader.read_images(image_files)
    seg = reader.read_seg(label_file)[0]
    mask = reader.read_seg(mask_file)[0][0] > 0.5 if mask_file is not None else None
    case = ImageCase(image=images, spacing=tuple(properties["spacing"]), seg=seg, mask=mask, case_id=Path(label_file).name)
    for step in crop_steps:
        case = step(case)

    intensities, _ = DatasetFingerprintExtractor.collect_foreground_intensities(
        np.asarray(case.seg), np.asarray(case.image), num_samples=samples
    )
    shape_after = tuple(int(size) for size in np.asarray(case.image).shape[1:])
    relative_size = float(np.prod(shape_after) / np.prod(images.shape[1:]))
    return shape_after, list(properties["spacing"]), intensities, relative_size


def _aggregate(results: list[tuple], channels: int, name: str) -> dict[str, Any]:
    """Combine per-case results into nnU-Net's fingerprint dictionary."""
    statistics = {}
    for channel in range(channels):
        values = np.concatenate([np.asarray(result[2][channel], dtype=np.float64) for result in results])
        if values.size == 0:
            raise DataError(
                f"{name}: no case has labelled foreground voxels, so intensity statistics cannot be computed",
                hint="check that the label files are not empty",
            )
        low, median, high = np.percentile(values, (0.5, 50.0, 99.5))
        statistics[str(channel)] = {
            "mean": float(values.mean()),
            "median": float(median),
            "std": float(values.std()),
            "min": float(values.min()),
            "max": float(values.max()),
            "percentile_99_5": float(high),
            "percentile_00_5": float(low),
        }
    return {
        "spacings": [result[1] for result in results],
        "shapes_after_crop": [list(result[0]) for result in results],
        "foreground_intensity_properties_per_channel": statistics,
        "median_relative_size_after_cropping": float(np.median([result[3] for result in results])),
    }


def format_plan_table(plans: dict[str, Any]) -> str:
    """Return the plans as a text table: one column per configuration, one row per setting."""
    names = [name for name, configuration in plans["configurations"].items() if "inherits_from" not in configuration]
    configurations = [plans["configurations"][name] for name in names]

    def joined(values: Sequence[Any], digits: int | None = None) -> str:
        return " x ".join(f"{value:.{digits}f}" if digits is not None else str(value) for value in values)

    def row(label: str, render: Any) -> list[str]:
        return [label, *[render(configuration) for configuration in configurations]]

    rows = [
        ["setting", *names],
        row("spacing (mm)", lambda c: joined(c["spacing"], 3)),
        row("median shape (voxels)", lambda c: joined([int(round(v)) for v in c["median_image_size_in_voxels"]])),
        row("patch size (voxels)", lambda c: joined(c["patch_size"])),
        row("batch size", lambda c: str(c["batch_size"])),
        row("stages", lambda c: str(c["architecture"]["arch_kwargs"]["n_stages"])),
        row("features per stage", lambda c: ",".join(str(v) for v in c["architecture"]["arch_kwargs"]["features_per_stage"])),
        row("pooling", lambda c: " ".join("".join(str(v) for v in stride) for stride in c["architecture"]["arch_kwargs"]["strides"][1:])),
        row("network", lambda c: c["architecture"]["network_class_name"].rsplit(".", 1)[-1]),
        row("batch dice", lambda c: "yes" if c.get("batch_dice") else "no"),
        row("preprocessors", lambda c: " -> ".join(step["name"] for step in c.get(CHAIN_KEY, [])) or "(nnU-Net's)"),
    ]
    header = [
        f"dataset: {plans['dataset_name']}    plans: {plans['plans_name']}",
        f"median spacing of the data (mm): {joined(plans['original_median_spacing_after_transp'], 3)}"
        f"    median shape after cropping: {joined(plans['original_median_shape_after_transp'])}",
        f"axis order (transpose_forward): {plans['transpose_forward']}",
        "",
    ]
    widths = [max(len(line[column]) for line in rows) for column in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(header + lines)
