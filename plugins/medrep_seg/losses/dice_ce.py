"""The ``dice-ce`` loss: soft Dice plus cross-entropy, nnU-Net's default objective."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from medrep.kinds import Loss
from medrep_seg.losses._compound import DiceOptions, build_loss


class DiceCELoss(Loss):
    """Weighted sum ``w_dice * (-soft Dice) + w_ce * cross-entropy``.

    Soft Dice is nnU-Net's memory-efficient variant, averaged over foreground classes
    (``include_background`` adds the background). Region training uses binary
    cross-entropy on sigmoid outputs instead. With deep supervision each output level is
    weighted, by default with the trainer's weights (nnU-Net: halved per level, the
    coarsest level 0, normalised to sum 1).
    """

    class Config(DiceOptions):
        w_dice: float = Field(default=1.0, ge=0.0, description="weight of the soft Dice term")
        w_ce: float = Field(default=1.0, ge=0.0, description="weight of the cross-entropy term")

        @model_validator(mode="after")
        def _some_weight(self) -> "DiceCELoss.Config":
            if self.w_dice == 0 and self.w_ce == 0:
                raise ValueError("w_dice and w_ce are both 0, so the loss would be constant: set one of them > 0")
            return self

    def build(
        self,
        deep_supervision_weights: list[float] | None = None,
        is_regions: bool = False,
        ignore_label: int | None = None,
        batch_dice: bool = False,
    ) -> Any:
        """Return the loss module (nnunetv2's ``DC_and_CE_loss`` or ``DC_and_BCE_loss``)."""
        return build_loss(
            w_dice=self.config.w_dice,
            w_ce=self.config.w_ce,
            smooth=self.config.smooth,
            batch_dice=batch_dice if self.config.batch_dice is None else self.config.batch_dice,
            include_background=self.config.include_background,
            is_regions=is_regions,
            ignore_label=ignore_label,
            weights=deep_supervision_weights,
            decay=self.config.deep_supervision_decay,
        )
