"""KeyedVectors: lookups, neighbour queries, and the native and word2vec formats."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from medrep.errors import DataError
from medrep_text.vectors import KeyedVectors, UnknownWordError

WORDS = ["fever", "cough", "lung", "aspirin", "zikv", "blank"]
MATRIX = np.array(
    [
        [1.0, 0.0],  # fever
        [0.6, 0.8],  # cough: cosine 0.6 with fever
        [0.0, 1.0],  # lung: cosine 0.0 with fever, 0.8 with cough
        [-1.0, 0.0],  # aspirin: opposite of fever
        [0.0, -2.0],  # zikv
        [0.0, 0.0],  # blank: all zeros
    ],
    dtype=np.float32,
)


@pytest.fixture
def vectors() -> KeyedVectors:
    return KeyedVectors(MATRIX, WORDS, {"embedder": "hand-made", "seed": 7})


def test_lookup_protocol(vectors: KeyedVectors) -> None:
    assert len(vectors) == 6
    assert vectors.dim == 2
    assert vectors.vectors.dtype == np.float32
    assert "lung" in vectors
    assert "zika" not in vectors
    assert vectors.key_to_index["aspirin"] == 3
    assert vectors.index_to_key[1] == "cough"
    np.testing.assert_array_equal(vectors["cough"], np.array([0.6, 0.8], dtype=np.float32))
    assert list(vectors) == WORDS


def test_metadata_records_version(vectors: KeyedVectors) -> None:
    from medrep import __version__

    assert vectors.metadata == {"medrep_version": __version__, "embedder": "hand-made", "seed": 7}


def test_most_similar_exact_order(vectors: KeyedVectors) -> None:
    result = vectors.most_similar("fever", topn=3)

    # lung and blank tie at 0.0; the lower row wins.
    assert [word for word, _ in result] == ["cough", "lung", "blank"]
    assert [score for _, score in result] == pytest.approx([0.6, 0.0, 0.0], abs=1e-6)


def test_most_similar_leaves_query_out(vectors: KeyedVectors) -> None:
    result = vectors.most_similar("fever", topn=10)

    assert len(result) == 5
    assert "fever" not in [word for word, _ in result]
    assert result[-1] == ("aspirin", pytest.approx(-1.0))


def test_most_similar_by_vector(vectors: KeyedVectors) -> None:
    result = vectors.most_similar(np.array([0.0, 3.0]), topn=2)

    assert result == [("lung", pytest.approx(1.0)), ("cough", pytest.approx(0.8))]


def test_most_similar_topn_zero(vectors: KeyedVectors) -> None:
    assert vectors.most_similar("fever", topn=0) == []


def test_similarity_values(vectors: KeyedVectors) -> None:
    assert vectors.similarity("cough", "lung") == pytest.approx(0.8)
    assert vectors.similarity("lung", "zikv") == pytest.approx(-1.0)
    assert vectors.similarity("fever", "blank") == 0.0


def test_unknown_word_names_word_and_size(vectors: KeyedVectors) -> None:
    with pytest.raises(KeyError) as caught:
        vectors.most_similar("zika")

    assert isinstance(caught.value, UnknownWordError)
    assert caught.value.message == "word 'zika' is not in the vocabulary (6 words); did you mean 'zikv'?"


def test_unknown_word_in_similarity(vectors: KeyedVectors) -> None:
    with pytest.raises(UnknownWordError, match="'measles' is not in the vocabulary \\(6 words\\)"):
        vectors.similarity("fever", "measles")


def test_unknown_word_getitem(vectors: KeyedVectors) -> None:
    with pytest.raises(KeyError, match="'Fever' is not in the vocabulary"):
        vectors["Fever"]


def test_oov_ignore_warns_and_returns_empty(vectors: KeyedVectors) -> None:
    with pytest.warns(UserWarning, match="'zika' is not in the vocabulary"):
        result = vectors.most_similar("zika", oov="ignore")

    assert result == []


def test_rejects_mismatched_rows() -> None:
    with pytest.raises(DataError, match="3 vector rows but 2 words"):
        KeyedVectors(np.zeros((3, 2)), ["a", "b"])


def test_rejects_duplicate_words() -> None:
    with pytest.raises(DataError, match=r"duplicate words in the vocabulary: \['a'\]"):
        KeyedVectors(np.zeros((3, 2)), ["a", "b", "a"])


def test_native_round_trip(vectors: KeyedVectors, tmp_path: Path) -> None:
    directory = vectors.save(tmp_path / "vectors")

    assert sorted(path.name for path in directory.iterdir()) == ["metadata.json", "vectors.npy", "vocab.txt"]
    assert (directory / "vocab.txt").read_text(encoding="utf-8") == "\n".join(WORDS) + "\n"
    assert json.loads((directory / "metadata.json").read_text())["embedder"] == "hand-made"
    loaded = KeyedVectors.load(directory)
    assert loaded.index_to_key == WORDS
    np.testing.assert_array_equal(loaded.vectors, MATRIX)
    assert loaded.metadata == vectors.metadata


def test_native_vectors_load_without_pickle(vectors: KeyedVectors, tmp_path: Path) -> None:
    directory = vectors.save(tmp_path / "vectors")

    array = np.load(directory / "vectors.npy", allow_pickle=False)

    assert array.dtype == np.float32
    assert array.shape == (6, 2)


def test_native_with_wrong_vocabulary_length(vectors: KeyedVectors, tmp_path: Path) -> None:
    directory = vectors.save(tmp_path / "vectors")
    (directory / "vocab.txt").write_text("fever\ncough\n", encoding="utf-8")

    with pytest.raises(DataError, match="6 vector rows but 2 words"):
        KeyedVectors.load(directory)


def test_load_missing_path(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="vectors not found"):
        KeyedVectors.load(tmp_path / "absent")


def test_load_directory_without_vectors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="missing vectors.npy, vocab.txt"):
        KeyedVectors.load(tmp_path)


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_word2vec_read_by_gensim(vectors: KeyedVectors, tmp_path: Path, binary: bool) -> None:
    from gensim.models import KeyedVectors as GensimKeyedVectors

    path = vectors.save_word2vec(tmp_path / "vectors.w2v", binary=binary)

    loaded = GensimKeyedVectors.load_word2vec_format(str(path), binary=binary)
    assert loaded.index_to_key == WORDS
    np.testing.assert_array_equal(loaded.vectors, MATRIX)


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_word2vec_format_detected(vectors: KeyedVectors, tmp_path: Path, binary: bool) -> None:
    path = vectors.save_word2vec(tmp_path / "vectors.w2v", binary=binary)

    loaded = KeyedVectors.load(path)

    assert loaded.index_to_key == WORDS
    np.testing.assert_array_equal(loaded.vectors, MATRIX)
    assert loaded.metadata["source"] == ("word2vec-binary" if binary else "word2vec-text")


def test_word2vec_text_lines(tmp_path: Path) -> None:
    small = KeyedVectors(np.array([[0.5, -1.25]], dtype=np.float32), ["ace2"])

    path = small.save_word2vec(tmp_path / "small.txt")

    assert path.read_text(encoding="utf-8") == "1 2\nace2 0.5 -1.25\n"


def test_word2vec_float32_precision_kept(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    random = KeyedVectors(rng.standard_normal((50, 7)), [f"w{i}" for i in range(50)])

    loaded = KeyedVectors.load(random.save_word2vec(tmp_path / "random.txt"))

    np.testing.assert_array_equal(loaded.vectors, random.vectors)


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_loads_files_written_by_gensim(tmp_path: Path, binary: bool) -> None:
    from gensim.models import KeyedVectors as GensimKeyedVectors

    original = GensimKeyedVectors(3)
    original.add_vectors(["covid-19", "sars-cov-2", "ﬁbrosis"], np.arange(9, dtype=np.float32).reshape(3, 3))
    path = tmp_path / "gensim.w2v"
    original.save_word2vec_format(str(path), binary=binary)

    loaded = KeyedVectors.load(path)

    assert loaded.index_to_key == ["covid-19", "sars-cov-2", "ﬁbrosis"]
    np.testing.assert_array_equal(loaded.vectors, original.vectors)


def test_word_with_space_cannot_be_saved(tmp_path: Path) -> None:
    spaced = KeyedVectors(np.zeros((1, 2)), ["heart failure"])

    with pytest.raises(DataError, match="'heart failure' is empty or contains whitespace"):
        spaced.save_word2vec(tmp_path / "spaced.txt")
    assert not (tmp_path / "spaced.txt").exists()


def test_file_without_header(tmp_path: Path) -> None:
    path = tmp_path / "glove.txt"
    path.write_text("fever 0.1 0.2\n", encoding="utf-8")

    with pytest.raises(DataError, match="no word2vec header line"):
        KeyedVectors.load(path)
