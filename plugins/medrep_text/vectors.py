"""Keyed word vectors: the result type that every embedder returns.

A :class:`KeyedVectors` contains a float32 matrix with one row per word, the words in row
order, and metadata describing how the vectors were made. It runs nearest-neighbour
and similarity queries, and saves to and loads from three formats:

- the native format, a directory with ``vectors.npy`` (read without pickle), ``vocab.txt``
  (one word per line, in row order) and ``metadata.json``;
- the word2vec text format (a ``"<count> <dim>"`` header, then ``word v1 v2 ...`` lines);
- the word2vec binary format (the same header, then ``word `` followed by ``dim`` little-endian
  float32 values and a newline), as the original C tool writes it.

Both word2vec formats load in gensim with ``KeyedVectors.load_word2vec_format``.
"""

from __future__ import annotations

import difflib
import json
import logging
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from medrep import __version__
from medrep.errors import DataError, MedrepError
from medrep.io import atomic_write, write_json

__all__ = ["KeyedVectors", "UnknownWordError", "VECTORS_FILE", "VOCAB_FILE", "METADATA_FILE"]

logger = logging.getLogger(__name__)

VECTORS_FILE = "vectors.npy"
VOCAB_FILE = "vocab.txt"
METADATA_FILE = "metadata.json"


class UnknownWordError(MedrepError, KeyError):
    """A word that is not in the vocabulary of the keyed vectors."""


class KeyedVectors:
    """Word vectors addressed by word: ``vectors[i]`` is the vector of ``index_to_key[i]``.

    ``metadata`` records how the vectors were made: ``embedder``, ``config``, ``corpus``
    (document and token counts), ``seed`` and ``medrep_version``. Vectors loaded from a
    word2vec file carry only ``source`` and ``medrep_version``.
    """

    def __init__(
        self,
        vectors: Any,
        index_to_key: Sequence[str],
        metadata: dict[str, Any] | None = None,
    ) -> None:
        matrix = np.ascontiguousarray(vectors, dtype=np.float32)
        keys = [str(word) for word in index_to_key]
        if matrix.ndim != 2:
            raise DataError(
                f"vectors must be a 2-D array (words, dim), got shape {matrix.shape}",
                hint="pass one row per word",
            )
        if matrix.shape[0] != len(keys):
            raise DataError(
                f"{matrix.shape[0]} vector rows but {len(keys)} words",
                hint="pass exactly one word per row of vectors",
            )
        self.vectors = matrix
        self.index_to_key = keys
        self.key_to_index = {word: index for index, word in enumerate(keys)}
        if len(self.key_to_index) != len(keys):
            duplicates = sorted(word for word, count in Counter(keys).items() if count > 1)[:5]
            raise DataError(f"duplicate words in the vocabulary: {duplicates}", hint="give each word one row")
        self.metadata = {"medrep_version": __version__, **(metadata or {})}
        self._unit: np.ndarray | None = None

    # -- container protocol ---------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, word: object) -> bool:
        return word in self.key_to_index

    def __iter__(self) -> Iterator[str]:
        return iter(self.index_to_key)

    def __getitem__(self, word: str) -> np.ndarray:
        return self.vectors[self.index(word)]

    def __repr__(self) -> str:
        embedder = self.metadata.get("embedder") or self.metadata.get("source", "unknown")
        return f"KeyedVectors({len(self)} words, dim={self.dim}, embedder={embedder!r})"

    @property
    def dim(self) -> int:
        """Number of dimensions of each vector."""
        return int(self.vectors.shape[1])

    @property
    def vector_size(self) -> int:
        """Number of dimensions of each vector (gensim's name for :attr:`dim`)."""
        return self.dim

    def index(self, word: str) -> int:
        """Return the row of ``word``, or raise :class:`UnknownWordError` with a near match."""
        try:
            return self.key_to_index[word]
        except KeyError:
            raise self._unknown(word) from None

    def _unknown(self, word: str) -> UnknownWordError:
        close = difflib.get_close_matches(word, self.index_to_key, n=1) if isinstance(word, str) else []
        suggestion = f"; did you mean {close[0]!r}?" if close else ""
        return UnknownWordError(
            f"word {word!r} is not in the vocabulary ({len(self)} words){suggestion}",
            hint="check spelling and case against the tokenizer's output, or lower min_count and retrain",
        )

    # -- queries ----------------------------------------------------------------------------

    def unit_vectors(self) -> np.ndarray:
        """Return the vectors scaled to unit length; all-zero rows stay zero."""
        if self._unit is None:
            norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
            self._unit = np.divide(self.vectors, norms, out=np.zeros_like(self.vectors), where=norms > 0)
        return self._unit

    def most_similar(
        self,
        word: str | np.ndarray,
        topn: int = 10,
        *,
        oov: Literal["raise", "ignore"] = "raise",
    ) -> list[tuple[str, float]]:
        """Return the ``topn`` words nearest to ``word`` by cosine similarity, nearest first.

        ``word`` is a word of the vocabulary (left out of the result) or a vector of
        length :attr:`dim`. An unknown word raises :class:`UnknownWordError`, unless
        ``oov="ignore"``, which warns and returns an empty list.
        """
        if oov not in ("raise", "ignore"):
            raise ValueError(f"oov must be 'raise' or 'ignore', got {oov!r}")
        if topn < 0:
            raise ValueError(f"topn must be >= 0, got {topn}")

        exclude = None
        if isinstance(word, str):
            if word not in self.key_to_index and oov == "ignore":
                warnings.warn(f"word {word!r} is not in the vocabulary; returning no neighbours", stacklevel=2)
                return []
            exclude = self.index(word)
            query = self.unit_vectors()[exclude]
        else:
            query = self._unit_query(word)

        scores = self.unit_vectors() @ query
        if exclude is not None:
            scores[exclude] = -np.inf
        count = min(topn, len(self) - (exclude is not None))
        if count <= 0:
            return []

        # argpartition finds the top rows in linear time; only those few are sorted.
        top = np.argpartition(-scores, count - 1)[:count]
        top = top[np.lexsort((top, -scores[top]))]
        return [(self.index_to_key[index], float(scores[index])) for index in top]

    def _unit_query(self, vector: Any) -> np.ndarray:
        query = np.asarray(vector, dtype=np.float32)
        if query.shape != (self.dim,):
            raise ValueError(f"query vector must have shape ({self.dim},), got {query.shape}")
        norm = float(np.linalg.norm(query))
        return query / norm if norm > 0 else query

    def similarity(self, first: str, second: str) -> float:
        """Return the cosine similarity of two words (0.0 when either vector is all zeros)."""
        unit = self.unit_vectors()
        return float(unit[self.index(first)] @ unit[self.index(second)])

    # -- native format ----------------------------------------------------------------------

    def save(self, directory: str | Path) -> Path:
        """Write the native format into ``directory`` and return it.

        Each file is written atomically; a word containing whitespace is rejected because
        ``vocab.txt`` and the word2vec formats separate words by whitespace.
        """
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        self._check_words_writable()

        with atomic_write(path / VECTORS_FILE, "wb") as stream:
            np.save(stream, self.vectors, allow_pickle=False)
        with atomic_write(path / VOCAB_FILE) as stream:
            for word in self.index_to_key:
                stream.write(word + "\n")
        write_json(path / METADATA_FILE, self.metadata)
        return path

    @classmethod
    def load(cls, path: str | Path) -> "KeyedVectors":
        """Load vectors from a native directory or a word2vec text or binary file."""
        path = Path(path)
        if path.is_dir():
            return cls._load_native(path)
        if path.is_file():
            return cls.load_word2vec(path)
        raise DataError(
            f"vectors not found: {path}",
            hint="pass a directory written by `medrep words embed` or a word2vec .txt/.bin file",
        )

    @classmethod
    def _load_native(cls, directory: Path) -> "KeyedVectors":
        missing = [name for name in (VECTORS_FILE, VOCAB_FILE) if not (directory / name).is_file()]
        if missing:
            raise DataError(
                f"{directory} is not a saved vectors directory: missing {', '.join(missing)}",
                hint="pass a directory written by `medrep words embed` or KeyedVectors.save",
            )
        vectors = np.load(directory / VECTORS_FILE, allow_pickle=False)
        words = (directory / VOCAB_FILE).read_text(encoding="utf-8").split("\n")
        if words and words[-1] == "":
            words.pop()
        metadata_path = directory / METADATA_FILE
        metadata = json.loads(metadata_path.read_text(encoding="utf-8")) if metadata_path.is_file() else {}
        return cls(vectors, words, metadata)

    # -- word2vec formats -------------------------------------------------------------------

    def save_word2vec(self, path: str | Path, *, binary: bool = False) -> Path:
        """Write the vectors in the word2vec text or binary format, in row order.

        NOTE: the format stores no metadata; use :meth:`save` to keep it.
        """
        # Written here rather than through gensim's writer, which reorders rows by a word
        # count attribute that these vectors do not have.
        self._check_words_writable()
        path = Path(path)
        with atomic_write(path, "wb") as stream:
            stream.write(f"{len(self)} {self.dim}\n".encode())
            if binary:
                little_endian = self.vectors.astype("<f4", copy=False)
                for word, row in zip(self.index_to_key, little_endian):
                    stream.write(word.encode("utf-8") + b" " + row.tobytes() + b"\n")
            else:
                # Nine significant digits give back the same float32 when read.
                for word, row in zip(self.index_to_key, self.vectors.tolist()):
                    values = " ".join(map("{:.9g}".format, row))
                    stream.write(f"{word} {values}\n".encode())
        return path

    @classmethod
    def load_word2vec(cls, path: str | Path, *, binary: bool | None = None) -> "KeyedVectors":
        """Load a word2vec text or binary file with gensim; ``binary=None`` detects which."""
        from medrep._deps import require

        gensim_keyedvectors = require("gensim.models.keyedvectors", extra="text", package="gensim")
        path = Path(path)
        if binary is None:
            binary = not _looks_like_word2vec_text(path)
        try:
            loaded = gensim_keyedvectors.KeyedVectors.load_word2vec_format(str(path), binary=binary)
        except (ValueError, UnicodeDecodeError, EOFError) as exc:
            kind = "binary" if binary else "text"
            raise DataError(
                f"cannot read {path} as a word2vec {kind} file: {exc}",
                hint="pass a file in word2vec text or binary format, or a directory written by KeyedVectors.save",
            ) from exc
        metadata = {"source": f"word2vec-{'binary' if binary else 'text'}", "path": str(path)}
        return cls(loaded.vectors, loaded.index_to_key, metadata)

    def _check_words_writable(self) -> None:
        for word in self.index_to_key:
            if not word or any(character.isspace() for character in word):
                raise DataError(
                    f"word {word!r} is empty or contains whitespace, which the saved formats cannot store",
                    hint="tokenize so that tokens never contain whitespace",
                )


def _looks_like_word2vec_text(path: Path) -> bool:
    """Return whether the first row after the header parses as ``word`` and ``dim`` decimal numbers."""
    with path.open("rb") as stream:
        header = stream.readline().split()
        if len(header) != 2 or not all(part.isdigit() for part in header):
            raise DataError(
                f"{path} has no word2vec header line ('<word count> <dimensions>')",
                hint="pass a word2vec text or binary file, or a directory written by KeyedVectors.save",
            )
        dim = int(header[1])
        # A text row takes at most a few dozen bytes per value. A binary row is raw bytes,
        # which almost never parse as dim decimal numbers.
        row = stream.readline(64 * (dim + 1) + 1024)
    try:
        fields = row.decode("utf-8").split()
        [float(value) for value in fields[1:]]
    except (UnicodeDecodeError, ValueError):
        return False
    return len(fields) == dim + 1
