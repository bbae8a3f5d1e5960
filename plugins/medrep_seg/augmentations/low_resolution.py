"""The ``low-resolution`` augmentation: simulate a coarser acquisition."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from medrep_seg.augmentations._base import RandomAugmentation, RandomConfig, range_validator


class LowResolution(RandomAugmentation):
    """Downsample by a factor from ``scale`` (nearest neighbour) and upsample back (cubic)."""

    class Config(RandomConfig):
        probability: float = Field(default=0.25, ge=0.0, le=1.0, description="probability of changing a sample")
        scale: list[float] = Field(default=[0.5, 1.0], description="[minimum, maximum] resolution factor (1: unchanged)")
        channel_probability: float = Field(default=0.5, ge=0.0, le=1.0, description="probability per channel")
        synchronize_channels: bool = Field(default=False, description="use one factor for all channels")
        synchronize_axes: bool = Field(default=True, description="use one factor for all axes")
        ignore_axes: list[int] | None = Field(
            default=None, description="spatial axes (0-based) left at full resolution, such as the slice axis"
        )

        _check_range = range_validator("scale", low=0.01, high=1.0)

    def transform(self, patch_size: tuple[int, ...]) -> Any:
        """Return batchgeneratorsv2's ``SimulateLowResolutionTransform``."""
        from batchgeneratorsv2.transforms.spatial.low_resolution import SimulateLowResolutionTransform

        return SimulateLowResolutionTransform(
            scale=tuple(self.config.scale),
            synchronize_channels=self.config.synchronize_channels,
            synchronize_axes=self.config.synchronize_axes,
            ignore_axes=tuple(self.config.ignore_axes) if self.config.ignore_axes else None,
            allowed_channels=None,
            p_per_channel=self.config.channel_probability,
        )
