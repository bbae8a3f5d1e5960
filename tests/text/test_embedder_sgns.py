"""The sgns embedder: gensim skip-gram, streamed corpus, long documents, determinism."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import medrep
from medrep.errors import DataError
from medrep.testing import check_plugin
from medrep_text.tokens_file import TokensFile

WORDS = [f"w{index:02d}" for index in range(50)]


def random_documents(count: int, length: int, seed: int = 0) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    return [[WORDS[index] for index in rng.integers(0, len(WORDS), length)] for _ in range(count)]


class CountingCorpus:
    """Restartable corpus that counts how often it is read from the start."""

    def __init__(self, documents: list[list[str]]) -> None:
        self.documents = documents
        self.passes = 0

    def __iter__(self) -> Iterator[list[str]]:
        self.passes += 1
        yield from self.documents


def small(**options: object) -> object:
    defaults = {"vector_size": 8, "min_count": 1, "epochs": 2}
    return medrep.get("embedder", "sgns", **{**defaults, **options})


def test_deterministic_with_seed_and_one_worker() -> None:
    documents = random_documents(40, 30)

    first = small(seed=3).fit(documents)
    second = small(seed=3).fit(documents)
    other = small(seed=4).fit(documents)

    assert first.index_to_key == second.index_to_key
    np.testing.assert_array_equal(first.vectors, second.vectors)
    assert not np.array_equal(first.vectors, other.vectors)


@pytest.mark.parametrize("length", [10_000, 10_001, 25_000], ids=["at-limit", "one-over", "two-and-a-half"])
def test_long_documents_keep_every_token(length: int) -> None:
    documents = random_documents(1, length) + random_documents(1, 100, seed=1)

    vectors = small(sample=0.0, epochs=1).fit(documents)

    assert vectors.metadata["raw_words"] == length + 100
    assert vectors.metadata["trained_words"] == length + 100
    assert vectors.metadata["corpus"] == {"documents": 2, "tokens": length + 100}


def test_gensim_alone_drops_tokens_past_limit() -> None:
    from gensim.models import Word2Vec

    documents = random_documents(1, 25_000) + random_documents(1, 100, seed=1)
    model = Word2Vec(sg=1, vector_size=8, min_count=1, sample=0.0, epochs=1, workers=1, seed=0)
    model.build_vocab(documents)

    trained, raw = model.train(documents, total_examples=2, epochs=1)

    # This is the loss the embedder's splitting avoids.
    assert (trained, raw) == (10_100, 25_100)


def test_reads_corpus_once_per_epoch_plus_vocabulary() -> None:
    corpus = CountingCorpus(random_documents(20, 30))

    small(epochs=3).fit(corpus)

    assert corpus.passes == 4


def test_tokens_file_matches_list(tmp_path: Path) -> None:
    documents = random_documents(30, 25)
    path = tmp_path / "tokens.txt"
    path.write_text("".join(" ".join(document) + "\n" for document in documents), encoding="utf-8")

    from_file = small().fit(TokensFile(path))
    from_list = small().fit(documents)

    assert from_file.index_to_key == from_list.index_to_key
    np.testing.assert_array_equal(from_file.vectors, from_list.vectors)


def test_string_document_raises_with_index() -> None:
    documents = random_documents(3, 10)
    documents.insert(1, "fever and cough")

    with pytest.raises(TypeError, match="document 1 is a str, not a list of tokens; tokenize first"):
        small().fit(documents)


def test_generator_raises() -> None:
    with pytest.raises(TypeError, match="reads the corpus more than once, but got a one-shot generator"):
        small().fit(document for document in random_documents(3, 10))


def test_whole_string_corpus_raises() -> None:
    with pytest.raises(TypeError, match="expects an iterable of token lists, got one str"):
        small().fit("fever and cough")


def test_vocabulary_limits() -> None:
    documents = [["a"] * 5 + ["b"] * 4 + ["c"] * 3 + ["d"] * 2 + ["e"]]

    by_count = small(min_count=2).fit(documents)
    by_size = small(max_vocab=3).fit(documents)

    assert by_count.index_to_key == ["a", "b", "c", "d"]
    assert by_size.index_to_key == ["a", "b", "c"]


def test_empty_vocabulary_raises() -> None:
    with pytest.raises(DataError, match="no word occurs at least min_count=5 times in 3 tokens"):
        small(min_count=5).fit([["a", "b", "c"]])


def test_metadata() -> None:
    vectors = small(seed=9).fit(random_documents(5, 20))

    assert vectors.metadata["embedder"] == "sgns"
    assert vectors.metadata["seed"] == 9
    assert vectors.metadata["config"]["vector_size"] == 8
    assert vectors.metadata["corpus"] == {"documents": 5, "tokens": 100}


def test_contract() -> None:
    assert len(check_plugin("embedder", "sgns")) == 6
