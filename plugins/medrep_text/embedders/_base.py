"""Base class of the built-in embedders: fitted vectors, metadata, save and load."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from medrep.errors import DataError, NotFittedError
from medrep.kinds.embedder import Embedder
from medrep_text.embedders._corpus import WordCounts
from medrep_text.vectors import KeyedVectors


class VectorsEmbedder(Embedder):
    """An embedder whose learned state is its keyed vectors, stored in ``vectors_`` by ``fit``."""

    #: Registered name written into the vectors' metadata.
    name: ClassVar[str] = ""

    def _metadata(self, counts: WordCounts, **extra: Any) -> dict[str, Any]:
        seed = getattr(self.config, "seed", None)
        return {"embedder": self.name, "config": self.get_params(), "corpus": counts.corpus, "seed": seed, **extra}

    def _fitted_vectors(self) -> KeyedVectors:
        vectors = getattr(self, "vectors_", None)
        if vectors is None:
            raise NotFittedError(
                f"{type(self).__name__} has no vectors yet",
                hint="call fit(documents) or load(directory) first",
            )
        return vectors

    def save(self, directory: str | Path) -> Path:
        """Write the fitted vectors in the native format into ``directory``."""
        return self._fitted_vectors().save(directory)

    @classmethod
    def load(cls, directory: str | Path) -> "VectorsEmbedder":
        """Rebuild a fitted embedder from a directory written by :meth:`save`."""
        vectors = KeyedVectors.load(directory)
        if vectors.metadata.get("embedder") != cls.name:
            raise DataError(
                f"{directory} contains vectors of embedder {vectors.metadata.get('embedder')!r}, not {cls.name!r}",
                hint="load it with KeyedVectors.load, or with the embedder that wrote it",
            )
        embedder = cls(**vectors.metadata.get("config", {}))
        embedder.vectors_ = vectors
        return embedder
