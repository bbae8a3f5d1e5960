"""The ``rotation`` augmentation: random rotation about each spatial axis."""

from __future__ import annotations

import math
from typing import Any

from pydantic import Field

from medrep_seg.augmentations._base import RandomConfig, SpatialAugmentation


class Rotation(SpatialAugmentation):
    """Rotate by an angle drawn uniformly from [-degrees, degrees] about each axis.

    The image is resampled with linear interpolation and the label with nearest-label
    interpolation, in the one spatial resampling that scaling and elastic deformation share.
    """

    class Config(RandomConfig):
        probability: float = Field(default=0.2, ge=0.0, le=1.0, description="probability of rotating a sample")
        degrees: float | None = Field(
            default=None,
            ge=0.0,
            le=180.0,
            description="maximum angle in degrees; default: nnU-Net's choice for the patch (30 for 3-D patches)",
        )
        per_axis_probability: float = Field(
            default=1.0, ge=0.0, le=1.0, description="probability of rotating about each axis once a sample is rotated"
        )

    def spatial_options(self, *, default_rotation_degrees: float = 30.0) -> dict[str, Any]:
        """Return the rotation arguments of ``SpatialTransform`` (angles in radians)."""
        degrees = default_rotation_degrees if self.config.degrees is None else self.config.degrees
        radians = math.radians(degrees)
        return {
            "p_rotation": self.config.probability,
            "rotation": (-radians, radians),
            "p_rot_per_axis": self.config.per_axis_probability,
        }
