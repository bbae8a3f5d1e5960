"""Word-pair benchmark files and the correlation of vectors with them."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from gensim.models import KeyedVectors

from medrep.errors import DataError
from medrep_text.benchmarks import (
    MIN_PAIRS,
    WordPair,
    benchmark_name,
    find_benchmark_files,
    read_word_pairs,
    score_pairs,
    term_vector,
)


@pytest.fixture
def vectors() -> KeyedVectors:
    """Four 2-D vectors with known cosines: a.b = 0.8, a.c = 0, a.d = -1, b.c = 0.6."""
    keyed = KeyedVectors(vector_size=2)
    keyed.add_vectors(["a", "b", "c", "d"], np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [-1.0, 0.0]], dtype=np.float32))
    return keyed


PAIRS = [WordPair("a", "b", 3.0), WordPair("a", "c", 2.0), WordPair("a", "d", 1.0), WordPair("b", "c", 2.5)]


def test_read_word_pairs(tmp_path: Path) -> None:
    path = tmp_path / "pairs.txt"
    path.write_text("renal failure\tkidney failure\t4\n\nheart\tmyocardium\t3.15\n", encoding="utf-8")

    assert read_word_pairs(path) == [WordPair("renal failure", "kidney failure", 4.0), WordPair("heart", "myocardium", 3.15)]


@pytest.mark.parametrize(
    ("content", "message"),
    [("a\tb\n", "line 1: expected 'word1<TAB>word2<TAB>score'"), ("a\tb\t1\nc d 2\n", "line 2: expected"), ("a\tb\thigh\n", "line 1: score 'high' is not a number")],
    ids=["two-fields", "spaces", "text-score"],
)
def test_malformed_pairs_raise(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(DataError, match=message):
        read_word_pairs(path)


def test_long_malformed_line_is_shortened(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("x" * 1900 + "\n", encoding="utf-8")

    with pytest.raises(DataError) as caught:
        read_word_pairs(path)

    assert caught.value.message.endswith(f"got '{'x' * 80}... (1820 more characters)'")


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="benchmark file not found"):
        read_word_pairs(tmp_path / "absent.txt")


def test_scores_known_cosines(vectors: KeyedVectors) -> None:
    score = score_pairs(vectors, PAIRS, name="toy")

    # Cosines 0.8, 0, -1, 0.6 rank the pairs exactly as the human scores 3, 2, 1, 2.5 do.
    assert score.spearman == pytest.approx(1.0)
    assert score.pearson == pytest.approx(np.corrcoef([0.8, 0.0, -1.0, 0.6], [3.0, 2.0, 1.0, 2.5])[0, 1])
    assert (score.pairs, score.covered, score.out_of_vocabulary) == (4, 4, 0)
    assert score.warnings == []


@pytest.mark.parametrize("covered", [0, 1, 2], ids=["none", "one", "two"])
def test_too_few_pairs_give_nan(vectors: KeyedVectors, covered: int) -> None:
    pairs = PAIRS[:covered] + [WordPair("a", "unknown", 1.0), WordPair("x", "y", 2.0)]

    score = score_pairs(vectors, pairs, name="toy")

    assert math.isnan(score.spearman)
    assert math.isnan(score.pearson)
    assert score.covered == covered
    assert score.out_of_vocabulary == 2
    assert score.missing_terms == ["unknown", "x", "y"]
    assert score.warnings == [
        f"toy: only {covered} of {covered + 2} pairs have vectors for both terms; a correlation needs at least {MIN_PAIRS}, so it is reported as NaN"
    ]


def test_constant_scores_give_nan(vectors: KeyedVectors) -> None:
    pairs = [WordPair("a", "b", 1.0), WordPair("a", "c", 1.0), WordPair("a", "d", 1.0)]

    score = score_pairs(vectors, pairs, name="flat")

    assert math.isnan(score.spearman)
    assert score.warnings == ["flat: the model or human scores of the 3 covered pairs are all equal; correlation is NaN"]


def test_low_coverage_warns(vectors: KeyedVectors) -> None:
    pairs = PAIRS[:3] + [WordPair("x", "y", 1.0)] * 4

    score = score_pairs(vectors, pairs, name="sparse")

    assert score.spearman == pytest.approx(1.0)
    assert score.coverage == pytest.approx(3 / 7)
    assert score.warnings == ["sparse: only 3 of 7 pairs (43%) are covered; the correlation describes that subset only"]


@pytest.mark.parametrize(
    ("rule", "term", "expected"),
    [
        ("mean", "a b", [0.9, 0.3]),
        ("mean", "a zebra", None),
        ("mean-known", "a zebra", [1.0, 0.0]),
        ("mean-known", "zebra okapi", None),
        ("skip", "a b", None),
        ("skip", "a", [1.0, 0.0]),
    ],
    ids=["mean-all-known", "mean-one-unknown", "mean-known-partial", "mean-known-none", "skip-multiword", "skip-single"],
)
def test_multiword_rules(vectors: KeyedVectors, rule: str, term: str, expected: list[float] | None) -> None:
    vector = term_vector(vectors, term, rule)  # type: ignore[arg-type]

    if expected is None:
        assert vector is None
    else:
        assert vector == pytest.approx(expected)


def test_whole_term_key_is_used_first() -> None:
    keyed = KeyedVectors(vector_size=2)
    keyed.add_vectors(["a", "b", "a b"], np.array([[1.0, 0.0], [0.8, 0.6], [0.0, -1.0]], dtype=np.float32))

    assert term_vector(keyed, "a b", "mean") == pytest.approx([0.0, -1.0])


def test_lowercase_option(vectors: KeyedVectors) -> None:
    pairs = [WordPair("A", "B", 3.0), WordPair("A", "C", 2.0), WordPair("A", "D", 1.0)]

    assert score_pairs(vectors, pairs, name="upper").covered == 3
    assert score_pairs(vectors, pairs, name="upper", lowercase=False).covered == 0


def test_find_benchmark_files(data_dir: Path) -> None:
    files = find_benchmark_files([str(data_dir / "text/benchmarks")])

    assert [benchmark_name(path) for path in files] == [
        "MayoSRS/MayoSRS",
        "MayoSRS/MiniMayoSRS",
        "UMNSRS/UMNSRS-rel",
        "UMNSRS/UMNSRS-sim",
        "bio-simverb/Bio-SimVerb",
    ]


@pytest.mark.parametrize(
    ("name", "pairs"),
    [("UMNSRS/UMNSRS-sim.txt", 566), ("UMNSRS/UMNSRS-rel.txt", 587), ("MayoSRS/MayoSRS.txt", 101), ("MayoSRS/MiniMayoSRS.txt", 29), ("bio-simverb/Bio-SimVerb.txt", 1000)],
    ids=["umnsrs-sim", "umnsrs-rel", "mayosrs", "minimayosrs", "bio-simverb"],
)
def test_real_files_parse(data_dir: Path, name: str, pairs: int) -> None:
    assert len(read_word_pairs(data_dir / "text/benchmarks" / name)) == pairs


def test_missing_benchmark_path_raises(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="benchmark file or folder not found"):
        find_benchmark_files([str(tmp_path / "absent")])
