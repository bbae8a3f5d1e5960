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
    - ``mask``: boolean brain mask of shape ``(X, Y, Z)`` or ``None``.
    - ``properties``: what is needed to undo the chain (original shape and spacing, crop
      bounding box) and per-case notes; values must be JSON- or pickle-friendly.
    - ``case_id``: the identifier used in warnings and errors.
    """

    image: Any
    spacing: tuple[float, ...]
    seg: Any = None
    mask: Any = None
    properties: dict[str, Any] = field(default_factory=dict)
    case_id: str = ""


class Preprocessor(Plugin):
    """Transform one :class:`ImageCase`.

    Contract: ``__call__(case)`` returns a new or updated case whose ``image`` is still
    ``(C, X, Y, Z)`` ``float32`` with finite values, whose ``seg`` (when present) is
    still aligned voxel for voxel with ``image``, and whose ``spacing`` describes the
    returned grid. Preprocessors that need dataset-level statistics take them from
    ``fit(fingerprint)``, where ``fingerprint`` is nnU-Net's dataset fingerprint dictionary.
    Invalid input raises :class:`~medrep.errors.DataError` naming the case.
    """

    kind: ClassVar[str] = "preprocessor"

    def fit(self, fingerprint: dict[str, Any]) -> "Preprocessor":
        """Learn dataset-level statistics; a no-op for per-case preprocessors."""
        return self

    @abstractmethod
    def __call__(self, case: ImageCase) -> ImageCase:
        """Return the transformed case."""
