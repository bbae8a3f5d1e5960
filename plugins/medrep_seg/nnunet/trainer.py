"""The medrep trainer: nnunetv2's ``nnUNetTrainer`` with its parts taken from the registry.

:class:`MedrepTrainer` keeps nnU-Net's training loop, data loading, checkpoints, DDP support
and validation, and replaces what medrep makes configurable:

- network, loss and augmentation pipeline come from ``medrep.get`` with the names and
  options in :class:`~medrep_seg.nnunet.options.TrainerOptions`, so a third-party plugin
  registered under a built-in name changes what is trained;
- hyperparameters (epochs, iterations, batch size, learning rate, momentum, foreground
  oversampling, cross-validation folds, workers, seed) come from the same options;
- checkpoints also store the random number generator states and are written atomically and
  read back with ``torch.load(weights_only=True)``;
- nnU-Net's console output goes to ``logging`` (its log file is still written) and each
  epoch adds a row to ``epoch_log.csv``.

The options are read from the plans dictionary (key ``medrep_trainer``), so the class
keeps nnU-Net's constructor signature, whatever the nnunetv2 version, and nnU-Net's own
launchers can build it by name: :func:`expose_to_nnunet` makes it findable through
``nnUNet_extTrainer`` (nnunetv2 >= 2.6) without copying files into nnunetv2's package.
"""

from __future__ import annotations

import contextlib
import csv
import inspect
import io
import logging
import os
import random
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

from medrep_seg.nnunet.allocator import keep_freed_memory
from medrep_seg.nnunet.paths import ensure_environment

ensure_environment()

import medrep  # noqa: E402
from medrep import progress  # noqa: E402
from medrep.errors import DataError  # noqa: E402
from medrep.io import atomic_write  # noqa: E402
from medrep_seg.augmentations.pipeline import AugmentationPipeline  # noqa: E402
from medrep_seg.nnunet.options import OPTIONS_KEY, TRAINER_NAME, TrainerOptions, planned_folds  # noqa: E402
from nnunetv2.training.dataloading.data_loader import nnUNetDataLoader  # noqa: E402
from nnunetv2.training.dataloading.nnunet_dataset import infer_dataset_class  # noqa: E402
from nnunetv2.training.data_augmentation.compute_initial_patch_size import get_patch_size  # noqa: E402
from nnunetv2.training.lr_scheduler.polylr import PolyLRScheduler  # noqa: E402
from nnunetv2.training.nnUNetTrainer.nnUNetTrainer import nnUNetTrainer  # noqa: E402
from nnunetv2.utilities.crossval_split import generate_crossval_split  # noqa: E402

__all__ = ["MedrepTrainer", "expose_to_nnunet", "load_checkpoint_file", "trainer_options"]

logger = logging.getLogger(__name__)

#: Columns of ``epoch_log.csv``.
EPOCH_LOG_COLUMNS = ("epoch", "train_loss", "val_loss", "pseudo_dice", "ema_pseudo_dice", "learning_rate", "epoch_seconds")

#: nnU-Net's split seed, so medrep's k-fold splits match ``nnUNetv2_train`` for the same k.
SPLIT_SEED = 12345


class _LogStream(io.TextIOBase):
    """A text stream that forwards complete lines to a logger at DEBUG level."""

    def write(self, text: str) -> int:
        for line in text.splitlines():
            if line.strip():
                logger.debug("nnU-Net: %s", line.rstrip())
        return len(text)


def trainer_options(plans: dict[str, Any]) -> TrainerOptions:
    """Return the medrep options stored in an nnU-Net plans dictionary (defaults when absent)."""
    return TrainerOptions.model_validate(plans.get(OPTIONS_KEY, {}), strict=False)


def _to_builtin(value: Any) -> Any:
    """Convert numpy scalars and arrays inside ``value`` to Python numbers and lists."""
    if isinstance(value, dict):
        return {key: _to_builtin(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        converted = [_to_builtin(item) for item in value]
        return tuple(converted) if isinstance(value, tuple) else converted
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def load_checkpoint_file(path: str | Path, device: torch.device | str = "cpu") -> dict[str, Any]:
    """Load a checkpoint without executing code (``weights_only=True``).

    Checkpoints written by nnU-Net's own trainer contain numpy scalars, which this refuses
    to unpickle; medrep's trainer writes Python numbers instead.
    """
    return torch.load(str(path), map_location=device, weights_only=True)


class MedrepTrainer(nnUNetTrainer):
    """nnU-Net trainer whose network, loss, augmentations and hyperparameters come from medrep."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # nnU-Net prints while it sets up; send that to the log instead of stdout.
        with contextlib.redirect_stdout(_LogStream()):
            super().__init__(*args, **kwargs)
        self.options = trainer_options(self.plans_manager.plans)
        self.num_epochs = self.options.epochs
        self.num_iterations_per_epoch = self.options.iterations_per_epoch
        self.num_val_iterations_per_epoch = self.options.val_iterations_per_epoch
        self.initial_lr = self.options.initial_lr
        self.weight_decay = self.options.weight_decay
        self.oversample_foreground_percent = self.options.oversample_foreground
        self.enable_deep_supervision = self.options.deep_supervision
        self.save_every = self.options.save_every
        self._pipeline: AugmentationPipeline | None = None
        self._pending_rng_state: dict[str, Any] | None = None

    # nnU-Net records its constructor arguments by reading the subclass's signature and
    # looking each name up among the base constructor's locals, so the signature must be
    # the base class's, in every nnunetv2 version.
    __init__.__signature__ = inspect.signature(nnUNetTrainer.__init__)  # type: ignore[attr-defined]

    # -- parts from the registry -------------------------------------------------------

    @property
    def pipeline(self) -> AugmentationPipeline:
        """The augmentation plugins, built on first use."""
        if self._pipeline is None:
            self._pipeline = AugmentationPipeline(list(self.options.augmentations))
        return self._pipeline

    @staticmethod
    def build_network_architecture(
        plans_manager: Any,
        configuration_manager: Any,
        num_input_channels: int,
        num_output_channels: int,
        enable_deep_supervision: bool = True,
    ) -> torch.nn.Module:
        """Build the network plugin named in the options for this plan's topology.

        nnU-Net's predictor calls this static method too, so a model folder rebuilds the
        network it was trained with.
        """
        options = trainer_options(plans_manager.plans)
        plugin = medrep.get("network", options.network.name, **options.network.options)
        architecture = {
            "network_class_name": configuration_manager.network_arch_class_name,
            "arch_kwargs": dict(configuration_manager.network_arch_init_kwargs),
        }
        return plugin.build(architecture, num_input_channels, num_output_channels, enable_deep_supervision)

    def _build_loss(self) -> torch.nn.Module:
        weights = None
        if self.enable_deep_supervision:
            levels = len(self._get_deep_supervision_scales())
            weights = np.array([1 / (2**level) for level in range(levels)])
            # nnU-Net's DDP path needs every output in the graph, so the coarsest gets a tiny weight, not 0.
            weights[-1] = 1e-6 if self.is_ddp and not self._do_i_compile() else 0.0
            weights = (weights / weights.sum()).tolist()
        plugin = medrep.get("loss", self.options.loss.name, **self.options.loss.options)
        return plugin.build(
            deep_supervision_weights=weights,
            is_regions=self.label_manager.has_regions,
            ignore_label=self.label_manager.ignore_label,
            batch_dice=bool(self.configuration_manager.batch_dice),
        )

    def configure_optimizers(self) -> tuple[Any, Any]:
        optimizer = torch.optim.SGD(
            self.network.parameters(),
            self.initial_lr,
            weight_decay=self.weight_decay,
            momentum=self.options.momentum,
            nesterov=self.options.nesterov and self.options.momentum > 0,
        )
        return optimizer, PolyLRScheduler(optimizer, self.initial_lr, self.num_epochs)

    def set_deep_supervision_enabled(self, enabled: bool) -> None:
        module = self._bare_network()
        decoder = getattr(module, "decoder", None)
        if decoder is not None and hasattr(decoder, "deep_supervision"):
            decoder.deep_supervision = enabled

    def _bare_network(self) -> torch.nn.Module:
        module = self.network.module if self.is_ddp else self.network
        return getattr(module, "_orig_mod", module)  # unwrap torch.compile

    # -- augmentation and data loading -------------------------------------------------

    def configure_rotation_dummyDA_mirroring_and_inital_patch_size(self) -> tuple[Any, bool, Any, Any]:
        patch_size = self.configuration_manager.patch_size
        dimension = len(patch_size)

        # nnU-Net's rules: 2-D patches rotate 180 degrees unless elongated (15), 3-D patches
        # 30 degrees, and strongly anisotropic 3-D patches are augmented slice by slice.
        dummy_2d = dimension == 3 and max(patch_size) / patch_size[0] > 3
        if dimension == 2:
            default_degrees = 15.0 if max(patch_size) / min(patch_size) > 1.5 else 180.0
        else:
            default_degrees = 180.0 if dummy_2d else 30.0
        self._default_rotation_degrees = default_degrees

        rotation = self.pipeline.spatial_options(default_degrees).get("rotation", (0.0, 0.0))
        initial_patch_size = get_patch_size(patch_size[-dimension:], rotation, rotation, rotation, (0.85, 1.25))
        if dummy_2d:
            initial_patch_size[0] = patch_size[0]

        mirror_axes = self.pipeline.mirror_axes(dimension)
        self.inference_allowed_mirroring_axes = mirror_axes
        return rotation, dummy_2d, initial_patch_size, mirror_axes

    def get_training_transforms(
        self,
        patch_size: Any,
        rotation_for_DA: Any,
        deep_supervision_scales: Any,
        mirror_axes: Any,
        do_dummy_2d_data_aug: bool,
        use_mask_for_norm: list[bool] | None = None,
        is_cascaded: bool = False,
        foreground_labels: Any = None,
        regions: Any = None,
        ignore_label: int | None = None,
    ) -> Any:
        """Return the medrep augmentation pipeline followed by nnU-Net's target bookkeeping."""
        from batchgeneratorsv2.transforms.utils.compose import ComposeTransforms
        from batchgeneratorsv2.transforms.utils.nnunet_masking import MaskImageTransform

        transforms = self.pipeline.transforms(
            tuple(patch_size),
            dummy_2d=do_dummy_2d_data_aug,
            default_rotation_degrees=getattr(self, "_default_rotation_degrees", 30.0),
        )
        if use_mask_for_norm is not None and any(use_mask_for_norm):
            channels = [index for index, used in enumerate(use_mask_for_norm) if used]
            transforms.append(MaskImageTransform(apply_to_channels=channels, channel_idx_in_seg=0, set_outside_to=0))
        transforms.extend(
            self.get_validation_transforms(
                deep_supervision_scales, is_cascaded, foreground_labels, regions, ignore_label
            ).transforms
        )
        return ComposeTransforms(transforms)

    def get_dataloaders(self) -> tuple[Any, Any]:
        if self.dataset_class is None:
            self.dataset_class = infer_dataset_class(self.preprocessed_dataset_folder)
        patch_size = self.configuration_manager.patch_size
        scales = self._get_deep_supervision_scales()
        rotation, dummy_2d, initial_patch_size, mirror_axes = (
            self.configure_rotation_dummyDA_mirroring_and_inital_patch_size()
        )
        regions = self.label_manager.foreground_regions if self.label_manager.has_regions else None
        train_transforms = self.get_training_transforms(
            patch_size, rotation, scales, mirror_axes, dummy_2d,
            use_mask_for_norm=self.configuration_manager.use_mask_for_norm, is_cascaded=self.is_cascaded,
            foreground_labels=self.label_manager.foreground_labels, regions=regions,
            ignore_label=self.label_manager.ignore_label,
        )
        val_transforms = self.get_validation_transforms(
            scales, is_cascaded=self.is_cascaded, foreground_labels=self.label_manager.foreground_labels,
            regions=regions, ignore_label=self.label_manager.ignore_label,
        )

        dataset_train, dataset_val = self.get_tr_and_val_datasets()
        self._note_cases_without_foreground(dataset_train)
        common = {
            "label_manager": self.label_manager,
            "oversample_foreground_percent": self.oversample_foreground_percent,
            "sampling_probabilities": None,
            "pad_sides": None,
            "probabilistic_oversampling": self.probabilistic_oversampling,
        }
        loader_train = nnUNetDataLoader(
            dataset_train, self.batch_size, initial_patch_size, patch_size, transforms=train_transforms, **common
        )
        loader_val = nnUNetDataLoader(dataset_val, self.batch_size, patch_size, patch_size, transforms=val_transforms, **common)

        workers = self.options.workers
        augmenter_train = self._augmenter(loader_train, workers, seed_offset=0)
        augmenter_val = self._augmenter(loader_val, max(1, workers // 2) if workers else 0, seed_offset=1000)
        next(augmenter_train)
        next(augmenter_val)
        return augmenter_train, augmenter_val

    def _augmenter(self, loader: Any, workers: int, seed_offset: int) -> Any:
        from batchgenerators.dataloading.multi_threaded_augmenter import MultiThreadedAugmenter
        from batchgenerators.dataloading.nondet_multi_threaded_augmenter import NonDetMultiThreadedAugmenter
        from batchgenerators.dataloading.single_threaded_augmenter import SingleThreadedAugmenter

        if workers == 0:
            return SingleThreadedAugmenter(loader, None)
        pin_memory = self.device.type == "cuda"
        if self.options.deterministic:
            # Each worker reseeds numpy from a fixed seed, and batches come back in worker order.
            base = (self.options.seed or 0) + seed_offset + 100 * self.current_epoch
            seeds = [base + worker for worker in range(workers)]
            return MultiThreadedAugmenter(loader, None, workers, max(2, workers), seeds=seeds, pin_memory=pin_memory)
        return NonDetMultiThreadedAugmenter(
            loader, None, num_processes=workers, num_cached=max(6, workers // 2), seeds=None,
            pin_memory=pin_memory, wait_time=0.002,
        )

    def do_split(self) -> tuple[list[str], list[str]]:
        if self.fold == "all":
            return super().do_split()
        if self.dataset_class is None:
            self.dataset_class = infer_dataset_class(self.preprocessed_dataset_folder)
        identifiers = sorted(self.dataset_class.get_identifiers(self.preprocessed_dataset_folder))
        folder = Path(self.preprocessed_dataset_folder_base)
        splits = make_splits(identifiers, self.options.folds or planned_folds(folder), folder)
        if not 0 <= int(self.fold) < len(splits):
            raise DataError(
                f"fold {self.fold} does not exist with {len(splits)}-fold cross-validation",
                hint=f"choose a fold from 0 to {len(splits) - 1}, or 'all'",
            )
        split = splits[int(self.fold)]
        return list(split["train"]), list(split["val"])

    def _note_cases_without_foreground(self, dataset: Any) -> None:
        for identifier in dataset.identifiers:
            properties = dataset.load_case(identifier)[3]
            locations = properties.get("class_locations") or {}
            if not any(len(voxels) for voxels in locations.values()):
                logger.info(
                    "training case %s has no foreground voxels: its patches are sampled at random positions",
                    identifier,
                )

    # -- the training loop -------------------------------------------------------------

    def on_train_start(self) -> None:
        self._seed()
        with contextlib.redirect_stdout(_LogStream()):
            super().on_train_start()

    def _seed(self) -> None:
        if self.device.type == "cpu" and self.options.keep_freed_memory:
            keep_freed_memory()
        if self.options.threads is not None:
            torch.set_num_threads(self.options.threads)
        if self.options.seed is not None:
            random.seed(self.options.seed)
            np.random.seed(self.options.seed)
            torch.manual_seed(self.options.seed)
        if self.options.deterministic:
            torch.use_deterministic_algorithms(True, warn_only=True)
            torch.backends.cudnn.deterministic = True
            torch.backends.cudnn.benchmark = False

    def run_training(self) -> None:
        """Train from the current epoch to ``epochs``, with a progress bar over iterations."""
        self.on_train_start()
        if self._pending_rng_state is not None:
            # Restored after the data loaders started, so a resumed run draws what an uninterrupted one would.
            _set_rng_state(self._pending_rng_state)
            self._pending_rng_state = None

        remaining = (self.num_epochs - self.current_epoch) * self.num_iterations_per_epoch
        bar = progress.bar(total=remaining, desc=f"fold {self.fold}", unit="it")
        try:
            for _ in range(self.current_epoch, self.num_epochs):
                self.on_epoch_start()
                self.on_train_epoch_start()
                outputs = []
                for _ in range(self.num_iterations_per_epoch):
                    outputs.append(self.train_step(next(self.dataloader_train)))
                    bar.update(1)
                self.on_train_epoch_end(outputs)

                with torch.no_grad():
                    self.on_validation_epoch_start()
                    val_outputs = [
                        self.validation_step(next(self.dataloader_val)) for _ in range(self.num_val_iterations_per_epoch)
                    ]
                    self.on_validation_epoch_end(val_outputs)
                self.on_epoch_end()
        finally:
            bar.close()
        self.on_train_end()

    def on_epoch_end(self) -> None:
        epoch = self.current_epoch
        super().on_epoch_end()
        if self.local_rank != 0:
            return
        row = {
            "epoch": epoch,
            "train_loss": float(self.logger.get_value("train_losses", step=-1)),
            "val_loss": float(self.logger.get_value("val_losses", step=-1)),
            "pseudo_dice": float(self.logger.get_value("mean_fg_dice", step=-1)),
            "ema_pseudo_dice": float(self.logger.get_value("ema_fg_dice", step=-1)),
            "learning_rate": float(self.logger.get_value("lrs", step=-1)),
            "epoch_seconds": float(
                self.logger.get_value("epoch_end_timestamps", step=-1)
                - self.logger.get_value("epoch_start_timestamps", step=-1)
            ),
        }
        self._append_epoch_log(row)
        logger.info(
            "fold %s epoch %d/%d: train loss %.4f, validation loss %.4f, pseudo-Dice %.4f, %.1f s",
            self.fold, epoch + 1, self.num_epochs, row["train_loss"], row["val_loss"], row["pseudo_dice"],
            row["epoch_seconds"],
        )

    def _append_epoch_log(self, row: dict[str, float]) -> None:
        path = Path(self.output_folder) / "epoch_log.csv"
        new_file = not path.is_file() or row["epoch"] == 0
        with path.open("w" if new_file else "a", newline="", encoding="utf-8") as stream:
            writer = csv.DictWriter(stream, fieldnames=EPOCH_LOG_COLUMNS)
            if new_file:
                writer.writeheader()
            writer.writerow({key: row[key] for key in EPOCH_LOG_COLUMNS})

    def on_train_end(self) -> None:
        with contextlib.redirect_stdout(_LogStream()):
            super().on_train_end()

    def perform_actual_validation(self, save_probabilities: bool = False) -> None:
        axes = self.inference_allowed_mirroring_axes
        if not self.options.validation_mirroring:
            self.inference_allowed_mirroring_axes = None
        try:
            with contextlib.redirect_stdout(_LogStream()):
                super().perform_actual_validation(save_probabilities)
        finally:
            self.inference_allowed_mirroring_axes = axes

    def print_to_log_file(self, *args: Any, also_print_to_console: bool = True, add_timestamp: bool = True) -> None:
        super().print_to_log_file(*args, also_print_to_console=False, add_timestamp=add_timestamp)
        logger.debug("nnU-Net: %s", " ".join(str(arg) for arg in args))

    # -- checkpoints -------------------------------------------------------------------

    def save_checkpoint(self, filename: str) -> None:
        if self.local_rank != 0:
            return
        if self.disable_checkpointing:
            logger.info("checkpointing is disabled: %s not written", filename)
            return
        checkpoint = {
            "network_weights": self._bare_network().state_dict(),
            "optimizer_state": self.optimizer.state_dict(),
            "grad_scaler_state": self.grad_scaler.state_dict() if self.grad_scaler is not None else None,
            "logging": _to_builtin(self.logger.get_checkpoint()),
            "_best_ema": _to_builtin(self._best_ema),
            "current_epoch": self.current_epoch + 1,
            "init_args": _to_builtin(self.my_init_kwargs),
            "trainer_name": self.__class__.__name__,
            "inference_allowed_mirroring_axes": _to_builtin(self.inference_allowed_mirroring_axes),
            "medrep_rng_state": _get_rng_state(),
        }
        with atomic_write(filename, "wb", encoding=None) as stream:
            torch.save(checkpoint, stream)

    def load_checkpoint(self, filename_or_checkpoint: dict | str) -> None:
        """Restore weights, optimizer, epoch, logs and random number generator states."""
        if not self.was_initialized:
            self.initialize()
        checkpoint = (
            load_checkpoint_file(filename_or_checkpoint, self.device)
            if isinstance(filename_or_checkpoint, str | Path)
            else filename_or_checkpoint
        )
        expected = self._bare_network().state_dict().keys()
        weights = {
            key[7:] if key not in expected and key.startswith("module.") else key: value
            for key, value in checkpoint["network_weights"].items()
        }
        self._bare_network().load_state_dict(weights)

        self.my_init_kwargs = checkpoint["init_args"]
        self.current_epoch = checkpoint["current_epoch"]
        self.logger.load_checkpoint(checkpoint["logging"])
        self._best_ema = checkpoint["_best_ema"]
        axes = checkpoint.get("inference_allowed_mirroring_axes")
        self.inference_allowed_mirroring_axes = tuple(axes) if axes is not None else None
        self.optimizer.load_state_dict(checkpoint["optimizer_state"])
        if self.grad_scaler is not None and checkpoint.get("grad_scaler_state") is not None:
            self.grad_scaler.load_state_dict(checkpoint["grad_scaler_state"])
        self._pending_rng_state = checkpoint.get("medrep_rng_state")


def _get_rng_state() -> dict[str, Any]:
    name, keys, position, has_gauss, cached = np.random.get_state()
    state = {
        "torch": torch.get_rng_state(),
        "numpy": {"name": name, "keys": torch.from_numpy(keys.astype(np.int64)), "position": int(position),
                  "has_gauss": int(has_gauss), "cached_gaussian": float(cached)},
        "python": random.getstate(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"].cpu())
    numpy_state = state["numpy"]
    np.random.set_state(
        (numpy_state["name"], numpy_state["keys"].numpy().astype(np.uint32), numpy_state["position"],
         numpy_state["has_gauss"], numpy_state["cached_gaussian"])
    )
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([tensor.cpu() for tensor in state["cuda"]])


def make_splits(identifiers: list[str], k: int, folder: Path) -> list[dict[str, list[str]]]:
    """Return k-fold splits of ``identifiers``, reusing ``splits_final.json`` in ``folder`` when it matches.

    The splits are nnU-Net's (scikit-learn KFold, shuffled with seed 12345), so k = 5
    reproduces ``nnUNetv2_train``'s folds. A split file for another k or other cases is
    replaced, with a warning.
    """
    import json

    if k > len(identifiers):
        raise DataError(
            f"{k}-fold cross-validation needs at least {k} training cases, the dataset has {len(identifiers)}",
            hint=f"set folds (-k/--folds) to {max(2, len(identifiers))} or fewer, or train on all cases with fold 'all'"
            if len(identifiers) >= 2
            else "add training cases, or train on all cases with fold 'all'",
        )
    path = folder / "splits_final.json"
    if path.is_file():
        existing = json.loads(path.read_text(encoding="utf-8"))
        cases = sorted({case for split in existing for case in split["train"] + split["val"]})
        if len(existing) == k and cases == sorted(identifiers):
            return existing
        logger.warning("replacing %s: it has %d folds over %d cases, %d-fold over %d cases requested",
                       path, len(existing), len(cases), k, len(identifiers))
    splits = generate_crossval_split(sorted(identifiers), seed=SPLIT_SEED, n_splits=k)
    splits = [{"train": [str(case) for case in split["train"]], "val": [str(case) for case in split["val"]]} for split in splits]
    with atomic_write(path) as stream:
        json.dump(splits, stream, indent=2)
    return splits


def expose_to_nnunet() -> Path:
    """Make nnU-Net's trainer lookup find :class:`MedrepTrainer`, and return the folder it searches.

    nnunetv2 (2.6 and later) looks for trainer classes by name in its own package and in the
    folders listed in ``nnUNet_extTrainer``. This writes a one-line module that imports
    ``MedrepTrainer`` into a folder of medrep's work directory and adds that folder to the
    variable, so ``nnUNetv2_train -tr MedrepTrainer``, nnU-Net's DDP launcher and
    ``nnUNetPredictor.initialize_from_trained_model_folder`` work in this process and in
    the processes it starts.
    """
    folders = ensure_environment()
    folder = folders.results.parent / "trainers"
    module = folder / "medrep_nnunet_trainers.py"
    text = f"from medrep_seg.nnunet.trainer import {TRAINER_NAME}  # noqa: F401\n"
    if not module.is_file() or module.read_text(encoding="utf-8") != text:
        with atomic_write(module) as stream:
            stream.write(text)
    paths = [path for path in os.environ.get("nnUNet_extTrainer", "").split(os.pathsep) if path]
    if str(folder) not in paths:
        os.environ["nnUNet_extTrainer"] = os.pathsep.join([*paths, str(folder)])
    if "nnunetv2.paths" in sys.modules and not hasattr(sys.modules["nnunetv2.paths"], "nnUNet_extTrainer"):
        logger.warning("this nnunetv2 version has no nnUNet_extTrainer: its launchers cannot find MedrepTrainer")
    return folder
