"""n-gram counts in sorted integer arrays, built with vectorised numpy passes.

Token ids replace strings, and the k-grams of each order ``k`` form one sorted ``int64``
array of keys, ``key = parent * V + word``. Here ``parent`` is the position of the
k-gram's first ``k - 1`` tokens in the array of order ``k - 1``, ``word`` is the id of its
last token and ``V`` is the vocabulary size. Order 1 keys are the token ids themselves.
Because each order is sorted and parents are positions in a sorted array, the keys are in
lexicographic order of the token sequences, so:

- finding a k-gram is ``k`` binary searches (:meth:`NgramCounts.find`);
- the words seen after a context are one contiguous block of the next order
  (:meth:`NgramCounts.continuations`).

This is the sorted-array trie layout of compact language-model stores. It is written
here because nltk.lm keeps Python dictionaries of tuples (about ten times the memory;
``benchmarks/ngram.py`` measures it) and PyPI's kenlm module queries ARPA or binary
models but cannot build them.

Beside the raw counts, every order except the highest keeps the Kneser-Ney adjusted
count of each k-gram: the number of distinct tokens seen before it (its continuation
count), or its raw count when it starts with the document-start marker, which nothing
precedes. For order 1 and higher, documents are wrapped in ``<s>`` ... ``</s>``; a
model of order 1 counts plain tokens without markers.
"""

from __future__ import annotations

import json
import logging
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from medrep.errors import DataError
from medrep.progress import track

logger = logging.getLogger(__name__)

__all__ = ["BOS", "EOS", "NgramCounts", "build_counts"]

BOS = "<s>"
EOS = "</s>"
FORMAT = "medrep-ngram-counts/1"
ARRAYS_FILE = "ngram.npz"
MODEL_FILE = "model.json"


@dataclass
class NgramCounts:
    """Counts of every k-gram for k = 1 .. ``order`` (see the module docstring for the layout)."""

    order: int
    vocabulary: list[str]
    keys: list[np.ndarray]
    counts: list[np.ndarray]
    adjusted: list[np.ndarray]
    tokens: int
    documents: int
    source: str = ""
    _ids: dict[str, int] | None = field(default=None, repr=False)

    @property
    def markers(self) -> bool:
        """Whether documents were wrapped in ``<s>`` and ``</s>`` (every order above 1)."""
        return self.order > 1

    @property
    def size(self) -> int:
        """Vocabulary size ``V``, markers included."""
        return len(self.vocabulary)

    @property
    def word_ids(self) -> dict[str, int]:
        """Mapping from token to id, built on first use."""
        if self._ids is None:
            self._ids = {word: index for index, word in enumerate(self.vocabulary)}
        return self._ids

    def ids(self, tokens: Sequence[str]) -> list[int]:
        """Return the id of each token, or -1 for a token outside the vocabulary."""
        lookup = self.word_ids
        return [lookup.get(token, -1) for token in tokens]

    def ngram_counts(self) -> list[int]:
        """Number of distinct k-grams of each order, k = 1 .. order."""
        return [len(keys) for keys in self.keys]

    def nbytes(self) -> int:
        """Memory held by the count arrays, in bytes (the vocabulary list not included)."""
        return sum(array.nbytes for group in (self.keys, self.counts, self.adjusted) for array in group)

    def find(self, ids: Sequence[int]) -> int:
        """Return the position of the k-gram ``ids`` in the array of its order, or -1 if unseen."""
        if not ids or len(ids) > self.order or any(index < 0 for index in ids):
            return -1
        position = int(np.searchsorted(self.keys[0], ids[0]))
        if position == len(self.keys[0]) or self.keys[0][position] != ids[0]:
            return -1
        for depth, word in enumerate(ids[1:], start=1):
            keys = self.keys[depth]
            key = position * self.size + word
            position = int(np.searchsorted(keys, key))
            if position == len(keys) or keys[position] != key:
                return -1
        return position

    def continuations(self, parent: int, order: int) -> tuple[slice, np.ndarray]:
        """Return the block of ``order``-grams that extend the ``(order - 1)``-gram at ``parent``.

        The result is the slice into that order's arrays and the ids of the extending words.
        """
        keys = self.keys[order - 1]
        start = int(np.searchsorted(keys, parent * self.size))
        stop = int(np.searchsorted(keys, (parent + 1) * self.size))
        return slice(start, stop), keys[start:stop] - parent * self.size

    def save(self, directory: str | Path, extra: dict[str, Any] | None = None) -> Path:
        """Write ``ngram.npz`` (arrays) and ``model.json`` (vocabulary, sizes, ``extra``) atomically."""
        from medrep.io import atomic_directory, atomic_write, write_json

        arrays: dict[str, np.ndarray] = {}
        for k in range(1, self.order + 1):
            arrays[f"keys_{k}"] = self.keys[k - 1]
            arrays[f"counts_{k}"] = self.counts[k - 1]
            arrays[f"adjusted_{k}"] = self.adjusted[k - 1]
        description = {
            "format": FORMAT,
            "order": self.order,
            "tokens": self.tokens,
            "documents": self.documents,
            "source": self.source,
            "vocabulary": self.vocabulary,
            **(extra or {}),
        }
        with atomic_directory(directory) as temporary:
            with atomic_write(temporary / ARRAYS_FILE, "wb") as stream:
                np.savez(stream, **arrays)
            write_json(temporary / MODEL_FILE, description)
        return Path(directory)

    @classmethod
    def load(cls, directory: str | Path) -> tuple["NgramCounts", dict[str, Any]]:
        """Read counts written by :meth:`save`; return them and the whole ``model.json``."""
        directory = Path(directory)
        description_path, arrays_path = directory / MODEL_FILE, directory / ARRAYS_FILE
        if not description_path.is_file() or not arrays_path.is_file():
            raise DataError(
                f"no saved n-gram model in {directory}: expected {MODEL_FILE} and {ARRAYS_FILE}",
                hint="save one with NgramLanguageModel.save(directory)",
            )
        description = json.loads(description_path.read_text(encoding="utf-8"))
        if description.get("format") != FORMAT:
            raise DataError(
                f"{description_path} has format {description.get('format')!r}, expected {FORMAT!r}",
                hint="rebuild the model with this version of medrep",
            )
        order = int(description["order"])
        with np.load(arrays_path, allow_pickle=False) as arrays:
            keys = [arrays[f"keys_{k}"] for k in range(1, order + 1)]
            counts = [arrays[f"counts_{k}"] for k in range(1, order + 1)]
            adjusted = [arrays[f"adjusted_{k}"] for k in range(1, order + 1)]
        counts_object = cls(
            order=order,
            vocabulary=list(description["vocabulary"]),
            keys=keys,
            counts=counts,
            adjusted=adjusted,
            tokens=int(description["tokens"]),
            documents=int(description["documents"]),
            source=str(description.get("source", "")),
        )
        return counts_object, description


def build_counts(documents: Iterable[Sequence[str]], order: int) -> NgramCounts:
    """Count every k-gram (k = 1 .. ``order``) of ``documents``; n-grams never cross documents.

    Raises :class:`~medrep.errors.DataError` naming the source (``documents.path`` when the
    documents come from a file) when the corpus has no tokens.
    """
    if order < 1:
        raise ValueError(f"order must be at least 1, got {order}")
    source = str(getattr(documents, "path", "") or "")
    vocabulary, ids, ends, tokens, document_count = _encode(documents, markers=order > 1)
    if tokens == 0:
        where = f"the tokens file {source}" if source else "the corpus"
        raise DataError(f"{where} has no tokens, so there is nothing to count", hint="check that the corpus and tokenizer produce tokens")

    size = len(vocabulary)
    if len(ids) * size >= 2**63:
        raise DataError(
            f"{len(ids)} tokens with a vocabulary of {size} overflow the int64 n-gram keys",
            hint="count a smaller corpus, or split it and count the parts separately",
        )
    corpus = np.frombuffer(ids, dtype=np.int32).astype(np.int64)
    last = np.repeat(np.asarray(ends, dtype=np.int64), np.diff(np.concatenate(([0], np.asarray(ends) + 1))))

    keys, counts, adjusted = [], [], []
    unigram_keys, unigram_counts = np.unique(corpus, return_counts=True)
    keys.append(unigram_keys)
    counts.append(unigram_counts)
    first_tokens = [unigram_keys]
    # positions: where a (k-1)-gram starts; gram_at[i]: index of the (k-1)-gram starting at i.
    # Unigram indices are the token ids, because every id occurs.
    positions = np.arange(len(corpus), dtype=np.int64)
    gram_at = corpus

    for k in range(2, order + 1):
        positions = positions[positions + k - 1 <= last[positions]]
        grams = gram_at[positions] * size + corpus[positions + k - 1]
        unique, first, inverse, occurrences = np.unique(grams, return_index=True, return_inverse=True, return_counts=True)

        # Each distinct k-gram adds one to the continuation count of its last k - 1 tokens,
        # the (k-1)-gram that starts one position later.
        suffixes = gram_at[positions[first] + 1]
        adjusted.append(_adjusted(np.bincount(suffixes, minlength=len(keys[-1])), counts[-1], first_tokens[-1], k - 1))

        keys.append(unique)
        counts.append(occurrences)
        first_tokens.append(first_tokens[-1][unique // size])
        gram_at = np.full(len(corpus), -1, dtype=np.int64)
        gram_at[positions] = inverse.ravel()

    adjusted.append(counts[-1] if order > 1 else counts[0])
    return NgramCounts(
        order=order,
        vocabulary=vocabulary,
        keys=keys,
        counts=[_compact(values) for values in counts],
        adjusted=[_compact(values) for values in adjusted],
        tokens=tokens,
        documents=document_count,
        source=source,
    )


def _encode(documents: Iterable[Sequence[str]], *, markers: bool) -> tuple[list[str], array, list[int], int, int]:
    """Map tokens to int32 ids in one streaming pass; return the vocabulary and the id stream.

    ``ends`` contains the position of the last id of each document. Ids 0 and 1 are
    ``<s>`` and ``</s>`` when ``markers`` is set.
    """
    lookup = _Vocabulary({BOS: 0, EOS: 1} if markers else {})
    ids = array("i")
    ends: list[int] = []
    tokens = document_count = 0
    for document in track(documents, desc="counting n-grams", unit="doc"):
        if not document:
            continue
        if markers:
            ids.append(0)
        ids.extend(map(lookup.__getitem__, document))
        if markers:
            ids.append(1)
        ends.append(len(ids) - 1)
        tokens += len(document)
        document_count += 1
    return list(lookup), ids, ends, tokens, document_count


class _Vocabulary(dict[str, int]):
    """Token-to-id mapping that gives an unseen token the next id on lookup."""

    def __missing__(self, token: str) -> int:
        index = self[token] = len(self)
        return index


def _adjusted(continuations: np.ndarray, raw: np.ndarray, first_tokens: np.ndarray, order: int) -> np.ndarray:
    """Kneser-Ney counts of one order: continuation counts, raw counts after ``<s>``, 0 for ``<s>`` itself."""
    adjusted = continuations.astype(np.int64)
    starts = first_tokens == 0
    adjusted[starts] = raw[starts]
    if order == 1:
        adjusted[0] = 0  # <s> is never predicted
    return adjusted


def _compact(values: np.ndarray) -> np.ndarray:
    """Store counts as uint32 when they fit, halving their memory."""
    return values.astype(np.uint32) if values.size == 0 or values.max() < 2**32 else values.astype(np.int64)
