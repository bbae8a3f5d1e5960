"""The ``embedder`` kind: tokenized documents in, keyed word vectors out."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from typing import Any, ClassVar

from medrep.kinds._base import Plugin


class Embedder(Plugin):
    """Learn one vector per word from tokenized documents.

    Contract:

    - ``fit(documents)`` takes an iterable of token lists. Embedders that pass over the
      corpus more than once need a *restartable* iterable (one whose ``__iter__`` starts
      again), such as a tokens file reader; a one-shot generator raises ``TypeError``.
    - It returns keyed vectors: an object with ``vectors`` (a float32 array of shape
      ``(n_words, dim)``), ``index_to_key`` (list of words), ``key_to_index`` (dict),
      ``v[word]``, ``most_similar(word, topn)``, ``similarity(a, b)``, ``save(path)`` and
      ``metadata`` (embedder name, configuration, corpus size, seed, medrep version). The
      text track's ``KeyedVectors`` is the built-in implementation.
    - With the same configuration, seed and single-threaded settings, ``fit`` returns the
      same vectors.
    - ``save(directory)`` / ``load(directory)`` store learned state beyond the vectors
      (for example a LoRA adapter).
    """

    kind: ClassVar[str] = "embedder"

    @abstractmethod
    def fit(self, documents: Iterable[list[str]]) -> Any:
        """Train on tokenized documents and return keyed vectors."""
