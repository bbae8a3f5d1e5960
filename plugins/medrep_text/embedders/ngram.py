"""Count-based word vectors: window co-occurrences, PPMI or conditional probabilities, truncated SVD."""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from medrep import progress
from medrep.config import PluginConfig
from medrep.errors import DataError
from medrep_text.embedders._base import VectorsEmbedder
from medrep_text.embedders._corpus import (
    CheckedDocuments,
    count_words,
    format_bytes,
    require_restartable,
    select_vocabulary,
)
from medrep_text.vectors import KeyedVectors

logger = logging.getLogger(__name__)


class NgramEmbedder(VectorsEmbedder):
    """Co-occurrence counts in a symmetric window, weighted by PPMI or p(context | word), reduced by SVD.

    Two passes over the corpus: the first counts words and fixes the vocabulary, the
    second counts word-context pairs into a sparse matrix. Memory grows with the number
    of distinct pairs seen (the matrix's non-zeros), never with the square of the
    vocabulary. Out-of-vocabulary tokens are removed before windows are formed.
    """

    name: ClassVar[str] = "ngram"

    class Config(PluginConfig):
        dim: int = Field(100, ge=1, description="number of dimensions; at most the vocabulary size minus one")
        window: int = Field(5, ge=1, description="context words counted on each side of a word")
        distance_weighting: Literal["uniform", "harmonic", "linear"] = Field(
            "uniform",
            description=(
                "weight of a context word at distance d: uniform 1, harmonic 1/d, "
                "linear (window - d + 1) / window"
            ),
        )
        weighting: Literal["ppmi", "conditional"] = Field(
            "ppmi",
            description="ppmi: positive pointwise mutual information; conditional: M[i, j] = p(word j | word i)",
        )
        context_smoothing: float = Field(
            0.75,
            gt=0.0,
            le=1.0,
            description="exponent applied to context counts in PPMI (1.0 turns smoothing off)",
        )
        eigenvalue_weighting: float = Field(
            0.5, ge=0.0, description="p in vectors = U * S^p (0 drops the singular values, 1 keeps them)"
        )
        min_count: int = Field(5, ge=1, description="drop words seen fewer times than this")
        max_vocab: int | None = Field(None, ge=2, description="keep at most this many most frequent words")
        svd_iterations: int = Field(5, ge=0, description="power iterations of the randomized SVD")
        svd_oversamples: int = Field(10, ge=0, description="extra random vectors of the randomized SVD")
        batch_tokens: int = Field(
            1_000_000, ge=1000, description="tokens counted per batch before merging into the sparse matrix"
        )
        seed: int = Field(0, description="seed of the randomized SVD")

    @classmethod
    def contract_config(cls) -> dict[str, Any]:
        return {"dim": 4, "min_count": 1}

    def fit(self, documents: Iterable[list[str]]) -> KeyedVectors:
        """Count co-occurrences, weight them, reduce with truncated SVD and return the vectors."""
        require_restartable(documents, "ngram")
        config = self.config

        counts = count_words(documents)
        words = select_vocabulary(counts.counts, min_count=config.min_count, max_vocab=config.max_vocab)
        dim = self._clamped_dim(len(words))
        self._log_memory_estimate(len(words), counts.tokens, dim)

        cooccurrences = count_cooccurrences(
            documents,
            {word: index for index, word in enumerate(words)},
            window=config.window,
            distance_weights=distance_weights(config.window, config.distance_weighting),
            batch_tokens=config.batch_tokens,
        )
        if config.weighting == "ppmi":
            weighted = ppmi(cooccurrences, context_smoothing=config.context_smoothing)
        else:
            weighted = conditional_probabilities(cooccurrences)
        vectors, singular_values = self._reduce(weighted, dim)

        self.singular_values_ = singular_values
        self.vectors_ = KeyedVectors(
            vectors,
            words,
            self._metadata(counts, dim=dim, cooccurrence_nonzeros=int(cooccurrences.nnz)),
        )
        return self.vectors_

    def _clamped_dim(self, vocabulary_size: int) -> int:
        if vocabulary_size < 2:
            raise DataError(
                f"ngram needs at least 2 words in the vocabulary, got {vocabulary_size}",
                hint="lower min_count or pass a larger corpus",
            )
        dim = self.config.dim
        if dim > vocabulary_size - 1:
            warnings.warn(
                f"ngram: dim={dim} is more than the vocabulary size minus one; "
                f"using dim={vocabulary_size - 1} for {vocabulary_size} words",
                stacklevel=3,
            )
            dim = vocabulary_size - 1
        return dim

    def _log_memory_estimate(self, vocabulary_size: int, tokens: int, dim: int) -> None:
        config = self.config
        # Each token pairs with at most `window` words to its right; the symmetric matrix
        # doubles that. CSR stores 8 bytes of value and 4 of column index per non-zero, and
        # adding two matrices keeps both inputs and the result in memory at once.
        nonzeros = min(vocabulary_size**2, 2 * config.window * tokens)
        matrix_bytes = 3 * nonzeros * 12
        batch_bytes = config.window * min(config.batch_tokens, tokens) * 24
        svd_bytes = 3 * vocabulary_size * (dim + config.svd_oversamples) * 8
        logger.info(
            "ngram: estimated peak memory at most %s (co-occurrence matrix %s, counting batch %s, SVD %s) "
            "for %d words, %d tokens, window %d",
            format_bytes(matrix_bytes + batch_bytes + svd_bytes),
            format_bytes(matrix_bytes),
            format_bytes(batch_bytes),
            format_bytes(svd_bytes),
            vocabulary_size,
            tokens,
            config.window,
        )

    def _reduce(self, matrix: Any, dim: int) -> tuple[np.ndarray, np.ndarray]:
        from sklearn.utils.extmath import randomized_svd

        config = self.config
        started = time.perf_counter()
        left, singular_values, _ = randomized_svd(
            matrix,
            n_components=dim,
            n_oversamples=config.svd_oversamples,
            n_iter=config.svd_iterations,
            random_state=config.seed,
        )
        logger.info("ngram: truncated SVD to %d dimensions in %.1f s", dim, time.perf_counter() - started)
        vectors = left * singular_values**config.eigenvalue_weighting
        return vectors.astype(np.float32), singular_values.astype(np.float32)


def distance_weights(window: int, scheme: str) -> np.ndarray:
    """Return the weight of a context word at distance 1..window (index 0 is unused)."""
    distances = np.arange(window + 1, dtype=np.float64)
    if scheme == "uniform":
        weights = np.ones(window + 1)
    elif scheme == "harmonic":
        weights = 1.0 / np.maximum(distances, 1.0)
    elif scheme == "linear":
        weights = (window - distances + 1) / window
    else:
        raise ValueError(f"unknown distance weighting {scheme!r}; expected uniform, harmonic or linear")
    weights[0] = 0.0
    return weights


def count_cooccurrences(
    documents: Iterable[list[str]],
    key_to_index: dict[str, int],
    *,
    window: int,
    distance_weights: np.ndarray,
    batch_tokens: int,
) -> Any:
    """Return the symmetric (words x words) CSR matrix of weighted co-occurrence counts."""
    from scipy import sparse

    size = len(key_to_index)
    total = sparse.csr_matrix((size, size), dtype=np.float64)
    started = time.perf_counter()
    tokens = 0
    with progress.bar(desc="counting co-occurrences", unit="word", unit_scale=True) as bar:
        for ids, document_of in _id_batches(documents, key_to_index, batch_tokens):
            total = total + _batch_matrix(ids, document_of, window, distance_weights, size)
            tokens += len(ids)
            bar.update(len(ids))

    # Each pair was counted once, as (left word, right word); the symmetric window
    # counts it from both sides.
    total = (total + total.T).tocsr()
    total.sum_duplicates()
    elapsed = max(time.perf_counter() - started, 1e-9)
    logger.info(
        "ngram: %d non-zero co-occurrences among %d words from %d in-vocabulary tokens at %.0f words/s",
        total.nnz, size, tokens, tokens / elapsed,
    )
    return total


def _id_batches(
    documents: Iterable[list[str]], key_to_index: dict[str, int], batch_tokens: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (word ids, document number of each id) for batches of about ``batch_tokens`` tokens."""
    ids: list[np.ndarray] = []
    lengths: list[int] = []
    pending = 0
    for document in CheckedDocuments(documents):
        known = np.fromiter((key_to_index.get(token, -1) for token in document), dtype=np.int32, count=len(document))
        known = known[known >= 0]
        ids.append(known)
        lengths.append(len(known))
        pending += len(known)
        if pending >= batch_tokens:
            yield _concatenate(ids, lengths)
            ids, lengths, pending = [], [], 0
    if pending:
        yield _concatenate(ids, lengths)


def _concatenate(ids: list[np.ndarray], lengths: list[int]) -> tuple[np.ndarray, np.ndarray]:
    document_of = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths)
    return np.concatenate(ids), document_of


def _batch_matrix(ids: np.ndarray, document_of: np.ndarray, window: int, weights: np.ndarray, size: int) -> Any:
    """Count the pairs (word, word d places to its right) inside each document, for d = 1..window."""
    from scipy import sparse

    rows, columns, values = [], [], []
    for distance in range(1, min(window, len(ids) - 1) + 1):
        same_document = document_of[:-distance] == document_of[distance:]
        rows.append(ids[:-distance][same_document])
        columns.append(ids[distance:][same_document])
        values.append(np.full(int(same_document.sum()), weights[distance]))
    if not rows:
        return sparse.csr_matrix((size, size), dtype=np.float64)

    # Converting COO to CSR sums the values of repeated (row, column) pairs.
    matrix = sparse.coo_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))), shape=(size, size)
    )
    return matrix.tocsr()


def ppmi(cooccurrences: Any, *, context_smoothing: float) -> Any:
    """Return max(PMI, 0) on the non-zeros, with context counts raised to ``context_smoothing``.

    PMI(w, c) = log p(w, c) - log p(w) - log p_alpha(c), where p_alpha(c) is proportional
    to count(c)^alpha; alpha = 0.75 is the smoothing of Levy, Goldberg and Dagan (2015).
    """
    matrix = cooccurrences.tocsr(copy=True).astype(np.float64)
    total = matrix.sum()
    word_probability = np.asarray(matrix.sum(axis=1)).ravel() / total
    smoothed = np.asarray(matrix.sum(axis=0)).ravel() ** context_smoothing
    context_probability = smoothed / smoothed.sum()

    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    pmi = (
        np.log(matrix.data / total)
        - np.log(word_probability[rows])
        - np.log(context_probability[matrix.indices])
    )
    matrix.data = np.maximum(pmi, 0.0)
    matrix.eliminate_zeros()
    return matrix


def conditional_probabilities(cooccurrences: Any) -> Any:
    """Return M[i, j] = count(i, j) / count(i, any): the probability of context j given word i."""
    matrix = cooccurrences.tocsr(copy=True).astype(np.float64)
    row_totals = np.asarray(matrix.sum(axis=1)).ravel()
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    matrix.data = matrix.data / row_totals[rows]
    return matrix
