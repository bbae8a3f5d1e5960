"""The ``gaussian-noise`` augmentation: additive Gaussian noise."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from medrep_seg.augmentations._base import RandomAugmentation, RandomConfig, range_validator


class GaussianNoise(RandomAugmentation):
    """Add zero-mean Gaussian noise whose variance is drawn from ``variance``."""

    class Config(RandomConfig):
        probability: float = Field(default=0.1, ge=0.0, le=1.0, description="probability of adding noise to a sample")
        variance: list[float] = Field(default=[0.0, 0.1], description="[minimum, maximum] noise variance")
        channel_probability: float = Field(default=1.0, ge=0.0, le=1.0, description="probability per channel")
        synchronize_channels: bool = Field(default=True, description="use one variance for all channels")

        _check_range = range_validator("variance", low=0.0)

    def transform(self, patch_size: tuple[int, ...]) -> Any:
        """Return batchgeneratorsv2's ``GaussianNoiseTransform``."""
        from batchgeneratorsv2.transforms.intensity.gaussian_noise import GaussianNoiseTransform

        return GaussianNoiseTransform(
            noise_variance=tuple(self.config.variance),
            p_per_channel=self.config.channel_probability,
            synchronize_channels=self.config.synchronize_channels,
        )
