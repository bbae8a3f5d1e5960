"""The ``tsne`` explorer: word choice, perplexity clamping, the figure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from gensim.models import KeyedVectors

import medrep
from medrep.errors import DataError, PluginConfigError
from medrep_text.explorers._common import save_figure

WORDS = ["the", "of", "fever", "cough", "tumor", "aspirin", "lung", "was", "ibuprofen", "liver", "and", "heart"]

TABLE = """term\tcategory\tmentions
fever\tSymptom\t5
cough\tSymptom\t5
tumor\tDisease\t9
tumor\tAnatomy\t2
aspirin\tChemical\t4
ibuprofen\tChemical\t3
lung\tAnatomy\t7
liver\tAnatomy\t2
heart\tAnatomy\t2
WAS\tDisease\t74
"""


@pytest.fixture
def vectors() -> KeyedVectors:
    rng = np.random.default_rng(0)
    keyed = KeyedVectors(vector_size=6)
    keyed.add_vectors(WORDS, rng.standard_normal((len(WORDS), 6)).astype(np.float32))
    return keyed


@pytest.fixture
def entities(tmp_path: Path) -> str:
    path = tmp_path / "terms.tsv"
    path.write_text(TABLE, encoding="utf-8")
    return str(path)


def _documents() -> list[list[str]]:
    # Frequencies: the 6, of 5, was 4, fever 3, lung 3, aspirin 2, cough 2, and 1, others 1 or 0.
    return [
        ["the", "the", "the", "of", "of", "was", "was", "fever", "lung"],
        ["the", "the", "the", "of", "of", "of", "was", "was", "fever", "fever", "lung", "lung"],
        ["aspirin", "aspirin", "cough", "cough", "and", "tumor", "heart"],
    ]


def test_frequent_selection_follows_vocabulary_order(vectors: KeyedVectors) -> None:
    result = medrep.get("explorer", "tsne", top_n=5, max_iter=250).explore(vectors)

    assert result.data["words"] == ["the", "of", "fever", "cough", "tumor"]
    assert result.data["selection"] == "frequent"


def test_categorised_selection_uses_document_counts(vectors: KeyedVectors, entities: str) -> None:
    explorer = medrep.get("explorer", "tsne", entities=entities, words=["the"], top_n=4, max_iter=250)

    result = explorer.explore(vectors, _documents())

    # "was" is frequent but only the acronym WAS is in the table, so it is not an entity.
    # Equal counts keep the vocabulary order (cough before aspirin).
    assert result.data["words"] == ["the", "fever", "lung", "cough", "aspirin"]
    assert [row["category"] for row in result.rows] == ["no category", "Symptom", "Anatomy", "Symptom", "Chemical"]
    assert [row["count"] for row in result.rows] == [6, 3, 3, 2, 2]
    assert result.data["categories"] == {"no category": 1, "Symptom": 2, "Anatomy": 1, "Chemical": 1}
    assert result.warnings == ["perplexity 20 is too large for 5 points; using 1.33333, the largest value (points - 1) / 3 allows"]


def test_perplexity_is_clamped_with_warning(vectors: KeyedVectors) -> None:
    result = medrep.get("explorer", "tsne", top_n=10, perplexity=30.0, max_iter=250).explore(vectors)

    assert result.data["perplexity"] == 3.0
    assert result.data["perplexity_requested"] == 30.0
    assert result.warnings == ["perplexity 30 is too large for 10 points; using 3, the largest value (points - 1) / 3 allows"]


def test_small_perplexity_is_kept(vectors: KeyedVectors) -> None:
    result = medrep.get("explorer", "tsne", top_n=10, perplexity=2.5, max_iter=250).explore(vectors)

    assert result.data["perplexity"] == 2.5
    assert result.warnings == []


@pytest.mark.parametrize("points", [0, 1, 3], ids=["none", "one", "three"])
def test_fewer_than_four_points_raise(vectors: KeyedVectors, points: int) -> None:
    explorer = medrep.get("explorer", "tsne", top_n=points, max_iter=250)

    with pytest.raises(DataError, match=f"at least 4 words with vectors, but only {points} were chosen"):
        explorer.explore(vectors)


def test_missing_named_words_warn(vectors: KeyedVectors) -> None:
    result = medrep.get("explorer", "tsne", words=["coronavirus", "fever"], top_n=3, max_iter=250).explore(vectors)

    assert result.data["words"] == ["fever", "the", "of", "cough"]
    assert result.data["missing_words"] == ["coronavirus"]
    assert result.warnings[0] == "1 requested words have no vector and are left out: coronavirus"


def test_same_seed_same_map(vectors: KeyedVectors) -> None:
    first = medrep.get("explorer", "tsne", top_n=8, perplexity=2.0, max_iter=250, seed=3).explore(vectors)
    second = medrep.get("explorer", "tsne", top_n=8, perplexity=2.0, max_iter=250, seed=3).explore(vectors)

    assert np.array_equal(np.array(first.data["coordinates"]), np.array(second.data["coordinates"]))
    assert len(first.data["coordinates"]) == 8


def test_figure_has_labels_and_legend(vectors: KeyedVectors, entities: str, tmp_path: Path) -> None:
    result = medrep.get("explorer", "tsne", entities=entities, selection="categorised", top_n=9, max_iter=250).explore(vectors)

    axes = result.figure.axes[0]
    assert sorted(text.get_text() for text in axes.texts) == sorted(result.data["words"])
    assert [text.get_text() for text in axes.get_legend().get_texts()] == ["Anatomy", "Chemical", "Disease", "Symptom"]
    paths = save_figure(result.figure, tmp_path / "tsne")
    assert [path.name for path in paths] == ["tsne.png", "tsne.svg"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "fever" in paths[1].read_text(encoding="utf-8")


def test_categorised_without_table_is_rejected() -> None:
    with pytest.raises(PluginConfigError, match="needs an entity table"):
        medrep.get("explorer", "tsne", selection="categorised")


def test_rows_have_same_keys(vectors: KeyedVectors) -> None:
    result = medrep.get("explorer", "tsne", top_n=6, max_iter=250).explore(vectors)

    assert {tuple(row) for row in result.rows} == {("word", "category", "count", "x", "y")}


def test_vectors_required() -> None:
    with pytest.raises(DataError, match="needs keyed vectors"):
        medrep.get("explorer", "tsne").explore(None)
