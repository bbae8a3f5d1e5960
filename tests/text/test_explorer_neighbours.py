"""The ``neighbours`` explorer: nearest words and analogies."""

from __future__ import annotations

import math

import numpy as np
import pytest
from gensim.models import KeyedVectors as GensimKeyedVectors

import medrep
from medrep.errors import DataError
from medrep_text.vectors import KeyedVectors

WORDS = ["a", "b", "c", "d", "man", "woman", "king", "queen"]
MATRIX = np.array(
    [
        [1.0, 0.0, 0.0],
        [0.8, 0.6, 0.0],
        [0.0, 1.0, 0.0],
        [-1.0, 0.0, 0.0],
        [0.0, 0.0, 1.0],
        [0.0, 0.8, 0.6],
        [0.6, 0.0, 0.8],
        [0.6, 0.6, 0.5],
    ],
    dtype=np.float32,
)


def _gensim() -> GensimKeyedVectors:
    keyed = GensimKeyedVectors(vector_size=3)
    keyed.add_vectors(WORDS, MATRIX)
    return keyed


@pytest.fixture(params=["medrep", "gensim"])
def vectors(request: pytest.FixtureRequest) -> object:
    return KeyedVectors(MATRIX, WORDS) if request.param == "medrep" else _gensim()


def test_nearest_neighbours_exact(vectors: object) -> None:
    result = medrep.get("explorer", "neighbours", targets=["a"], top_k=2).explore(vectors)

    assert [(row["query"], row["rank"], row["word"]) for row in result.rows] == [("a", 1, "b"), ("a", 2, "queen")]
    assert result.rows[0]["cosine"] == pytest.approx(0.8)
    assert result.rows[1]["cosine"] == pytest.approx(0.6 / math.sqrt(0.36 + 0.36 + 0.25), rel=1e-6)


def test_analogy_matches_gensim(vectors: object) -> None:
    result = medrep.get("explorer", "neighbours", targets=[], analogies=[["king", "man", "woman"]], top_k=3).explore(vectors)
    expected = _gensim().most_similar(positive=["king", "woman"], negative=["man"], topn=3)

    assert [row["word"] for row in result.rows] == [word for word, _ in expected]
    assert [row["cosine"] for row in result.rows] == pytest.approx([score for _, score in expected], abs=1e-6)
    assert result.rows[0]["word"] == "queen"
    assert {row["query"] for row in result.rows} == {"king - man + woman"}


def test_unknown_words_warn(vectors: object) -> None:
    explorer = medrep.get("explorer", "neighbours", targets=["coronavirus", "a"], analogies=[["king", "man", "virus"]], top_k=1)

    result = explorer.explore(vectors)

    assert [row["query"] for row in result.rows] == ["a"]
    assert result.warnings == ["target 'coronavirus' has no vector", "analogy 'king - man + virus': no vector for virus"]
    assert list(result.data["results"]) == ["a"]


def test_analogy_needs_three_words() -> None:
    with pytest.raises(medrep.PluginConfigError):
        medrep.get("explorer", "neighbours", analogies=[["king", "man"]])


def test_top_k_larger_than_vocabulary(vectors: object) -> None:
    result = medrep.get("explorer", "neighbours", targets=[], analogies=[["a", "b", "c"]], top_k=50).explore(vectors)

    assert len(result.rows) == len(WORDS) - 3


def test_vectors_required() -> None:
    with pytest.raises(DataError, match="needs keyed vectors"):
        medrep.get("explorer", "neighbours").explore(None, [["a"]])
