"""The ``mirror`` augmentation: random flips along spatial axes."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from medrep_seg.augmentations._base import RandomAugmentation, RandomConfig


class Mirror(RandomAugmentation):
    """Flip image and label along each of ``axes`` with probability 0.5 per axis.

    The same axes are the ones test-time augmentation mirrors at inference, so a model
    trained without this augmentation predicts without mirroring.
    """

    class Config(RandomConfig):
        probability: float = Field(default=1.0, ge=0.0, le=1.0, description="probability of considering flips for a sample")
        axes: list[int] | None = Field(default=None, description="spatial axes (0-based) to flip; default: all of them")

        @field_validator("axes")
        @classmethod
        def _check_axes(cls, value: list[int] | None) -> list[int] | None:
            if value is not None and (any(axis < 0 or axis > 2 for axis in value) or len(set(value)) != len(value)):
                raise ValueError(f"axes must be distinct values in 0..2, got {value}")
            return value

    def mirror_axes(self, dimension: int) -> tuple[int, ...]:
        """Return the spatial axes flipped for patches with ``dimension`` spatial axes."""
        if self.config.axes is None:
            return tuple(range(dimension))
        return tuple(axis for axis in self.config.axes if axis < dimension)

    def transform(self, patch_size: tuple[int, ...]) -> Any:
        """Return batchgeneratorsv2's ``MirrorTransform``."""
        from batchgeneratorsv2.transforms.spatial.mirroring import MirrorTransform

        return MirrorTransform(allowed_axes=self.mirror_axes(len(patch_size)))
