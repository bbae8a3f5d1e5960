"""The ``gamma`` augmentation: gamma correction of normalised intensities."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from medrep_seg.augmentations._base import RandomAugmentation, RandomConfig, range_validator


class Gamma(RandomAugmentation):
    """Rescale each channel to [0, 1], raise it to a power from ``range``, and scale back.

    With ``invert_probability`` the channel is negated before and after, which bends the
    upper end of the intensities instead of the lower end. nnU-Net's default pipeline uses
    this augmentation twice: inverted (probability 0.1) and not inverted (0.3).
    """

    class Config(RandomConfig):
        probability: float = Field(default=0.3, ge=0.0, le=1.0, description="probability of changing a sample")
        range: list[float] = Field(default=[0.7, 1.5], description="[minimum, maximum] gamma exponent")
        invert_probability: float = Field(default=0.0, ge=0.0, le=1.0, description="probability of inverting the image first")
        retain_stats_probability: float = Field(
            default=1.0, ge=0.0, le=1.0, description="probability of restoring the channel's mean and standard deviation"
        )
        channel_probability: float = Field(default=1.0, ge=0.0, le=1.0, description="probability per channel")
        synchronize_channels: bool = Field(default=False, description="use one exponent for all channels")

        _check_range = range_validator("range", low=0.01, high=100.0)

    def transform(self, patch_size: tuple[int, ...]) -> Any:
        """Return batchgeneratorsv2's ``GammaTransform``."""
        from batchgeneratorsv2.transforms.intensity.contrast import BGContrast
        from batchgeneratorsv2.transforms.intensity.gamma import GammaTransform

        return GammaTransform(
            gamma=BGContrast(tuple(self.config.range)),
            p_invert_image=self.config.invert_probability,
            synchronize_channels=self.config.synchronize_channels,
            p_per_channel=self.config.channel_probability,
            p_retain_stats=self.config.retain_stats_probability,
        )
