"""The ``ce`` loss: cross-entropy alone."""

from __future__ import annotations

from typing import Any

from medrep.kinds import Loss
from medrep_seg.losses._compound import DeepSupervisionOptions, build_loss


class CrossEntropyLoss(Loss):
    """Voxel-wise cross-entropy (binary cross-entropy per region for region training).

    The ignore label, when the dataset has one, is excluded from the average.
    """

    class Config(DeepSupervisionOptions):
        pass

    def build(
        self,
        deep_supervision_weights: list[float] | None = None,
        is_regions: bool = False,
        ignore_label: int | None = None,
        batch_dice: bool = False,
    ) -> Any:
        """Return the cross-entropy loss module."""
        return build_loss(
            w_dice=0.0,
            w_ce=1.0,
            smooth=0.0,
            batch_dice=False,
            include_background=False,
            is_regions=is_regions,
            ignore_label=ignore_label,
            weights=deep_supervision_weights,
            decay=self.config.deep_supervision_decay,
        )
