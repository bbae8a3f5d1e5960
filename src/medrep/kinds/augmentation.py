"""The ``augmentation`` kind: a random transform applied to training patches."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

from medrep.kinds._base import Plugin


class Augmentation(Plugin):
    """Describe one random training-time transform.

    Contract: ``build(patch_size)`` returns a batchgeneratorsv2 transform that takes and
    returns the dictionary nnU-Net's data loader produces (``image``: ``(C, X, Y, Z)``
    float tensor, ``segmentation``: ``(1, X, Y, Z)`` integer tensor). Every augmentation
    has a ``probability`` option, and randomness comes from the torch and numpy generators
    that the trainer seeds, so a seeded run replays. Spatial augmentations (rotation,
    scaling, elastic deformation) set ``spatial = True`` and provide
    ``spatial_options()``, the keyword arguments of batchgeneratorsv2's
    ``SpatialTransform`` they control; the pipeline merges those into one resampling step
    instead of calling their ``build`` one by one. An augmentation that provides
    ``mirror_axes(dimension)`` also sets the axes mirrored at test time.
    """

    kind: ClassVar[str] = "augmentation"
    spatial: ClassVar[bool] = False

    @abstractmethod
    def build(self, patch_size: tuple[int, ...]) -> Any:
        """Return the batchgeneratorsv2 transform for patches of ``patch_size`` voxels."""
