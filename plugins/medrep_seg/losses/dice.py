"""The ``dice`` loss: soft Dice alone."""

from __future__ import annotations

from typing import Any

from medrep.kinds import Loss
from medrep_seg.losses._compound import DiceOptions, build_loss


class DiceLoss(Loss):
    """Negative soft Dice (nnU-Net's memory-efficient variant), optionally deep-supervised.

    The value lies in [-1, 0]: -1 is a perfect overlap. Region training applies a sigmoid
    to each output channel, label training a softmax over the channels.
    """

    class Config(DiceOptions):
        pass

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
