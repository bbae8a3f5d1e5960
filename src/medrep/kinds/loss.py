"""The ``loss`` kind: builds the training objective."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

from medrep.kinds._base import Plugin


class Loss(Plugin):
    """Build a segmentation loss.

    Contract: ``build(deep_supervision_weights, is_regions, ignore_label, batch_dice)``
    returns a ``torch.nn.Module`` called as ``loss(output, target)``. Without deep
    supervision (``deep_supervision_weights=None``), ``output`` is logits
    ``(B, K, X, Y, Z)`` and ``target`` integer labels ``(B, 1, X, Y, Z)`` (or one-hot
    regions when ``is_regions``); with deep supervision both are lists, one entry per
    resolution, full resolution first, and the trainer passes one weight per entry
    (nnU-Net's default: halved per level, the coarsest 0, summing to 1), which the loss
    may replace by its own weighting. ``batch_dice`` is the plan's choice of computing
    overlap terms over the whole batch. The loss returns a scalar tensor that is
    differentiable with respect to ``output``.
    """

    kind: ClassVar[str] = "loss"

    @abstractmethod
    def build(
        self,
        deep_supervision_weights: list[float] | None = None,
        is_regions: bool = False,
        ignore_label: int | None = None,
        batch_dice: bool = False,
    ) -> Any:
        """Return the loss module."""
