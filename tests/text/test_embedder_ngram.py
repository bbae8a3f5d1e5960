"""The ngram embedder: co-occurrence counting, PPMI and conditional weighting, truncated SVD."""

from __future__ import annotations

import math
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

import medrep
from medrep.errors import DataError
from medrep.testing import check_plugin
from medrep_text.embedders.ngram import (
    NgramEmbedder,
    conditional_probabilities,
    count_cooccurrences,
    distance_weights,
    ppmi,
)
from medrep_text.tokens_file import TokensFile

TWENTY_WORDS = [f"w{index:02d}" for index in range(20)]
# Twenty rotations: every word occurs 20 times, next to different neighbours.
ROTATIONS = [TWENTY_WORDS[shift:] + TWENTY_WORDS[:shift] for shift in range(20)]


def counts(documents: list[list[str]], words: list[str], window: int, scheme: str = "uniform") -> np.ndarray:
    matrix = count_cooccurrences(
        documents,
        {word: index for index, word in enumerate(words)},
        window=window,
        distance_weights=distance_weights(window, scheme),
        batch_tokens=1000,
    )
    assert sparse.issparse(matrix)
    return matrix.toarray()


def test_counts_window_one() -> None:
    matrix = counts([["a", "b", "c"], ["a", "b"]], ["a", "b", "c"], window=1)

    # No pair crosses from the end of one document to the start of the next (c, a).
    np.testing.assert_array_equal(matrix, [[0, 2, 0], [2, 0, 1], [0, 1, 0]])


@pytest.mark.parametrize(
    ("scheme", "far"),
    [("uniform", 1.0), ("harmonic", 1 / 3), ("linear", 1 / 3)],
    ids=["uniform", "harmonic", "linear"],
)
def test_counts_distance_weighting(scheme: str, far: float) -> None:
    matrix = counts([["a", "b", "c", "d"]], ["a", "b", "c", "d"], window=3, scheme=scheme)

    middle = {"uniform": 1.0, "harmonic": 1 / 2, "linear": 2 / 3}[scheme]
    assert matrix[0, 1] == pytest.approx(1.0)
    assert matrix[0, 2] == pytest.approx(middle)
    assert matrix[0, 3] == pytest.approx(far)
    np.testing.assert_allclose(matrix, matrix.T)


def test_counts_repeated_word_on_diagonal() -> None:
    matrix = counts([["a", "a"]], ["a"], window=1)

    # Each of the two occurrences counts the other as its context.
    assert matrix[0, 0] == 2.0


def test_counts_across_batches_add_up() -> None:
    documents = ROTATIONS * 3
    words = TWENTY_WORDS

    small_batches = count_cooccurrences(
        documents, {w: i for i, w in enumerate(words)}, window=2,
        distance_weights=distance_weights(2, "uniform"), batch_tokens=1000,
    )
    one_batch = count_cooccurrences(
        documents, {w: i for i, w in enumerate(words)}, window=2,
        distance_weights=distance_weights(2, "uniform"), batch_tokens=10_000,
    )

    np.testing.assert_array_equal(small_batches.toarray(), one_batch.toarray())
    assert small_batches.sum() == 2 * 60 * (19 + 18)


def test_out_of_vocabulary_tokens_removed_before_windows() -> None:
    embedder = medrep.get("embedder", "ngram", min_count=2, dim=1, window=1)

    vectors = embedder.fit([["a", "x", "b"], ["a", "b"], ["b", "a"]])

    assert vectors.index_to_key == ["a", "b"]
    assert vectors.metadata["cooccurrence_nonzeros"] == 2


def test_sparse_memory_far_below_dense() -> None:
    words = [f"term{index}" for index in range(20_000)]
    documents = [words[start : start + 100] for start in range(0, len(words), 100)]

    tracemalloc.start()
    matrix = count_cooccurrences(
        documents, {w: i for i, w in enumerate(words)}, window=5,
        distance_weights=distance_weights(5, "uniform"), batch_tokens=5000,
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert matrix.shape == (20_000, 20_000)
    assert matrix.nnz == 2 * 200 * (99 + 98 + 97 + 96 + 95)
    # A dense float64 matrix of this vocabulary would take 3.2 GB.
    assert peak < 50 * 2**20


def test_ppmi_hand_computed_without_smoothing() -> None:
    matrix = sparse.csr_matrix(np.array([[2.0, 1.0], [1.0, 2.0]]))

    weighted = ppmi(matrix, context_smoothing=1.0)

    # PMI(0, 0) = log((2/6) / (3/6 * 3/6)) = log(4/3); PMI(0, 1) = log(2/3) < 0 is clipped.
    np.testing.assert_allclose(weighted.toarray(), [[math.log(4 / 3), 0.0], [0.0, math.log(4 / 3)]])
    assert weighted.nnz == 2


def test_ppmi_context_smoothing() -> None:
    matrix = sparse.csr_matrix(np.array([[0.0, 2.0, 0.0], [2.0, 0.0, 1.0], [0.0, 1.0, 0.0]]))

    weighted = ppmi(matrix, context_smoothing=0.75).toarray()

    smoothed_total = 2**0.75 + 3**0.75 + 1
    # PMI(a, b) = log p(a, b) - log p(a) - log p_0.75(b), with p(a, b) = 2/6 and p(a) = 2/6.
    assert weighted[0, 1] == pytest.approx(math.log(smoothed_total / 3**0.75))
    # PMI(b, c) with p(b, c) = 1/6, p(b) = 3/6 and p_0.75(c) = 1 / smoothed_total.
    assert weighted[1, 2] == pytest.approx(math.log(1 / 6) - math.log(3 / 6) - math.log(1 / smoothed_total))
    assert weighted[0, 0] == 0.0


def test_conditional_probabilities_rows() -> None:
    matrix = sparse.csr_matrix(np.array([[0.0, 2.0, 0.0], [2.0, 0.0, 1.0], [0.0, 1.0, 0.0]]))

    weighted = conditional_probabilities(matrix).toarray()

    np.testing.assert_allclose(weighted, [[0, 1, 0], [2 / 3, 0, 1 / 3], [0, 1, 0]])


def test_dim_clamped_to_vocabulary_minus_one() -> None:
    embedder = medrep.get("embedder", "ngram", dim=100, min_count=1)

    with pytest.warns(UserWarning) as caught:
        vectors = embedder.fit(ROTATIONS)

    assert vectors.vectors.shape == (20, 19)
    assert str(caught[0].message) == (
        "ngram: dim=100 is more than the vocabulary size minus one; using dim=19 for 20 words"
    )
    assert vectors.metadata["dim"] == 19
    assert vectors.metadata["config"]["dim"] == 100


def test_string_document_raises_with_index() -> None:
    embedder = medrep.get("embedder", "ngram", min_count=1, dim=2)

    with pytest.raises(TypeError, match="document 2 is a str, not a list of tokens; tokenize first"):
        embedder.fit([["fever", "cough"], ["lung"], "fever and cough"])


def test_generator_raises() -> None:
    embedder = medrep.get("embedder", "ngram", min_count=1, dim=2)

    with pytest.raises(TypeError, match="one-shot generator"):
        embedder.fit(document for document in ROTATIONS)


def test_single_word_vocabulary_raises() -> None:
    embedder = medrep.get("embedder", "ngram", min_count=1, dim=2)

    with pytest.raises(DataError, match="at least 2 words in the vocabulary, got 1"):
        embedder.fit([["fever", "fever"]])


def test_empty_corpus_raises() -> None:
    with pytest.raises(DataError, match="no word occurs at least min_count=1 times"):
        medrep.get("embedder", "ngram", min_count=1).fit([[], []])


def test_vocabulary_limits() -> None:
    documents = [["a"] * 5 + ["b"] * 4 + ["c"] * 3 + ["d"] * 2 + ["e"]]

    by_count = medrep.get("embedder", "ngram", min_count=2, dim=2).fit(documents)
    by_size = medrep.get("embedder", "ngram", min_count=1, max_vocab=3, dim=2).fit(documents)

    assert by_count.index_to_key == ["a", "b", "c", "d"]
    assert by_size.index_to_key == ["a", "b", "c"]


def test_eigenvalue_weighting() -> None:
    plain = NgramEmbedder(dim=5, min_count=1, eigenvalue_weighting=0.0)
    scaled = NgramEmbedder(dim=5, min_count=1, eigenvalue_weighting=1.0)

    left = plain.fit(ROTATIONS).vectors
    weighted = scaled.fit(ROTATIONS).vectors

    # With p = 0 the vectors are the orthonormal left singular vectors U.
    np.testing.assert_allclose(left.T @ left, np.eye(5), atol=1e-5)
    np.testing.assert_allclose(weighted, left * scaled.singular_values_, rtol=1e-4, atol=1e-6)


def test_conditional_weighting_fits() -> None:
    vectors = NgramEmbedder(dim=4, min_count=1, weighting="conditional").fit(ROTATIONS)

    assert vectors.vectors.shape == (20, 4)
    assert np.isfinite(vectors.vectors).all()


def test_neighbours_follow_cooccurrence() -> None:
    # "fever" and "pyrexia" share every context; "aspirin" and "ibuprofen" share others.
    documents = (
        [["patient", "had", "fever", "and", "chills"]] * 10
        + [["patient", "had", "pyrexia", "and", "chills"]] * 10
        + [["took", "aspirin", "for", "pain", "relief"]] * 10
        + [["took", "ibuprofen", "for", "pain", "relief"]] * 10
    )

    vectors = NgramEmbedder(dim=4, min_count=1, window=2).fit(documents)

    assert vectors.most_similar("fever", topn=1)[0][0] == "pyrexia"
    assert vectors.most_similar("aspirin", topn=1)[0][0] == "ibuprofen"


def test_reads_tokens_file(tmp_path: Path) -> None:
    path = tmp_path / "tokens.txt"
    path.write_text("\n".join(" ".join(document) for document in ROTATIONS) + "\n", encoding="utf-8")

    from_file = NgramEmbedder(dim=3, min_count=1).fit(TokensFile(path))
    from_list = NgramEmbedder(dim=3, min_count=1).fit(ROTATIONS)

    np.testing.assert_array_equal(from_file.vectors, from_list.vectors)
    assert from_file.metadata["corpus"] == {"documents": 20, "tokens": 400}


def test_save_and_load(tmp_path: Path) -> None:
    embedder = NgramEmbedder(dim=3, min_count=1, seed=4)
    vectors = embedder.fit(ROTATIONS)

    embedder.save(tmp_path / "saved")
    loaded = NgramEmbedder.load(tmp_path / "saved")

    assert loaded.config == embedder.config
    np.testing.assert_array_equal(loaded.vectors_.vectors, vectors.vectors)
    assert loaded.vectors_.metadata["embedder"] == "ngram"
    assert loaded.vectors_.metadata["seed"] == 4


def test_contract() -> None:
    assert len(check_plugin("embedder", "ngram")) == 6
