"""Token strings looked up by id for the Hugging Face tokenizers (``TokenStrings``)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import medrep
from medrep_text.corpus import build_corpus
from medrep_text.tokenizers._huggingface import TokenStrings
from medrep_text.tokenizers.bpe import BpeTokenizer

# An emoji and Greek letters outside small vocabularies, BERT's special tokens written in
# the text, a 130-character word, an empty document and CJK characters.
HARD_TEXTS = ["Ω-3 🦠 [MASK] [UNK] x", "", "a" * 130, "名字 ünïcödé ﬁ IL\u20106", "[CLS] [SEP] [PAD]"]


@pytest.fixture(scope="module")
def real_documents(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The 3,500 documents of the CORD-19 sample and the PubTator abstracts."""
    text = data_dir / "text"
    inputs = [text / "cord19" / "metadata_sample_2000.csv", *sorted((text / "pubmed").glob("*.PubTator.txt"))]
    output = tmp_path_factory.mktemp("strings") / "corpus.txt"
    build_corpus(inputs, output)
    return output.read_text(encoding="utf-8").splitlines()


def _encoding_tokens(backend: object, texts: list[str]) -> list[list[str]]:
    return [encoding.tokens for encoding in backend.encode_batch(texts, add_special_tokens=False)]  # type: ignore[attr-defined]


def test_bert_batch_matches_encoding_tokens(real_documents: list[str], data_dir: Path) -> None:
    vocab = data_dir / "text" / "vocab" / "scibert_scivocab_uncased_vocab.txt"
    tokenizer = medrep.get("tokenizer", "bert", pretrained=str(vocab))

    for texts in (real_documents, HARD_TEXTS):
        assert tokenizer.tokenize_batch(texts) == _encoding_tokens(tokenizer.backend, texts)
    assert tokenizer.tokenize_batch(HARD_TEXTS)[0] == ["ω", "-", "3", "[UNK]", "[MASK]", "[UNK]", "x"]


def test_bert_whole_words_batch_matches(real_documents: list[str], data_dir: Path) -> None:
    vocab = data_dir / "text" / "vocab" / "scibert_scivocab_uncased_vocab.txt"
    tokenizer = medrep.get("tokenizer", "bert", pretrained=str(vocab), whole_words=True)

    texts = real_documents[:200] + HARD_TEXTS
    assert tokenizer.tokenize_batch(texts) == [tokenizer.tokenize(text) for text in texts]


def test_bpe_table_follows_backend_changes(real_documents: list[str]) -> None:
    tokenizer = BpeTokenizer(vocab_size=500).fit(real_documents[:300])
    assert tokenizer.tokenize_batch(HARD_TEXTS) == _encoding_tokens(tokenizer.backend, HARD_TEXTS)
    assert "<0xF0>" in tokenizer.tokenize_batch(HARD_TEXTS)[0]

    # Retraining replaces the backend: the table must not keep the old vocabulary.
    tokenizer.fit(real_documents[300:600])
    texts = real_documents[1000:1100]
    assert tokenizer.tokenize_batch(texts) == _encoding_tokens(tokenizer.backend, texts)

    # A token added to the same backend changes its size: the table is rebuilt.
    tokenizer.backend.add_tokens(["sars-cov-2xyz"])
    assert tokenizer.tokenize_batch(["sars-cov-2xyz rose"])[0][0] == "sars-cov-2xyz"


def test_vocabulary_gaps_fall_back() -> None:
    from tokenizers import Tokenizer, models, pre_tokenizers

    # Id 1 is missing, so no table indexed by id can be built.
    backend = Tokenizer(models.WordLevel({"a": 0, "c": 2, "[UNK]": 3}, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    encodings = backend.encode_batch(["a b c", "c a"], add_special_tokens=False)

    assert TokenStrings()(backend, encodings) == [["a", "[UNK]", "c"], ["c", "a"]]


def test_pickle_drops_token_table(real_documents: list[str]) -> None:
    tokenizer = BpeTokenizer(vocab_size=300).fit(real_documents[:100])
    tokenizer.tokenize_batch(["warm"])
    assert len(tokenizer._token_strings._cache[2]) == tokenizer.backend.get_vocab_size(with_added_tokens=True)

    copy = pickle.loads(pickle.dumps(tokenizer))

    assert copy._token_strings._cache == (None, -1, [])
    assert copy.tokenize_batch(HARD_TEXTS) == tokenizer.tokenize_batch(HARD_TEXTS)
