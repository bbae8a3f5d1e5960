"""``medrep words ngram`` and the tokenization of its context."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import medrep
from medrep.errors import DataError
from medrep_text.cli import words
from medrep_text.ngram.context import tokenizer_from_metadata
from medrep_text.ngram.query import query_tokens_file

TOKENS = "the main symptoms of covid 19 are fever and cough\nthe main symptoms of influenza are fever and myalgia\npatients had fever\n"


def _tokens_file(folder: Path, metadata: dict[str, object] | None) -> Path:
    path = folder / "tokens.txt"
    path.write_text(TOKENS, encoding="utf-8")
    if metadata is not None:
        (folder / "tokens.txt.meta.json").write_text(json.dumps(metadata), encoding="utf-8")
    return path


def test_command_prints_table(tmp_path: Path) -> None:
    path = _tokens_file(tmp_path, {"tokenizer": "regex", "config": {"lowercase": True}, "state": None})

    result = CliRunner().invoke(words, ["ngram", str(path), "--context", "The main symptoms of COVID-19 are", "--top", "2", "--order", "3"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "context tokens: the main symptoms of covid 19 are"
    assert lines[1] == "context used:   19 are"
    assert lines[3].split() == ["rank", "word", "probability"]
    assert lines[4].split()[:2] == ["1", "fever"]
    assert len(lines) == 6


def test_command_word_probability(tmp_path: Path) -> None:
    path = _tokens_file(tmp_path, None)

    result = CliRunner().invoke(words, ["ngram", str(path), "--context", "zebra okapi", "--order", "2", "--word", "fever", "--word", "zebra"])

    assert result.exit_code == 0, result.output
    assert "context used:   (none: unigram distribution)  [backed off: the full context was not seen]" in result.output
    assert "P(zebra | context) = 0  (not in the vocabulary)" in result.output
    assert "P(fever | context) = " in result.output


def test_query_matches_model_and_is_cached(tmp_path: Path) -> None:
    path = _tokens_file(tmp_path, {"tokenizer": "regex", "config": {}})

    first = query_tokens_file(path, "symptoms of", top=3, order=3)
    second = query_tokens_file(path, "symptoms of", top=3, order=3)

    assert first.next_words == second.next_words
    assert [word for word, _ in first.next_words.words][:2] == ["covid", "influenza"]
    cached = list((medrep.get_settings().cache_path / "ngram").iterdir())
    assert any((folder / "ngram.npz").is_file() for folder in cached)


def test_empty_tokens_file_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("", encoding="utf-8")

    with pytest.raises(DataError, match=r"the tokens file .*empty\.txt has no tokens"):
        query_tokens_file(path, "a", cache=False)


def test_missing_tokens_file_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="tokens file not found"):
        query_tokens_file(tmp_path / "absent.txt", "a")


def test_trainable_tokenizer_state_is_loaded(tmp_path: Path) -> None:
    bpe = medrep.get("tokenizer", "bpe", vocab_size=60, min_frequency=1)
    bpe.fit(TOKENS.splitlines() * 3)
    bpe.save(tmp_path / "tokens.txt.tokenizer")
    metadata = {"tokenizer": "bpe", "config": bpe.get_params(), "state": "tokens.txt.tokenizer"}

    tokenize = tokenizer_from_metadata(metadata, source=str(tmp_path / "tokens.txt"))

    assert tokenize("main symptoms of covid") == bpe.tokenize("main symptoms of covid")


def test_trainable_tokenizer_without_state_raises() -> None:
    with pytest.raises(DataError, match="does not say where the trained state is"):
        tokenizer_from_metadata({"tokenizer": "bpe", "config": {}}, source="tokens.txt")


def test_no_metadata_splits_on_whitespace() -> None:
    assert tokenizer_from_metadata({})("COVID-19 is  here") == ["COVID-19", "is", "here"]


def test_explore_tokenizes_contexts_like_tokens_file(tmp_path: Path) -> None:
    from medrep_text.tokens_file import TokensFile

    path = _tokens_file(tmp_path, {"tokenizer": "regex", "config": {}})
    explorer = medrep.get("explorer", "ngram-lm", order=3, contexts=["Symptoms of"], top_k=1)

    result = explorer.explore(None, TokensFile(path))

    assert result.rows[0]["context_used"] == "symptoms of"
    assert result.data["queries"][0]["context"] == "Symptoms of"
    assert result.data["queries"][0]["tokens"] == ["symptoms", "of"]
    assert result.data["queries"][0]["context_used"] == ["symptoms", "of"]
