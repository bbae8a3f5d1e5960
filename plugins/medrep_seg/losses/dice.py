"""The ``dice`` loss: soft Dice alone."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from medrep.config import PluginConfig
from medrep.kinds import Loss
from medrep_seg.losses._compound import build_loss


class DiceLoss(Loss):
    """Negative soft Dice (nnU-Net's memory-efficient variant), optionally deep-supervised.

    The value lies in [-1, 0]: -1 is a perfect overlap. Region training applies a sigmoid
    to each output channel, label training a softmax over the channels.
    """

    class Config(PluginConfig):
        smooth: float = Field(default=1e-5, ge=0.0, description="smoothing term added to the Dice numerator and denominator")
        batch_dice: bool | None = Field(
            default=None, description="compute Dice over the whole batch instead of per sample; default: the plan's choice"
        )
        include_background: bool = Field(default=False, description="include the background class in the Dice term")
        deep_supervision_decay: float | None = Field(
            default=None,
            gt=0.0,
            le=1.0,
            description="weight decay per coarser output level (0.5 halves); default: the trainer's weights",
        )

    def build(
        self,
        deep_supervision_weights: list[float] | None = None,
        is_regions: bool = False,
        ignore_label: int | None = None,
        batch_dice: bool = False,
    ) -> Any:
        """Return the soft Dice loss module."""
        return build_loss(
            w_dice=1.0,
            w_ce=0.0,
            smooth=self.config.smooth,
            batch_dice=batch_dice if self.config.batch_dice is None else self.config.batch_dice,
            include_background=self.config.include_background,
            is_regions=is_regions,
            ignore_label=ignore_label,
            weights=deep_supervision_weights,
            decay=self.config.deep_supervision_decay,
        )
