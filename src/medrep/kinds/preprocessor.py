"""The ``preprocessor`` kind: one imaging case in, the same case transformed out."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from medrep.kinds._base import Plugin


@dataclass
class ImageCase:
    """One imaging case as it moves through the preprocessing chain.

    - ``image``: ``float32`` array of shape ``(C, X, Y, Z)``: channels first, then the
      spatial axes in the order nnU-Net uses internally for this dataset.
    - ``spacing``: voxel size in millimetres, one value per spatial axis of ``image``.
    - ``seg``: integer label array of shape ``(1, X, Y, Z)`` or ``None`` at inference.
    - ``mask``: boolean brain mask of shape ``(X, Y, Z)`` (``True`` inside the brain) or
      ``None``. A cropping step sets it to the mask it cropped to, so that later steps
      (per-image z-scoring) can use it.
    - ``target_spacing``: the spacing in millimetres that the plan requests, one value per
      spatial axis, or ``None`` outside a plan; a resampling step moves the case onto it.
    - ``properties``: what is needed to undo the chain and per-case notes; values must be
      JSON- or pickle-friendly. A cropping step records nnU-Net's keys
      ``shape_before_cropping``, ``bbox_used_for_cropping`` (``[[start, stop], ...]`` per
      axis) and ``shape_after_cropping_and_before_resampling``, which nnU-Net's predictor
      reads to put predictions back into the original image geometry.
    - ``case_id``: the identifier used in warnings and errors.
    """

    image: Any
    spacing: tuple[float, ...]
    seg: Any = None
    mask: Any = None
    properties: dict[str, Any] = field(default_factory=dict)
    case_id: str = ""
    target_spacing: tuple[float, ...] | None = None


class Preprocessor(Plugin):
    """Transform one :class:`ImageCase`.

    Contract: ``__call__(case)`` returns a new or updated case whose ``image`` is still
    ``(C, X, Y, Z)`` ``float32`` with finite values, whose ``seg`` and ``mask`` (when
    present) are still aligned voxel for voxel with ``image``, and whose ``spacing``
    describes the returned grid. It does not modify the arrays of the case it receives.

    Preprocessors that need dataset-level statistics take them from ``fit(fingerprint)``.
    ``fingerprint`` contains nnU-Net's ``foreground_intensity_properties_per_channel`` (per
    channel index as a string: ``mean``, ``std``, ``median``, ``min``, ``max``,
    ``percentile_00_5``, ``percentile_99_5`` of the labelled foreground) and
    ``channel_names`` from ``dataset.json``; the same values are passed at training and
    at inference time, because they are stored in the plans.

    A step whose only effect is to cut out a region sets ``crops = True``: the dataset
    fingerprint runs those steps, so that the shapes the plan is sized for are the shapes
    that preprocessing produces. Invalid input raises :class:`~medrep.errors.DataError`
    naming the case.
    """

    kind: ClassVar[str] = "preprocessor"
    crops: ClassVar[bool] = False

    def fit(self, fingerprint: dict[str, Any]) -> "Preprocessor":
        """Learn dataset-level statistics; a no-op for per-case preprocessors."""
        return self

    @abstractmethod
    def __call__(self, case: ImageCase) -> ImageCase:
        """Return the transformed case."""
