"""The ``elastic`` augmentation: smooth random deformation of the sampling grid."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from medrep_seg.augmentations._base import RandomConfig, SpatialAugmentation, range_validator


class ElasticDeformation(SpatialAugmentation):
    """Displace the sampling grid by a smoothed random field.

    ``scale`` is the smoothing width as a fraction of the patch edge (larger: coarser
    deformation) and ``magnitude`` the displacement as a fraction of the patch edge, as
    batchgeneratorsv2's ``SpatialTransform`` defines them. nnU-Net's default pipeline
    leaves elastic deformation off.
    """

    class Config(RandomConfig):
        probability: float = Field(default=0.2, ge=0.0, le=1.0, description="probability of deforming a sample")
        scale: list[float] = Field(default=[0.0, 0.2], description="[minimum, maximum] smoothing width, fraction of the patch edge")
        magnitude: list[float] = Field(
            default=[0.0, 0.2], description="[minimum, maximum] displacement, fraction of the patch edge"
        )
        synchronize_axes_probability: float = Field(
            default=0.0, ge=0.0, le=1.0, description="probability of one smoothing width for all axes"
        )

        _check_ranges = range_validator("scale", "magnitude", low=0.0, high=1.0)

    def spatial_options(self, *, default_rotation_degrees: float = 30.0) -> dict[str, Any]:
        """Return the elastic-deformation arguments of ``SpatialTransform``."""
        return {
            "p_elastic_deform": self.config.probability,
            "elastic_deform_scale": tuple(self.config.scale),
            "elastic_deform_magnitude": tuple(self.config.magnitude),
            "p_synchronize_def_scale_across_axes": self.config.synchronize_axes_probability,
        }
