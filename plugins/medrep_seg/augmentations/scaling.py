"""The ``scaling`` augmentation: random zoom in or out."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from medrep_seg.augmentations._base import RandomConfig, SpatialAugmentation, range_validator


class Scaling(SpatialAugmentation):
    """Scale the sampling grid by a factor drawn from ``range``.

    As in batchgeneratorsv2, a factor above 1 samples a larger region, so structures
    appear smaller.
    """

    class Config(RandomConfig):
        probability: float = Field(default=0.2, ge=0.0, le=1.0, description="probability of scaling a sample")
        range: list[float] = Field(default=[0.7, 1.4], description="[minimum, maximum] scale factor")
        synchronize_axes_probability: float = Field(
            default=1.0, ge=0.0, le=1.0, description="probability of using one factor for all axes (else one per axis)"
        )

        _check_range = range_validator("range", low=0.01, high=100.0)

    def spatial_options(self, *, default_rotation_degrees: float = 30.0) -> dict[str, Any]:
        """Return the scaling arguments of ``SpatialTransform``."""
        return {
            "p_scaling": self.config.probability,
            "scaling": tuple(self.config.range),
            "p_synchronize_scaling_across_axes": self.config.synchronize_axes_probability,
        }
