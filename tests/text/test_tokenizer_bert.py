"""The ``bert`` tokenizer on the SciBERT vocabulary and the MiniLM model directory."""

from __future__ import annotations

from pathlib import Path

import pytest

import medrep
from medrep.errors import DataError
from medrep_text.tokenizers.bert import BertTokenizer

SENTENCE = "Interleukin-6 (IL-6) levels rise in severe SARS-CoV-2 infection."


@pytest.fixture(scope="module")
def scibert_vocab(data_dir: Path) -> str:
    return str(data_dir / "text" / "vocab" / "scibert_scivocab_uncased_vocab.txt")


@pytest.fixture(scope="module")
def minilm_dir() -> str:
    return BertTokenizer.contract_config()["pretrained"]


def test_scibert_vocab_pieces(scibert_vocab: str) -> None:
    tokenizer = medrep.get("tokenizer", "bert", pretrained=scibert_vocab)

    tokens = tokenizer.tokenize(SENTENCE)

    assert tokens == [
        "interleukin", "-", "6", "(", "il", "-", "6", ")", "levels", "rise", "in", "severe",
        "sar", "##s", "-", "cov", "-", "2", "infection", ".",
    ]  # fmt: skip


def test_whole_words_merge_pieces(scibert_vocab: str) -> None:
    tokenizer = medrep.get("tokenizer", "bert", pretrained=scibert_vocab, whole_words=True)

    assert tokenizer.tokenize("Tokenization of SARS-CoV-2") == ["tokenization", "of", "sars", "-", "cov", "-", "2"]


def test_minilm_directory_and_vocab_agree(minilm_dir: str) -> None:
    from_json = medrep.get("tokenizer", "bert", pretrained=minilm_dir)
    from_vocab = medrep.get("tokenizer", "bert", pretrained=str(Path(minilm_dir) / "vocab.txt"))

    tokens = from_json.tokenize("Tokenization of coronaviruses")

    assert tokens == ["token", "##ization", "of", "corona", "##virus", "##es"]
    assert from_vocab.tokenize(SENTENCE) == from_json.tokenize(SENTENCE)


def test_truncation_of_tokenizer_json_removed(minilm_dir: str) -> None:
    tokenizer = medrep.get("tokenizer", "bert", pretrained=minilm_dir)

    assert len(tokenizer.tokenize("the " * 600)) == 600


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a" * 130, ["[UNK]"]), ("fever 😀 cough", ["fever", "[UNK]", "cough"]), ("cafe\u0301", ["caf", "##e"])],
    ids=["word-over-100-characters", "emoji", "accent-stripped"],
)
def test_unknown_and_accent_behaviour(scibert_vocab: str, text: str, expected: list[str]) -> None:
    tokenizer = medrep.get("tokenizer", "bert", pretrained=scibert_vocab)

    tokens = tokenizer.tokenize(text)

    assert tokens == expected
    assert [tokenizer.is_unknown(token) for token in tokens] == [token == "[UNK]" for token in expected]


def test_chunks_cover_long_document(scibert_vocab: str) -> None:
    tokenizer = medrep.get("tokenizer", "bert", pretrained=scibert_vocab)
    document = "the " * 25_000

    chunks = tokenizer.chunk_ids(document)

    backend = tokenizer.backend
    cls_id, sep_id = backend.token_to_id("[CLS]"), backend.token_to_id("[SEP]")
    assert len(chunks) == 50
    assert [len(chunk) for chunk in chunks] == [512] * 49 + [12]
    assert all(chunk[0] == cls_id for chunk in chunks)
    assert all(chunk[-1] == sep_id for chunk in chunks)
    assert [piece for chunk in chunks for piece in chunk[1:-1]] == backend.encode(document, add_special_tokens=False).ids


def test_chunks_end_between_words(scibert_vocab: str) -> None:
    tokenizer = medrep.get("tokenizer", "bert", pretrained=scibert_vocab, max_length=10)
    document = "coronaviruses tokenization " * 20

    chunks = tokenizer.chunk_ids(document)

    backend = tokenizer.backend
    first_pieces = [backend.id_to_token(chunk[1]) for chunk in chunks]
    assert all(len(chunk) <= 10 for chunk in chunks)
    assert not any(piece.startswith("##") for piece in first_pieces)
    assert [piece for chunk in chunks for piece in chunk[1:-1]] == backend.encode(document, add_special_tokens=False).ids


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("/no/such/vocab.txt", "tokenizer source not found"),
        ("./missing-model", "tokenizer source not found"),
        ("missing-vocab.txt", "tokenizer source not found"),
        ("no-such-org/biobert-v1.1", "cannot load the tokenizer of 'no-such-org/biobert-v1.1'"),
    ],
    ids=["absolute-path", "relative-path", "vocab-file-name", "hub-name-offline"],
)
def test_missing_source_named(source: str, message: str) -> None:
    tokenizer = medrep.get("tokenizer", "bert", pretrained=source, local_files_only=True)

    with pytest.raises(DataError, match=message):
        tokenizer.tokenize("text")


def test_directory_without_vocab_rejected(tmp_path: Path) -> None:
    tokenizer = medrep.get("tokenizer", "bert", pretrained=str(tmp_path))

    with pytest.raises(DataError, match="has neither tokenizer.json nor vocab.txt"):
        tokenizer.tokenize("text")


def test_bpe_tokenizer_json_rejected(tmp_path: Path) -> None:
    bpe = medrep.get("tokenizer", "bpe", vocab_size=50).fit(["a small corpus", "of two lines"])
    bpe.save(tmp_path / "bpe")
    tokenizer = medrep.get("tokenizer", "bert", pretrained=str(tmp_path / "bpe" / "tokenizer.json"))

    with pytest.raises(DataError, match="is a BPE tokenizer, not WordPiece"):
        tokenizer.tokenize("text")
