"""The ``bpe`` tokenizer: training, byte fallback, offsets, saving and loading."""

from __future__ import annotations

from pathlib import Path

import pytest

import medrep
from medrep.errors import DataError, NotFittedError
from medrep_text.tokenizers.bpe import BpeTokenizer

TINY_CORPUS = ["abc abc ab"] * 10
UNSEEN = "abz 😀 Ωx"


def test_tiny_vocabulary_uses_bytes() -> None:
    tokenizer = medrep.get("tokenizer", "bpe", vocab_size=10, min_frequency=1).fit(TINY_CORPUS)

    pieces = tokenizer.tokenize_with_offsets(UNSEEN)

    assert pieces == [
        ("ab", (0, 2)), ("<0x7A>", (2, 3)),
        ("<0xF0>", (4, 5)), ("<0x9F>", (4, 5)), ("<0x98>", (4, 5)), ("<0x80>", (4, 5)),
        ("<0xCF>", (6, 7)), ("<0x89>", (6, 7)), ("<0x78>", (7, 8)),
    ]  # fmt: skip
    covered = {index for _, (start, end) in pieces for index in range(start, end)}
    assert covered == {index for index, character in enumerate(UNSEEN) if not character.isspace()}
    assert [tokenizer.is_unknown(token) for token, _ in pieces] == [False] + [True] * 8


def test_unknown_token_without_byte_fallback() -> None:
    tokenizer = medrep.get("tokenizer", "bpe", vocab_size=10, min_frequency=1, byte_fallback=False).fit(TINY_CORPUS)

    pieces = tokenizer.tokenize_with_offsets(UNSEEN)

    assert pieces == [("ab", (0, 2)), ("[UNK]", (2, 3)), ("[UNK]", (4, 5)), ("[UNK]", (6, 7)), ("[UNK]", (7, 8))]
    assert tokenizer.is_unknown("[UNK]")


def test_compounds_pre_tokenizer_learns_covid() -> None:
    corpus = ["COVID-19 patients and SARS-CoV-2 tests", "covid-19 wards, covid-19 beds."] * 30
    tokenizer = medrep.get("tokenizer", "bpe", vocab_size=200, pre_tokenizer="compounds").fit(corpus)

    assert tokenizer.tokenize("COVID-19, and SARS-CoV-2 wards") == ["covid-19", ",", "and", "sars-cov-2", "wards"]


def test_punctuation_pre_tokenizer_splits_hyphens() -> None:
    corpus = ["COVID-19 patients and SARS-CoV-2 tests", "covid-19 wards, covid-19 beds."] * 30
    tokenizer = medrep.get("tokenizer", "bpe", vocab_size=200).fit(corpus)

    assert tokenizer.tokenize("COVID\u201019, wards") == ["covid", "-", "19", ",", "wards"]


def test_python_only_whitespace_splits() -> None:
    tokenizer = medrep.get("tokenizer", "bpe", vocab_size=60, min_frequency=1).fit(["ab cd"] * 5)

    assert tokenizer.tokenize("ab\x1fcd\x1cab") == ["ab", "cd", "ab"]


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    tokenizer = medrep.get("tokenizer", "bpe", vocab_size=40, min_frequency=1, special_tokens=["[UNK]", "[PAD]"])
    tokenizer.fit(TINY_CORPUS)

    saved = tokenizer.save(tmp_path / "state")
    loaded = BpeTokenizer.load(saved)

    assert (saved / "tokenizer.json").is_file()
    assert loaded.get_params() == tokenizer.get_params()
    assert loaded.tokenize(UNSEEN) == tokenizer.tokenize(UNSEEN)
    assert loaded.backend.token_to_id("[PAD]") == 1


def test_load_of_empty_folder_explains(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no saved bpe tokenizer in .*: tokenizer.json or medrep-tokenizer.json is missing"):
        BpeTokenizer.load(tmp_path)


def test_tokenize_before_fit_raises() -> None:
    tokenizer = medrep.get("tokenizer", "bpe")

    assert not tokenizer.is_fitted
    with pytest.raises(NotFittedError, match="has not been trained"):
        tokenizer.tokenize("text")
