"""The ``contrast`` augmentation: stretch or compress intensities around their mean."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from medrep_seg.augmentations._base import RandomAugmentation, RandomConfig, range_validator


class Contrast(RandomAugmentation):
    """Scale deviations from each channel's mean by a factor from ``range``."""

    class Config(RandomConfig):
        probability: float = Field(default=0.15, ge=0.0, le=1.0, description="probability of changing a sample")
        range: list[float] = Field(default=[0.75, 1.25], description="[minimum, maximum] contrast factor")
        preserve_range: bool = Field(default=True, description="clip the result to the channel's original range")
        channel_probability: float = Field(default=1.0, ge=0.0, le=1.0, description="probability per channel")
        synchronize_channels: bool = Field(default=False, description="use one factor for all channels")

        _check_range = range_validator("range", low=0.0)

    def transform(self, patch_size: tuple[int, ...]) -> Any:
        """Return batchgeneratorsv2's ``ContrastTransform``."""
        from batchgeneratorsv2.transforms.intensity.contrast import BGContrast, ContrastTransform

        return ContrastTransform(
            contrast_range=BGContrast(tuple(self.config.range)),
            preserve_range=self.config.preserve_range,
            synchronize_channels=self.config.synchronize_channels,
            p_per_channel=self.config.channel_probability,
        )
