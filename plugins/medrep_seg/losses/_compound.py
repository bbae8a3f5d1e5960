"""Shared builder of the built-in losses on nnunetv2's loss modules.

Dice, cross-entropy (binary cross-entropy for region training) and their weighted sum are
nnunetv2's own modules, so a medrep loss with the default options trains exactly what
nnU-Net trains. Deep supervision wraps the loss in nnunetv2's ``DeepSupervisionWrapper``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from medrep.config import PluginConfig

__all__ = ["build_loss", "deep_supervision_weights", "DeepSupervisionOptions", "DiceOptions"]


class DeepSupervisionOptions(PluginConfig):
    """Option shared by every built-in loss: how deep-supervision levels are weighted."""

    deep_supervision_decay: float | None = Field(
        default=None,
        gt=0.0,
        le=1.0,
        description="weight decay per coarser output level (0.5 halves); default: the trainer's weights",
    )


class DiceOptions(DeepSupervisionOptions):
    """Options of the soft Dice term, shared by ``dice`` and ``dice-ce``."""

    smooth: float = Field(default=1e-5, ge=0.0, description="smoothing term added to the Dice numerator and denominator")
    batch_dice: bool | None = Field(
        default=None, description="compute Dice over the whole batch instead of per sample; default: the plan's choice"
    )
    include_background: bool = Field(default=False, description="include the background class in the Dice term")


def deep_supervision_weights(levels: int, decay: float = 0.5) -> list[float]:
    """Return weights ``decay**i`` for each output level, the coarsest set to 0, summing to 1.

    With ``decay=0.5`` these are nnU-Net's weights. A single level gets weight 1.
    """
    if levels <= 1:
        return [1.0]
    weights = np.array([decay**level for level in range(levels)], dtype=float)
    weights[-1] = 0.0
    return (weights / weights.sum()).tolist()


def build_loss(
    *,
    w_dice: float,
    w_ce: float,
    smooth: float,
    batch_dice: bool,
    include_background: bool,
    is_regions: bool,
    ignore_label: int | None,
    weights: list[float] | None,
    decay: float | None,
) -> Any:
    """Return Dice and (binary) cross-entropy weighted by ``w_dice`` and ``w_ce``, maybe deep-supervised."""
    from nnunetv2.training.loss.compound_losses import DC_and_BCE_loss, DC_and_CE_loss
    from nnunetv2.training.loss.deep_supervision import DeepSupervisionWrapper
    from nnunetv2.training.loss.dice import MemoryEfficientSoftDiceLoss

    dice_kwargs = {"batch_dice": batch_dice, "smooth": smooth, "do_bg": include_background, "ddp": _is_ddp()}
    if is_regions:
        # Regions overlap, so every output channel is a foreground region: Dice always
        # includes channel 0, as in nnU-Net's region training.
        dice_kwargs["do_bg"] = True
        loss = DC_and_BCE_loss(
            {}, dice_kwargs, weight_ce=w_ce, weight_dice=w_dice,
            use_ignore_label=ignore_label is not None, dice_class=MemoryEfficientSoftDiceLoss,
        )
    else:
        loss = DC_and_CE_loss(
            dice_kwargs, {}, weight_ce=w_ce, weight_dice=w_dice,
            ignore_label=ignore_label, dice_class=MemoryEfficientSoftDiceLoss,
        )

    if weights is None:
        return loss
    if decay is not None:
        weights = deep_supervision_weights(len(weights), decay)
    return DeepSupervisionWrapper(loss, list(weights))


def _is_ddp() -> bool:
    import torch.distributed as dist

    return dist.is_available() and dist.is_initialized()
