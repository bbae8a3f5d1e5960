"""The n-gram count store and the Kneser-Ney language model (``ngram-lm``)."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import medrep
from medrep.errors import DataError, NotFittedError
from medrep_text.explorers.ngram_lm import NgramLanguageModel
from medrep_text.ngram.counts import BOS, EOS, NgramCounts, build_counts
from medrep_text.ngram.kneser_ney import estimate_discounts
from medrep_text.tokens_file import TokensFile

# Three documents, ten tokens: a 3, b 4, c 2, d 1.
DOCUMENTS = [["a", "b", "c", "a", "b"], ["b", "c"], ["a", "b", "d"]]


def _model(order: int, **options: object) -> NgramLanguageModel:
    return medrep.get("explorer", "ngram-lm", order=order, **options).fit(DOCUMENTS)


# -- an independent reference: Counter of tuples and the textbook recursion ------------------


def _padded(documents: list[list[str]]) -> list[list[str]]:
    return [[BOS, *document, EOS] for document in documents if document]


def _raw_counts(documents: list[list[str]], order: int) -> Counter[tuple[str, ...]]:
    counts: Counter[tuple[str, ...]] = Counter()
    for document in _padded(documents):
        for k in range(1, order + 1):
            for start in range(len(document) - k + 1):
                counts[tuple(document[start : start + k])] += 1
    return counts


def _adjusted_counts(documents: list[list[str]], order: int) -> dict[tuple[str, ...], int]:
    raw = _raw_counts(documents, order)
    left: defaultdict[tuple[str, ...], set[str]] = defaultdict(set)
    for gram in raw:
        if len(gram) > 1:
            left[gram[1:]].add(gram[0])
    adjusted = {}
    for gram, count in raw.items():
        if gram == (BOS,):
            adjusted[gram] = 0
        elif len(gram) == order or gram[0] == BOS:
            adjusted[gram] = count
        else:
            adjusted[gram] = len(left[gram])
    return adjusted


def _reference_probability(documents: list[list[str]], order: int, word: str, context: tuple[str, ...]) -> float:
    adjusted = _adjusted_counts(documents, order)
    vocabulary = sorted({token for document in _padded(documents) for token in document} - {BOS})
    discounts = {}
    for k in range(2, order + 1):
        values = [count for gram, count in adjusted.items() if len(gram) == k]
        n1, n2 = values.count(1), values.count(2)
        discounts[k] = n1 / (n1 + 2 * n2) if n1 else 0.5

    def probability(history: tuple[str, ...]) -> float:
        if not history:
            return adjusted.get((word,), 0) / sum(adjusted[(token,)] for token in vocabulary)
        block = {token: adjusted[history + (token,)] for token in vocabulary if history + (token,) in adjusted}
        if not block:
            return probability(history[1:])
        total, discount = sum(block.values()), discounts[len(history) + 1]
        return max(block.get(word, 0) - discount, 0) / total + discount * len(block) / total * probability(history[1:])

    return probability(context[-(order - 1) :] if order > 1 else ())


def _decode(counts: NgramCounts, order: int) -> dict[tuple[str, ...], int]:
    """Turn the sorted key arrays of one order back into token tuples with their raw counts."""
    grams: list[tuple[str, ...]] = [(counts.vocabulary[int(key)],) for key in counts.keys[0]]
    for k in range(2, order + 1):
        keys = counts.keys[k - 1]
        grams = [grams[int(key) // counts.size] + (counts.vocabulary[int(key) % counts.size],) for key in keys]
    return dict(zip(grams, (int(value) for value in counts.counts[order - 1])))


# -- counts -----------------------------------------------------------------------------------


@pytest.mark.parametrize("order", [2, 3, 4], ids=["bigram", "trigram", "4-gram"])
def test_counts_match_counter_of_tuples(order: int) -> None:
    counts = build_counts(DOCUMENTS, order)
    reference = _raw_counts(DOCUMENTS, order)

    for k in range(1, order + 1):
        assert _decode(counts, k) == {gram: count for gram, count in reference.items() if len(gram) == k}


@pytest.mark.parametrize("order", [2, 3, 4], ids=["bigram", "trigram", "4-gram"])
def test_adjusted_counts_are_continuation_counts(order: int) -> None:
    counts = build_counts(DOCUMENTS, order)
    reference = _adjusted_counts(DOCUMENTS, order)

    for k in range(1, order + 1):
        grams = list(_decode(counts, k))
        assert dict(zip(grams, counts.adjusted[k - 1].tolist())) == {gram: reference[gram] for gram in grams}


def test_counts_keys_are_sorted_integer_arrays() -> None:
    counts = build_counts(DOCUMENTS, 3)

    for keys in counts.keys:
        assert keys.dtype == np.int64
        assert bool(np.all(np.diff(keys) > 0))
    assert counts.ngram_counts() == [6, 9, 9]
    assert counts.tokens == 10
    assert counts.documents == 3


def test_counts_never_cross_documents() -> None:
    counts = build_counts([["x", "y"], ["z"]], 2)

    assert counts.find(counts.ids(["y", "z"])) == -1
    assert counts.find(counts.ids(["y", EOS])) >= 0


def test_find_returns_minus_one_for_unknown() -> None:
    counts = build_counts(DOCUMENTS, 3)

    assert counts.find(counts.ids(["a", "b"])) >= 0
    assert counts.find(counts.ids(["b", "a"])) == -1
    assert counts.find(counts.ids(["unseen"])) == -1
    assert counts.find([]) == -1


def test_discounts_are_ney_estimates() -> None:
    counts = build_counts(DOCUMENTS, 3)

    # Order 2 adjusted counts: six 1s and three 2s; order 3 raw counts: eight 1s, one 2.
    assert estimate_discounts(counts)[1:] == [pytest.approx(6 / 12), pytest.approx(8 / 10)]


# -- probabilities ----------------------------------------------------------------------------


def test_probability_exact_value() -> None:
    model = _model(3)

    # P2(c | b) = (2 - 1/2) / 4 + (1/2 * 3 / 4) * 1/9 = 5/12, then
    # P3(c | a b) = (1 - 4/5) / 3 + (4/5 * 3 / 3) * 5/12 = 2/5.
    result = model.probability("c", ["a", "b"])

    assert result.probability == pytest.approx(float(Fraction(2, 5)), abs=1e-12)
    assert result.known is True
    assert result.backed_off is False
    assert result.context_used == ["a", "b"]


def test_next_words_exact_table() -> None:
    model = _model(3)

    result = model.next_words("a b", k=3)

    assert [word for word, _ in result.words] == ["c", EOS, "d"]
    assert [probability for _, probability in result.words] == pytest.approx([2 / 5, 4 / 15, 1 / 5], abs=1e-12)


@pytest.mark.parametrize("order", [2, 3, 4, 6], ids=["bigram", "trigram", "4-gram", "6-gram"])
def test_probabilities_match_reference(order: int) -> None:
    model = _model(order)
    words = ["a", "b", "c", "d", EOS, "unseen"]
    contexts = [()] + [tuple(context) for length in (1, 2, 3) for context in itertools.product(["a", "b", "c", "x"], repeat=length)]

    for context in contexts:
        for word in words:
            expected = _reference_probability(DOCUMENTS, order, word, context)
            assert model.probability(word, list(context)).probability == pytest.approx(expected, abs=1e-12), (word, context)


@pytest.mark.parametrize("order", [1, 2, 3, 7], ids=["unigram", "bigram", "trigram", "7-gram"])
def test_distribution_sums_to_one(order: int) -> None:
    model = _model(order)

    for context in ([], ["a"], ["b", "c"], ["c", "a", "b"], ["x", "y"], ["a", "x"], ["x", "a"]):
        probabilities, _ = model.distribution(context)
        assert probabilities.sum() == pytest.approx(1.0, abs=1e-12)
        assert probabilities[0] == 0.0 or order == 1


def test_unseen_context_backs_off_to_unigram() -> None:
    model = _model(3)

    result = model.next_words(["never", "seen"], k=5)

    # Continuation counts: </s> follows b, c and d (3); a follows <s> and c (2); b follows
    # a and <s> (2); c and d follow b only (1 each); 9 distinct bigrams in all.
    assert result.backed_off is True
    assert result.context_used == []
    assert result.words == [
        (EOS, pytest.approx(3 / 9)),
        ("a", pytest.approx(2 / 9)),
        ("b", pytest.approx(2 / 9)),
        ("c", pytest.approx(1 / 9)),
        ("d", pytest.approx(1 / 9)),
    ]


def test_partly_seen_context_flags_back_off() -> None:
    model = _model(3)

    result = model.probability("c", ["x", "b"])

    assert result.backed_off is True
    assert result.context_used == ["b"]
    assert result.probability == pytest.approx(5 / 12, abs=1e-12)


def test_unknown_word_has_zero_probability() -> None:
    result = _model(3).probability("zebra", ["a"])

    assert result.known is False
    assert result.probability == 0.0


def test_order_one_gives_unigram_frequencies() -> None:
    model = _model(1)

    result = model.next_words(["a", "b"], k=10)

    assert result.words == [("b", 0.4), ("a", 0.3), ("c", 0.2), ("d", 0.1)]
    assert result.backed_off is False
    assert model.counts_.vocabulary == ["a", "b", "c", "d"]


def test_order_above_every_document_still_answers() -> None:
    # The longest padded document has 7 tokens, so no 8-, 9- or 10-gram exists.
    model = _model(10)

    assert model.counts_.ngram_counts()[7:] == [0, 0, 0]
    result = model.probability(EOS, ["b", "c", "a", "b", "c", "a", "b"])
    assert result.backed_off is True
    assert result.context_used == ["a", "b", "c", "a", "b"]
    expected = _reference_probability(DOCUMENTS, 10, EOS, ("b", "c", "a", "b", "c", "a", "b"))
    assert result.probability == pytest.approx(expected, abs=1e-12)
    # Orders 4 to 6 see one continuation each with discount 1, so they pass everything down:
    # P2(</s> | b) = 0.5 / 4 + (0.5 * 3 / 4) * 3/9 = 1/4 and P3(</s> | a b) = 0.2 / 3 + 0.8 / 4 = 4/15.
    assert result.probability == pytest.approx(4 / 15, abs=1e-12)


def test_fixed_discount_applies_to_every_order() -> None:
    model = _model(3, discount=0.75)

    assert model.discounts_ == [0.75, 0.75, 0.75]
    # P2(c | b) = 1.25 / 4 + 0.75 * 3 / 4 * 1/9 = 3/8; P3(c | a b) = 0.25 / 3 + 0.75 * 3/8 = 0.364583...
    assert model.probability("c", "a b").probability == pytest.approx(0.25 / 3 + 0.75 * 3 / 8, abs=1e-12)


# -- inputs that must fail clearly ------------------------------------------------------------


def test_empty_tokens_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.tokens.txt"
    path.write_text("\n\n", encoding="utf-8")

    with pytest.raises(DataError, match=r"the tokens file .*empty\.tokens\.txt has no tokens"):
        medrep.get("explorer", "ngram-lm").fit(TokensFile(path))


@pytest.mark.parametrize("documents", [[], [[]]], ids=["no-documents", "one-empty-document"])
def test_empty_corpus_raises(documents: list[list[str]]) -> None:
    with pytest.raises(DataError, match="the corpus has no tokens"):
        medrep.get("explorer", "ngram-lm").fit(documents)


def test_query_before_fit_raises() -> None:
    with pytest.raises(NotFittedError):
        medrep.get("explorer", "ngram-lm").next_words("a")


@pytest.mark.parametrize("options", [{"order": 0}, {"discount": 1.5}, {"top_k": 0}], ids=["order-0", "discount-1.5", "top-k-0"])
def test_invalid_options_are_rejected(options: dict[str, object]) -> None:
    with pytest.raises(medrep.PluginConfigError):
        medrep.get("explorer", "ngram-lm", **options)


# -- persistence ------------------------------------------------------------------------------


def test_save_load_round_trip(tmp_path: Path) -> None:
    model = _model(4, top_k=3)

    model.save(tmp_path / "lm")
    loaded = NgramLanguageModel.load(tmp_path / "lm")

    assert sorted(path.name for path in (tmp_path / "lm").iterdir()) == ["model.json", "ngram.npz"]
    assert loaded.get_params() == model.get_params()
    assert loaded.discounts_ == model.discounts_
    for context in ([], ["a", "b"], ["x"], ["c", "a", "b"]):
        assert loaded.next_words(context) == model.next_words(context)


def test_load_missing_model_raises(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no saved n-gram model"):
        NgramLanguageModel.load(tmp_path)


# -- explorer ---------------------------------------------------------------------------------


def test_explore_lists_next_words() -> None:
    model = medrep.get("explorer", "ngram-lm", order=3, contexts=["a b", "never seen"], top_k=2)

    result = model.explore(documents=DOCUMENTS)

    assert [(row["context"], row["rank"], row["word"]) for row in result.rows] == [
        ("a b", 1, "c"),
        ("a b", 2, EOS),
        ("never seen", 1, EOS),
        ("never seen", 2, "a"),
    ]
    assert [row["backed_off"] for row in result.rows] == [False, False, True, True]
    assert result.data["ngrams"] == {1: 6, 2: 9, 3: 9}
    assert result.data["tokens"] == 10
    assert result.warnings == ["context 'never seen' was not seen in full; the result backs off to: no context (unigram distribution)"]


def test_explore_without_documents_raises() -> None:
    with pytest.raises(DataError, match="needs the tokenized corpus"):
        medrep.get("explorer", "ngram-lm").explore()
