"""The ``regex`` tokenizer."""

from __future__ import annotations

import pytest

import medrep
from medrep.errors import PluginConfigError

BIOMEDICAL = "IL\u20106 and TNF-α levels in SARS-CoV-2 \u2013 COVID-19 (2019-nCoV); cafe\u0301"


def test_compounds_kept_after_normalisation() -> None:
    tokenizer = medrep.get("tokenizer", "regex", keep_compounds=True, lowercase=True)

    tokens = tokenizer.tokenize(BIOMEDICAL)

    assert tokens == ["il-6", "and", "tnf-α", "levels", "in", "sars-cov-2", "covid-19", "2019-ncov", "café"]


def test_default_splits_at_non_word() -> None:
    tokenizer = medrep.get("tokenizer", "regex")

    tokens = tokenizer.tokenize(BIOMEDICAL)

    assert tokens == ["il", "6", "and", "tnf", "α", "levels", "in", "sars", "cov", "2", "covid", "19", "2019", "ncov", "café"]


def test_case_kept_without_lowercase() -> None:
    tokenizer = medrep.get("tokenizer", "regex", lowercase=False, keep_compounds=True)

    assert tokenizer.tokenize("SARS-CoV-2 binds ACE2.") == ["SARS-CoV-2", "binds", "ACE2"]


def test_without_normalisation_marks_split() -> None:
    tokenizer = medrep.get("tokenizer", "regex", normalize=False, keep_compounds=True)

    assert tokenizer.tokenize("IL\u20106 cafe\u0301") == ["il", "6", "cafe"]


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        (r"[^,]+", "a b,c", ["a", "b", "c"]),
        (r"(\d+)(mg)", "5mg and 10mg", ["5mg", "10mg"]),
        (r"\w*", "x, y", ["x", "y"]),
    ],
    ids=["matches-whitespace", "has-groups", "matches-empty"],
)
def test_custom_pattern_whole_matches(pattern: str, text: str, expected: list[str]) -> None:
    tokenizer = medrep.get("tokenizer", "regex", pattern=pattern)

    assert tokenizer.tokenize(text) == expected


def test_invalid_pattern_rejected() -> None:
    with pytest.raises(PluginConfigError, match="pattern: Value error, invalid regular expression"):
        medrep.get("tokenizer", "regex", pattern="(unclosed")


def test_empty_text_gives_no_tokens() -> None:
    assert medrep.get("tokenizer", "regex").tokenize("") == []
