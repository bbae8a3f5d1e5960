"""The ``gaussian-blur`` augmentation: Gaussian smoothing."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from medrep_seg.augmentations._base import RandomAugmentation, RandomConfig, range_validator


class GaussianBlur(RandomAugmentation):
    """Blur with a Gaussian kernel whose sigma (in voxels) is drawn from ``sigma``."""

    class Config(RandomConfig):
        probability: float = Field(default=0.2, ge=0.0, le=1.0, description="probability of blurring a sample")
        sigma: list[float] = Field(default=[0.5, 1.0], description="[minimum, maximum] sigma in voxels")
        channel_probability: float = Field(default=0.5, ge=0.0, le=1.0, description="probability per channel")
        synchronize_channels: bool = Field(default=False, description="use one sigma for all channels")
        synchronize_axes: bool = Field(default=False, description="use one sigma for all axes")

        _check_range = range_validator("sigma", low=0.0)

    def transform(self, patch_size: tuple[int, ...]) -> Any:
        """Return batchgeneratorsv2's ``GaussianBlurTransform``."""
        from batchgeneratorsv2.transforms.noise.gaussian_blur import GaussianBlurTransform

        return GaussianBlurTransform(
            blur_sigma=tuple(self.config.sigma),
            synchronize_channels=self.config.synchronize_channels,
            synchronize_axes=self.config.synchronize_axes,
            p_per_channel=self.config.channel_probability,
            benchmark=True,
        )
