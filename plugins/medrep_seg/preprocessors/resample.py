"""``resample``: move a case onto the plan's voxel spacing."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from pydantic import Field

from medrep.config import PluginConfig
from medrep.errors import DataError
from medrep.kinds import ImageCase, Preprocessor


class Resample(Preprocessor):
    """Resample to the target spacing: cubic spline for images, linear on one-hot labels."""

    class Config(PluginConfig):
        target_spacing: list[float] | None = Field(
            default=None,
            description="voxel spacing in mm per axis (in nnU-Net's axis order); default: the plan's spacing",
        )
        order: int = Field(default=3, ge=0, le=5, description="spline order for images (3: cubic)")
        label_order: int = Field(
            default=1, ge=0, le=5, description="spline order on the one-hot encoded labels and brain mask (1: linear)"
        )
        order_z: int = Field(
            default=0,
            ge=0,
            le=5,
            description="spline order along the low-resolution axis of anisotropic data (0: nearest neighbour)",
        )
        anisotropy_threshold: float = Field(
            default=3.0,
            gt=1.0,
            description=(
                "ratio of the largest to the smallest spacing above which the low-resolution axis is "
                "resampled on its own with order_z (nnU-Net's rule)"
            ),
        )

    @classmethod
    def contract_config(cls) -> dict[str, Any]:
        return {"target_spacing": [1.5, 1.5, 1.5]}

    def __call__(self, case: ImageCase) -> ImageCase:
        from medrep_seg.nnunet.preprocessing import resample_array, resampled_shape

        name = case.case_id or "(unnamed)"
        target = self._target_spacing(case, name)
        image = np.asarray(case.image, dtype=np.float32)
        current = [float(value) for value in case.spacing]
        shape = resampled_shape(image.shape[1:], current, target)
        options = {
            "order_z": self.config.order_z,
            "anisotropy_threshold": self.config.anisotropy_threshold,
        }

        resampled = resample_array(image, shape, current, target, is_label=False, order=self.config.order, **options)
        seg = case.seg
        if seg is not None:
            seg = resample_array(np.asarray(seg), shape, current, target, is_label=True, order=self.config.label_order, **options)
        mask = case.mask
        if mask is not None:
            as_label = np.asarray(mask).astype(np.uint8)[None]
            mask = resample_array(as_label, shape, current, target, is_label=True, order=self.config.label_order, **options)[0] > 0
        return dataclasses.replace(
            case,
            image=resampled.astype(np.float32, copy=False),
            seg=seg,
            mask=mask,
            spacing=tuple(target),
        )

    def _target_spacing(self, case: ImageCase, name: str) -> list[float]:
        target = self.config.target_spacing if self.config.target_spacing is not None else case.target_spacing
        if target is None:
            raise DataError(
                f"case {name}: resample has no target spacing: neither its target_spacing option nor the plan sets one",
                hint="run it inside `medrep seg preprocess`, or pass target_spacing=[x, y, z] in mm",
            )
        target = [float(value) for value in target]
        if len(target) != len(case.spacing) or any(value <= 0 for value in target):
            raise DataError(
                f"case {name}: target spacing {target} does not fit the image's {len(case.spacing)} axes",
                hint="give one positive spacing in mm per spatial axis",
            )
        return target
