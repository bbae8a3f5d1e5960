"""Training API: k-fold cross-validation, a single fold or ``all``, resume, multi-GPU.

:func:`train` builds :class:`~medrep_seg.nnunet.trainer.MedrepTrainer` in this process for
each requested fold, restores the latest checkpoint when resuming, trains, runs nnU-Net's
final validation when configured, and records the run in ``run.json``.

Multi-GPU training goes through nnU-Net's DDP path. With ``gpus > 1`` each fold starts one
process per GPU (``torch.multiprocessing.spawn``), and each process joins an NCCL process
group and builds the same trainer. nnU-Net's trainer code then splits the batch across the
processes, wraps the network in ``DistributedDataParallel`` and gathers losses and Dice
counts, as ``nnUNetv2_train -num_gpus N`` does.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medrep.errors import DataError
from medrep.io import write_run_record
from medrep_seg._text import count
from medrep_seg.nnunet.options import OPTIONS_KEY, TRAINER_NAME, TrainerOptions, planned_folds
from medrep_seg.nnunet.paths import nnunet_folders, resolve_dataset

__all__ = ["FoldResult", "TrainingResult", "build_trainer", "model_folder", "parse_folds", "train", "validate_options"]

logger = logging.getLogger(__name__)

#: The plans `medrep seg plan` writes (``medrep_seg.nnunet.planning.PLANS_NAME``).
DEFAULT_PLANS = "medrepPlans"


@dataclass
class FoldResult:
    """Outputs of one fold's training."""

    fold: int | str
    folder: Path
    epochs: int
    final_pseudo_dice: float | None
    validation_dice: float | None


@dataclass
class TrainingResult:
    """The trained model folder and the result of each fold."""

    model_folder: Path
    folds: list[FoldResult] = field(default_factory=list)


def model_folder(dataset: str, configuration: str, plans_identifier: str = DEFAULT_PLANS) -> Path:
    """Return nnU-Net's results folder of a medrep-trained model."""
    return nnunet_folders().results / dataset / f"{TRAINER_NAME}__{plans_identifier}__{configuration}"


def parse_folds(folds: str | int | list[int | str] | None, k: int) -> list[int | str]:
    """Turn a fold request (``None``: all k folds; an int; ``"all"``; ``"0,2"``; a list) into a list."""
    if folds is None:
        return list(range(k))
    if isinstance(folds, str):
        folds = [part.strip() for part in folds.split(",") if part.strip()]
    elif not isinstance(folds, list):
        folds = [folds]
    parsed: list[int | str] = []
    for fold in folds:
        if fold == "all":
            parsed.append("all")
            continue
        try:
            value = int(fold)
        except (TypeError, ValueError):
            raise DataError(f"invalid fold {fold!r}", hint=f"use fold numbers 0 to {k - 1}, or 'all'") from None
        if not 0 <= value < k:
            raise DataError(
                f"fold {value} does not exist with {k}-fold cross-validation",
                hint=f"use fold numbers 0 to {k - 1}, or 'all'",
            )
        parsed.append(value)
    return parsed


def validate_options(values: dict[str, Any]) -> TrainerOptions:
    """Return validated trainer options, or raise PluginConfigError naming each invalid field."""
    from pydantic import ValidationError

    from medrep.config import format_validation_error
    from medrep.errors import PluginConfigError

    try:
        return TrainerOptions.model_validate(values, strict=False)
    except ValidationError as exc:
        raise PluginConfigError(
            format_validation_error(exc, TrainerOptions, owner="trainer options"),
            hint="see `medrep seg train --help` and the Training section of docs/segmentation.md",
        ) from None


def _check_plugins(options: TrainerOptions) -> None:
    """Build the network, loss and augmentation plugins once, so invalid options fail before training."""
    import medrep
    from medrep_seg.augmentations.pipeline import AugmentationPipeline

    medrep.get("network", options.network.name, **options.network.options)
    medrep.get("loss", options.loss.name, **options.loss.options)
    AugmentationPipeline(list(options.augmentations))


def _preprocessed_folder(dataset: str) -> Path:
    folder = nnunet_folders().preprocessed / dataset
    if not folder.is_dir():
        raise DataError(
            f"dataset {dataset} has not been preprocessed: {folder} not found",
            hint="run `medrep seg plan` and `medrep seg preprocess` first",
        )
    return folder


def _count_training_cases(dataset: str, plans: dict[str, Any], configuration: str) -> int:
    from nnunetv2.training.dataloading.nnunet_dataset import infer_dataset_class

    data_identifier = plans["configurations"][configuration].get("data_identifier", f"{plans['plans_name']}_{configuration}")
    folder = _preprocessed_folder(dataset) / data_identifier
    if not folder.is_dir():
        raise DataError(
            f"configuration {configuration} of {dataset} has not been preprocessed: {folder} not found",
            hint=f"run `medrep seg preprocess` for configuration {configuration}",
        )
    return len(infer_dataset_class(str(folder)).get_identifiers(str(folder)))


def build_trainer(
    dataset: str,
    configuration: str,
    fold: int | str,
    options: TrainerOptions,
    *,
    plans_identifier: str = DEFAULT_PLANS,
    resume: bool = False,
) -> Any:
    """Construct a :class:`MedrepTrainer` for one fold, passing what this nnunetv2 version's constructor takes."""
    import torch

    from medrep_seg.nnunet.trainer import MedrepTrainer

    folder = _preprocessed_folder(dataset)
    plans_file = folder / f"{plans_identifier}.json"
    if not plans_file.is_file():
        raise DataError(f"plans {plans_file} not found", hint="run `medrep seg plan` first, or pick the plans identifier it printed")
    plans = json.loads(plans_file.read_text(encoding="utf-8"))
    if configuration not in plans["configurations"]:
        raise DataError(
            f"configuration {configuration!r} is not in {plans_file.name}",
            hint=f"choose one of {', '.join(plans['configurations'])}",
        )
    plans[OPTIONS_KEY] = options.model_dump(mode="json")
    if options.batch_size is not None:
        plans["configurations"][configuration]["batch_size"] = options.batch_size
    dataset_json = json.loads((folder / "dataset.json").read_text(encoding="utf-8"))

    # nnunetv2 2.8 pops "continue_training" from the plans in its constructor; 2.5 takes
    # "unpack_dataset" as an argument instead. Offer each only where it is expected.
    parameters = inspect.signature(MedrepTrainer.__init__).parameters
    plans["continue_training"] = resume
    kwargs: dict[str, Any] = {
        "plans": plans,
        "configuration": configuration,
        "fold": fold,
        "dataset_json": dataset_json,
        "device": torch.device(options.resolved_device()),
    }
    if "unpack_dataset" in parameters:
        kwargs["unpack_dataset"] = True
    trainer = MedrepTrainer(**kwargs)
    trainer.plans_manager.plans.pop("continue_training", None)
    return trainer


def _latest_checkpoint(folder: Path) -> Path | None:
    for name in ("checkpoint_latest.pth", "checkpoint_final.pth"):
        if (folder / name).is_file():
            return folder / name
    return None


def _train_fold(
    dataset: str, configuration: str, fold: int | str, options: TrainerOptions, plans_identifier: str, resume: bool
) -> FoldResult:
    trainer = build_trainer(dataset, configuration, fold, options, plans_identifier=plans_identifier, resume=resume)
    folder = Path(trainer.output_folder)
    checkpoint = _latest_checkpoint(folder) if resume else None
    if checkpoint is not None:
        trainer.load_checkpoint(str(checkpoint))
        logger.info("fold %s: resuming from %s at epoch %d", fold, checkpoint, trainer.current_epoch)
    elif resume:
        logger.info("fold %s: no checkpoint in %s, training from the start", fold, folder)

    if trainer.current_epoch < trainer.num_epochs:
        trainer.run_training()
    else:
        logger.info("fold %s: already trained for %s", fold, count(trainer.num_epochs, "epoch"))
    if options.final_validation and fold != "all":
        trainer.perform_actual_validation(False)

    return _fold_result(fold, folder, trainer.current_epoch)


def _fold_result(fold: int | str, folder: Path, epochs: int) -> FoldResult:
    pseudo_dice = None
    log = folder / "epoch_log.csv"
    if log.is_file():
        rows = log.read_text(encoding="utf-8").strip().splitlines()
        if len(rows) > 1:
            pseudo_dice = float(rows[-1].split(",")[3])
    validation_dice = None
    summary = folder / "validation" / "summary.json"
    if summary.is_file():
        validation_dice = json.loads(summary.read_text(encoding="utf-8"))["foreground_mean"]["Dice"]
    return FoldResult(fold=fold, folder=folder, epochs=epochs, final_pseudo_dice=pseudo_dice, validation_dice=validation_dice)


def train(
    dataset: str | int,
    *,
    configuration: str = "3d_fullres",
    folds: str | int | list[int | str] | None = None,
    options: TrainerOptions | dict[str, Any] | None = None,
    plans_identifier: str = DEFAULT_PLANS,
    resume: bool = False,
    gpus: int = 1,
    postprocessing: bool = True,
) -> TrainingResult:
    """Train the medrep trainer on a preprocessed dataset.

    ``folds`` is ``None`` (every fold of ``options.folds``-fold cross-validation), one fold
    number, ``"all"`` (every case, no validation split) or a list or comma-separated string
    of those. Without ``options.folds``, k is the number of folds in the split that
    ``medrep seg plan`` wrote (``splits_final.json``), else 5. ``resume`` continues each fold from its latest checkpoint. ``gpus > 1`` trains
    each fold with nnU-Net's DDP on that many CUDA devices. With ``postprocessing``, the
    keep-largest-component decision is made on the validation predictions of every fold
    with a final validation (none for fold ``all``) and stored in the model folder.
    """
    if not isinstance(options, TrainerOptions):
        options = validate_options(options or {})
    _check_plugins(options)
    name = resolve_dataset(dataset)
    if options.folds is None:
        options = options.model_copy(update={"folds": planned_folds(_preprocessed_folder(name))})
    fold_list = parse_folds(folds, options.folds)
    plans = json.loads((_preprocessed_folder(name) / f"{plans_identifier}.json").read_text(encoding="utf-8"))
    if configuration not in plans.get("configurations", {}):
        raise DataError(
            f"configuration {configuration!r} is not in the plans of {name}",
            hint=f"choose one of {', '.join(plans.get('configurations', {}))}",
        )
    cases = _count_training_cases(name, plans, configuration)
    if any(fold != "all" for fold in fold_list) and options.folds > cases:
        raise DataError(
            f"{options.folds}-fold cross-validation needs at least {options.folds} training cases, {name} has {cases}",
            hint=f"set folds (-k/--folds) to {cases} or fewer, or train fold 'all'" if cases >= 2 else "train fold 'all'",
        )

    result = TrainingResult(model_folder=model_folder(name, configuration, plans_identifier))
    for fold in fold_list:
        logger.info("training %s %s fold %s for %s", name, configuration, fold, count(options.epochs, "epoch"))
        if gpus > 1:
            result.folds.append(_train_fold_ddp(name, configuration, fold, options, plans_identifier, resume, gpus))
        else:
            result.folds.append(_train_fold(name, configuration, fold, options, plans_identifier, resume))

    if postprocessing:
        from medrep_seg.nnunet.postprocessing import determine_postprocessing

        determine_postprocessing(result.model_folder)

    write_run_record(
        result.model_folder,
        step="train",
        config={"dataset": name, "configuration": configuration, "plans": plans_identifier, "folds": fold_list,
                "options": options.model_dump(mode="json")},
        seed=options.seed,
        extra={"folds_trained": [{"fold": f.fold, "epochs": f.epochs, "validation_dice": f.validation_dice}
                                 for f in result.folds]},
    )
    return result


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ddp_worker(rank: int, world_size: int, arguments: tuple) -> None:
    import torch
    import torch.distributed as dist

    dataset, configuration, fold, options_json, plans_identifier, resume = arguments
    dist.init_process_group("nccl", rank=rank, world_size=world_size)
    try:
        torch.cuda.set_device(torch.device("cuda", rank))
        options = TrainerOptions.model_validate(options_json, strict=False)
        _train_fold(dataset, configuration, fold, options, plans_identifier, resume)
    finally:
        dist.destroy_process_group()


def _train_fold_ddp(
    dataset: str, configuration: str, fold: int | str, options: TrainerOptions, plans_identifier: str,
    resume: bool, gpus: int,
) -> FoldResult:
    import torch
    import torch.multiprocessing as mp

    # NOTE: this path follows nnU-Net's run_ddp but has not been run on more than one GPU here.
    if options.resolved_device() != "cuda" or torch.cuda.device_count() < gpus:
        raise DataError(
            f"{gpus}-GPU training needs {gpus} CUDA devices, {torch.cuda.device_count()} are visible",
            hint="set gpus to the number of visible CUDA devices, or 1",
        )
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", str(_free_port()))
    arguments = (dataset, configuration, fold, options.model_dump(mode="json"), plans_identifier, resume)
    mp.spawn(_ddp_worker, args=(gpus, arguments), nprocs=gpus, join=True)
    folder = model_folder(dataset, configuration, plans_identifier) / f"fold_{fold}"
    return _fold_result(fold, folder, options.epochs)
