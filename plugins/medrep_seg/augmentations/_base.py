"""Shared pieces of the built-in augmentations: the probability option and range checks."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from pydantic import Field, field_validator

from medrep.config import PluginConfig
from medrep.kinds import Augmentation


def check_range(values: list[float], *, low: float = -math.inf, high: float = math.inf) -> list[float]:
    """Validate a ``[minimum, maximum]`` pair within ``[low, high]``."""
    if len(values) != 2:
        raise ValueError(f"expected [minimum, maximum], got {len(values)} values")
    if values[0] > values[1]:
        raise ValueError(f"minimum {values[0]} is larger than maximum {values[1]}")
    if values[0] < low or values[1] > high:
        raise ValueError(f"range {values} must lie within [{low}, {high}]")
    return values


class RandomConfig(PluginConfig):
    """Options shared by every built-in augmentation."""

    probability: float = Field(default=1.0, ge=0.0, le=1.0, description="probability of applying the transform to a sample")


class RandomAugmentation(Augmentation):
    """An augmentation built as one batchgeneratorsv2 transform that runs with ``probability``.

    Every built-in except rotation, scaling and elastic deformation is of this form.
    """

    spatial: ClassVar[bool] = False

    def transform(self, patch_size: tuple[int, ...]) -> Any:
        """Return the batchgeneratorsv2 transform, applied to every sample it receives."""
        raise NotImplementedError

    def build(self, patch_size: tuple[int, ...]) -> Any:
        """Return the transform wrapped so that it runs with ``probability``."""
        from batchgeneratorsv2.transforms.utils.random import RandomTransform

        return RandomTransform(self.transform(tuple(patch_size)), apply_probability=self.config.probability)


class SpatialAugmentation(Augmentation):
    """A geometric augmentation that the pipeline merges into one ``SpatialTransform``.

    ``spatial_options()`` returns the ``SpatialTransform`` keyword arguments this
    augmentation controls; the pipeline combines those of rotation, scaling and elastic
    deformation so the image is interpolated once. ``build`` alone gives a
    ``SpatialTransform`` with only this augmentation enabled.
    """

    spatial: ClassVar[bool] = True

    def spatial_options(self, *, default_rotation_degrees: float = 30.0) -> dict[str, Any]:
        """Return this augmentation's ``SpatialTransform`` keyword arguments."""
        raise NotImplementedError

    def build(self, patch_size: tuple[int, ...]) -> Any:
        """Return a ``SpatialTransform`` with only this augmentation enabled, cropping to ``patch_size``."""
        from batchgeneratorsv2.transforms.spatial.spatial import SpatialTransform

        return SpatialTransform(
            tuple(patch_size), patch_center_dist_from_border=0, random_crop=False, **self.spatial_options()
        )


def range_validator(*names: str, low: float = -math.inf, high: float = math.inf) -> Any:
    """Return a pydantic validator that checks ``[minimum, maximum]`` fields."""

    def _validate(cls: type, value: list[float]) -> list[float]:
        return check_range(value, low=low, high=high)

    return field_validator(*names)(_validate)
