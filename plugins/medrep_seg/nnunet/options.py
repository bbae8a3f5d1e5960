"""Options of a medrep training run: the trainer's hyperparameters and its plugins.

The options travel inside the plans dictionary under :data:`OPTIONS_KEY`, so nnU-Net's own
code paths (its DDP launcher, its predictor, the ``plans.json`` copied into every model
folder) carry them without extra files, and a trained model folder records what trained it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from medrep_seg.augmentations.pipeline import NNUNET_DEFAULT_PIPELINE, AugmentationSpec

__all__ = ["DEFAULT_FOLDS", "OPTIONS_KEY", "TRAINER_NAME", "PluginSpec", "TrainerOptions", "planned_folds"]

#: Key of the medrep options inside nnU-Net's plans dictionary.
OPTIONS_KEY = "medrep_trainer"

#: Class name of the medrep trainer, as nnU-Net records it in checkpoints and folder names.
TRAINER_NAME = "MedrepTrainer"

#: Number of cross-validation folds when neither the options nor a planned split set it (nnU-Net's).
DEFAULT_FOLDS = 5


class PluginSpec(BaseModel):
    """A registered plugin name and its options."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    name: str = Field(description="registered plugin name")
    options: dict[str, Any] = Field(default_factory=dict, description="options of that plugin")


class TrainerOptions(BaseModel):
    """Hyperparameters of the medrep trainer; the defaults are nnU-Net v2's.

    Learning rate follows nnU-Net's polynomial schedule ``lr * (1 - epoch / epochs) ** 0.9``
    with SGD (Nesterov momentum 0.99 by default) and gradient-norm clipping at 12.
    """

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    epochs: int = Field(default=1000, ge=1, description="number of epochs")
    iterations_per_epoch: int = Field(default=250, ge=1, description="training iterations (batches) per epoch")
    val_iterations_per_epoch: int = Field(default=50, ge=1, description="validation batches per epoch (pseudo-Dice)")
    final_validation: bool = Field(
        default=True,
        description="after training, predict every validation case of the fold with sliding windows and score it",
    )
    validation_mirroring: bool = Field(
        default=True, description="mirror the final validation predictions (test-time augmentation)"
    )
    batch_size: int | None = Field(default=None, ge=1, description="patches per batch; default: the plan's")
    initial_lr: float = Field(default=1e-2, gt=0.0, description="initial learning rate of the polynomial schedule")
    weight_decay: float = Field(default=3e-5, ge=0.0, description="SGD weight decay")
    momentum: float = Field(default=0.99, ge=0.0, lt=1.0, description="SGD momentum")
    nesterov: bool = Field(default=True, description="use Nesterov momentum")
    oversample_foreground: float = Field(
        default=0.33, ge=0.0, le=1.0, description="fraction of each batch whose patches are centred on foreground"
    )
    deep_supervision: bool = Field(default=True, description="train on every decoder resolution")
    device: Literal["auto", "cpu", "cuda", "mps"] = Field(
        default="auto", description="torch device; auto: cuda when available, else cpu"
    )
    seed: int | None = Field(default=0, description="seed of torch, numpy and Python's random; None: unseeded")
    deterministic: bool = Field(
        default=False,
        description="deterministic algorithms and reproducible data loading (slower; workers draw from fixed seeds)",
    )
    workers: int = Field(default=2, ge=0, description="data-augmentation worker processes (0: in the main process)")
    threads: int | None = Field(default=None, ge=1, description="torch CPU threads; default: torch's choice")
    keep_freed_memory: bool = Field(
        default=True,
        description="on the CPU, keep freed memory in the process for reuse instead of returning it to the system "
        "at every iteration (glibc only; about 25% faster training, the process keeps its peak memory)",
    )
    folds: int | None = Field(
        default=None, ge=2, description="number of cross-validation folds (k); default: the planned split's, else 5"
    )
    save_every: int = Field(default=1, ge=1, description="write checkpoint_latest.pth every this many epochs")
    network: PluginSpec = Field(default=PluginSpec(name="plain-unet"), description="network plugin")
    loss: PluginSpec = Field(default=PluginSpec(name="dice-ce"), description="loss plugin")
    augmentations: list[AugmentationSpec] = Field(
        default_factory=lambda: [AugmentationSpec(**spec) for spec in NNUNET_DEFAULT_PIPELINE],
        description="augmentation plugins in order (nnU-Net's default pipeline unless given)",
    )

    def resolved_device(self) -> str:
        """Return the torch device type, resolving ``auto``."""
        if self.device != "auto":
            return self.device
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"


def planned_folds(preprocessed_folder: Path) -> int:
    """Return the number of folds of the split ``medrep seg plan`` wrote, or :data:`DEFAULT_FOLDS` without one."""
    path = Path(preprocessed_folder) / "splits_final.json"
    if not path.is_file():
        return DEFAULT_FOLDS
    count = len(json.loads(path.read_text(encoding="utf-8")))
    return count if count >= 2 else DEFAULT_FOLDS
