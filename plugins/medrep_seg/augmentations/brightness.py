"""The ``brightness`` augmentation: multiply intensities by a random factor."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from medrep_seg.augmentations._base import RandomAugmentation, RandomConfig, range_validator


class Brightness(RandomAugmentation):
    """Multiply each channel by a factor from ``range``.

    Factors below and above 1 are equally likely (batchgeneratorsv2's ``BGContrast``
    sampling), whatever the asymmetry of the range.
    """

    class Config(RandomConfig):
        probability: float = Field(default=0.15, ge=0.0, le=1.0, description="probability of changing a sample")
        range: list[float] = Field(default=[0.75, 1.25], description="[minimum, maximum] multiplier")
        channel_probability: float = Field(default=1.0, ge=0.0, le=1.0, description="probability per channel")
        synchronize_channels: bool = Field(default=False, description="use one multiplier for all channels")

        _check_range = range_validator("range", low=0.0)

    def transform(self, patch_size: tuple[int, ...]) -> Any:
        """Return batchgeneratorsv2's ``MultiplicativeBrightnessTransform``."""
        from batchgeneratorsv2.transforms.intensity.brightness import MultiplicativeBrightnessTransform
        from batchgeneratorsv2.transforms.intensity.contrast import BGContrast

        return MultiplicativeBrightnessTransform(
            multiplier_range=BGContrast(tuple(self.config.range)),
            synchronize_channels=self.config.synchronize_channels,
            p_per_channel=self.config.channel_probability,
        )
