"""Composition of augmentation plugins into the training pipeline.

The configuration lists augmentations by registered name with their options, in order.
Rotation, scaling and elastic deformation (plugins with ``spatial = True``) are merged
into one batchgeneratorsv2 ``SpatialTransform`` that runs first, so the patch is
interpolated once whatever the number of geometric augmentations; the others follow in the
configured order. Each plugin is built through the registry, so a third-party plugin of the
same name replaces a built-in.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import Field

import medrep
from medrep.config import PluginConfig
from medrep.errors import PluginConfigError

__all__ = ["AugmentationSpec", "AugmentationPipeline", "NNUNET_DEFAULT_PIPELINE"]

logger = logging.getLogger(__name__)


class AugmentationSpec(PluginConfig):
    """One entry of the pipeline: a registered augmentation name and its options."""

    name: str = Field(description="registered augmentation name, as `medrep plugins --kind augmentation` lists")
    options: dict[str, Any] = Field(default_factory=dict, description="options of that augmentation")


#: nnU-Net v2's default training augmentations (nnUNetTrainer.get_training_transforms,
#: nnunetv2 2.5 to 2.8) expressed as medrep plugins with the same parameters.
NNUNET_DEFAULT_PIPELINE: list[dict[str, Any]] = [
    {"name": "rotation", "options": {"probability": 0.2}},
    {"name": "scaling", "options": {"probability": 0.2, "range": [0.7, 1.4]}},
    {"name": "gaussian-noise", "options": {"probability": 0.1}},
    {"name": "gaussian-blur", "options": {"probability": 0.2}},
    {"name": "brightness", "options": {"probability": 0.15}},
    {"name": "contrast", "options": {"probability": 0.15}},
    {"name": "low-resolution", "options": {"probability": 0.25}},
    {"name": "gamma", "options": {"probability": 0.1, "invert_probability": 1.0}},
    {"name": "gamma", "options": {"probability": 0.3, "invert_probability": 0.0}},
    {"name": "mirror", "options": {}},
]


class AugmentationPipeline:
    """Augmentation plugins built from specifications, and the transforms they compose to."""

    def __init__(self, specs: list[AugmentationSpec | dict[str, Any]]) -> None:
        self.specs = [spec if isinstance(spec, AugmentationSpec) else AugmentationSpec(**spec) for spec in specs]
        self.augmentations = [medrep.get("augmentation", spec.name, **spec.options) for spec in self.specs]
        self._check_spatial_duplicates()

    def _check_spatial_duplicates(self) -> None:
        seen: dict[str, str] = {}
        for spec, augmentation in zip(self.specs, self.augmentations):
            if not getattr(augmentation, "spatial", False) or not hasattr(augmentation, "spatial_options"):
                continue
            for key in augmentation.spatial_options():
                if key in seen:
                    raise PluginConfigError(
                        f"augmentations {seen[key]!r} and {spec.name!r} both set the spatial transform's {key!r}",
                        hint="list each geometric augmentation once: they share one resampling step",
                    )
                seen[key] = spec.name

    @property
    def merged(self) -> list[Any]:
        """Spatial augmentations that the pipeline merges into one resampling step."""
        return [a for a in self.augmentations if getattr(a, "spatial", False) and hasattr(a, "spatial_options")]

    def spatial_options(self, default_rotation_degrees: float = 30.0) -> dict[str, Any]:
        """Return the merged ``SpatialTransform`` arguments of rotation, scaling and elastic deformation."""
        options: dict[str, Any] = {}
        for augmentation in self.merged:
            options.update(augmentation.spatial_options(default_rotation_degrees=default_rotation_degrees))
        return options

    def mirror_axes(self, dimension: int) -> tuple[int, ...] | None:
        """Return the axes the mirror augmentation flips (also used for test-time mirroring), or ``None``."""
        for augmentation in self.augmentations:
            if hasattr(augmentation, "mirror_axes"):
                return tuple(augmentation.mirror_axes(dimension))
        return None

    def transforms(
        self,
        patch_size: tuple[int, ...],
        *,
        dummy_2d: bool = False,
        default_rotation_degrees: float = 30.0,
    ) -> list[Any]:
        """Return the batchgeneratorsv2 transforms: merged spatial resampling first, then the rest in order.

        The spatial transform also crops the larger patch the data loader samples down to
        ``patch_size``, so it is present even when no geometric augmentation is configured.
        With ``dummy_2d`` (strongly anisotropic 3-D patches) the geometric augmentations run
        slice by slice in the plane of the last two axes, as nnU-Net does.
        """
        from batchgeneratorsv2.transforms.spatial.spatial import SpatialTransform
        from batchgeneratorsv2.transforms.utils.pseudo2d import Convert2DTo3DTransform, Convert3DTo2DTransform

        spatial_patch = tuple(patch_size[1:]) if dummy_2d else tuple(patch_size)
        resampling = SpatialTransform(
            spatial_patch,
            patch_center_dist_from_border=0,
            random_crop=False,
            bg_style_seg_sampling=False,
            border_mode_seg="constant",
            padding_value_seg=-1,
            **self.spatial_options(default_rotation_degrees),
        )
        transforms = [Convert3DTo2DTransform(), resampling, Convert2DTo3DTransform()] if dummy_2d else [resampling]

        merged = {id(augmentation) for augmentation in self.merged}
        for spec, augmentation in zip(self.specs, self.augmentations):
            if id(augmentation) in merged:
                continue
            if getattr(augmentation, "spatial", False):
                # NOTE: a third-party geometric augmentation without spatial_options() resamples the patch a second time.
                logger.info("augmentation %r resamples the patch on its own, after the merged spatial transform", spec.name)
            transforms.append(augmentation.build(tuple(patch_size)))
        return transforms
