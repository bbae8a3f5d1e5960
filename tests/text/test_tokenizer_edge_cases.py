"""A 130-character token and a 25,000-token document through every tokenizer: nothing is lost."""

from __future__ import annotations

from pathlib import Path

import pytest

import medrep
from medrep.kinds import Tokenizer
from medrep_text.tokenize_corpus import tokenize_corpus

LONG_TOKEN = "a" * 130
WORDS = [f"cell{number}" for number in range(25_000)]
LONG_DOCUMENT = " ".join(WORDS)


def _build(name: str, data_dir: Path, **options: object) -> Tokenizer:
    if name == "bert":
        options.setdefault("pretrained", str(data_dir / "text" / "vocab" / "scibert_scivocab_uncased_vocab.txt"))
    tokenizer = medrep.get("tokenizer", name, **options)
    if name == "bpe":
        tokenizer.fit(["cell0 cell1 cell23 cell456 cell789 a aa aaa"] * 5)
    return tokenizer


@pytest.mark.parametrize("name", ["regex", "nltk"])
def test_long_token_kept_whole(name: str, data_dir: Path) -> None:
    tokenizer = _build(name, data_dir)

    assert tokenizer.tokenize(f"x {LONG_TOKEN} y") == ["x", LONG_TOKEN, "y"]


def test_long_token_unknown_in_bert(data_dir: Path) -> None:
    tokenizer = _build("bert", data_dir)

    tokens = tokenizer.tokenize(f"x {LONG_TOKEN} y")

    assert tokens == ["x", "[UNK]", "y"]
    assert tokenizer.is_unknown("[UNK]")


def test_long_token_split_by_bpe(data_dir: Path) -> None:
    tokenizer = _build("bpe", data_dir)

    tokens = tokenizer.tokenize(LONG_TOKEN)

    assert "".join(tokens) == LONG_TOKEN
    assert not any(tokenizer.is_unknown(token) for token in tokens)


@pytest.mark.parametrize(
    ("name", "options"),
    [("regex", {}), ("nltk", {}), ("bert", {"whole_words": True})],
    ids=["regex", "nltk", "bert-whole-words"],
)
def test_long_document_every_word(name: str, options: dict[str, object], data_dir: Path) -> None:
    tokenizer = _build(name, data_dir, **options)

    assert tokenizer.tokenize(LONG_DOCUMENT) == WORDS


def test_long_document_bert_pieces(data_dir: Path) -> None:
    tokenizer = _build("bert", data_dir)

    pieces = tokenizer.tokenize(LONG_DOCUMENT)

    assert len(pieces) > 25_000
    assert "".join(piece.removeprefix("##") for piece in pieces) == "".join(WORDS)
    assert "[UNK]" not in pieces


def test_long_document_bpe_pieces(data_dir: Path) -> None:
    tokenizer = _build("bpe", data_dir)

    pieces = tokenizer.tokenize(LONG_DOCUMENT)

    assert "".join(pieces) == "".join(WORDS)
    assert not any(tokenizer.is_unknown(piece) for piece in pieces)


def test_bert_unknown_counted_in_statistics(data_dir: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(f"fever and {LONG_TOKEN}\ncough 😀\n", encoding="utf-8")

    report = tokenize_corpus(corpus, tmp_path / "tokens.txt", _build("bert", data_dir))

    assert (tmp_path / "tokens.txt").read_text(encoding="utf-8") == "fever and [UNK]\ncough [UNK]\n"
    assert report.statistics["unknown_tokens"] == 2
    assert report.statistics["unknown_share"] == 2 / 5
