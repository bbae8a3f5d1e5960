"""The mlm embedder on a tiny BERT with a locally trained WordPiece vocabulary, on CPU."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import medrep
from medrep.errors import DataError, PluginConfigError
from medrep_text.embedders.mlm import MlmEmbedder

TERMS = [
    "fever", "cough", "fatigue", "pneumonia", "covid-19", "sars-cov-2", "ace2", "receptor",
    "binds", "lung", "epithelial", "cells", "patients", "severe", "infection", "interleukin-6",
]


def make_documents(count: int, length: int, seed: int = 0) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    return [[TERMS[index] for index in rng.integers(0, len(TERMS), length)] for _ in range(count)]


DOCUMENTS = make_documents(24, 12)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer BERT (hidden size 32) and a WordPiece tokenizer trained on DOCUMENTS."""
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
    from transformers import BertConfig, BertForMaskedLM, BertTokenizerFast

    wordpiece = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    wordpiece.normalizer = normalizers.BertNormalizer(lowercase=True)
    wordpiece.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(vocab_size=150, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    wordpiece.train_from_iterator([" ".join(document) for document in DOCUMENTS], trainer)
    # transformers 5 gives all-[UNK] output for BertTokenizerFast(vocab_file=...), so the
    # trained tokenizer object is passed in directly.
    tokenizer = BertTokenizerFast(
        tokenizer_object=wordpiece,
        unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]",
    )
    config = BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=64,
    )
    torch.manual_seed(0)
    directory = tmp_path_factory.mktemp("tiny-bert")
    BertForMaskedLM(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def tiny(model: Path, **options: Any) -> MlmEmbedder:
    defaults = {
        "model": str(model),
        "local_files_only": True,
        "max_steps": 3,
        "batch_size": 4,
        "max_length": 16,
        "min_count": 1,
        "max_occurrences": 3,
        "num_threads": 1,
        "device": "cpu",
        "logging_steps": 1,
    }
    return medrep.get("embedder", "mlm", **{**defaults, **options})


def encode_word(model: Any, tokenizer: Any, document: list[str], position: int, layers: list[int]) -> np.ndarray:
    """Independent reference: mean over the word's pieces of the chosen layers' mean hidden state."""
    import torch

    encoded = tokenizer([document], is_split_into_words=True, return_tensors="pt")
    with torch.no_grad():
        output = model(**encoded, output_hidden_states=True)
    states = torch.stack([output.hidden_states[layer] for layer in layers]).mean(0)[0]
    pieces = [index for index, word in enumerate(encoded.word_ids(0)) if word == position]
    return states[pieces].mean(0).numpy()


def test_tokenizer_is_not_all_unknown(tiny_model: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model, local_files_only=True)

    ids = tokenizer(["fever", "ace2"], is_split_into_words=True, add_special_tokens=False)["input_ids"]
    assert tokenizer.unk_token_id not in ids


def test_fit_returns_vectors(tiny_model: Path) -> None:
    embedder = tiny(tiny_model)

    vectors = embedder.fit(DOCUMENTS)

    assert vectors.vectors.shape == (16, 32)
    assert vectors.vectors.dtype == np.float32
    assert sorted(vectors.index_to_key) == sorted(TERMS)
    assert vectors.metadata["embedder"] == "mlm"
    assert vectors.metadata["corpus"] == {"documents": 24, "tokens": 288}
    assert vectors.metadata["training"]["steps"] == 3
    assert vectors.metadata["training"]["resumed_from"] is None


def test_deterministic_with_seed(tiny_model: Path) -> None:
    first = tiny(tiny_model, seed=5).fit(DOCUMENTS)
    second = tiny(tiny_model, seed=5).fit(DOCUMENTS)

    np.testing.assert_array_equal(first.vectors, second.vectors)


@pytest.mark.parametrize("layers", [[-1], [0, 2]], ids=["last", "embeddings-and-last"])
def test_vector_is_mean_over_pieces_and_occurrences(tiny_model: Path, layers: list[int]) -> None:
    documents = [["covid-19", "fever", "lung"], ["fever", "covid-19"], ["cough", "covid-19", "cough"]]
    embedder = tiny(tiny_model, max_occurrences=2, max_steps=1, layers=layers)

    vectors = embedder.fit(documents)

    encoder = embedder.model_.get_base_model().base_model.eval()
    tokenizer = embedder.tokenizer_
    first = encode_word(encoder, tokenizer, documents[0], 0, layers)
    second = encode_word(encoder, tokenizer, documents[1], 1, layers)
    # Capped at two occurrences: the third, in documents[2], is not read.
    np.testing.assert_allclose(vectors["covid-19"], (first + second) / 2, rtol=1e-5, atol=1e-6)


def test_epochs_set_step_count(tiny_model: Path) -> None:
    documents = [["fever", "cough"], ["lung", "fever"]]

    vectors = tiny(tiny_model, max_steps=None, epochs=3.0, batch_size=1).fit(documents)

    # Two windows, one per batch, three times over.
    assert vectors.metadata["windows"] == 2
    assert vectors.metadata["training"]["steps"] == 6


def test_layers_out_of_range(tiny_model: Path) -> None:
    with pytest.raises(PluginConfigError, match=r"layers \[3\] out of range for a model with 2 layers"):
        tiny(tiny_model, layers=[-1, 3]).fit(DOCUMENTS)


def test_resumes_from_last_checkpoint(tiny_model: Path, tmp_path: Path) -> None:
    import shutil

    checkpoints = tmp_path / "checkpoints"
    options = {"checkpoint_dir": str(checkpoints), "save_steps": 2, "keep_checkpoints": True, "max_steps": 4}
    complete = tiny(tiny_model, **options).fit(DOCUMENTS)
    # Simulate a run killed between step 2 and step 4.
    shutil.rmtree(checkpoints / "checkpoint-4")

    resumed = tiny(tiny_model, **options).fit(DOCUMENTS)

    assert complete.metadata["training"]["resumed_from"] is None
    assert resumed.metadata["training"]["resumed_from"] == "checkpoint-2"
    assert resumed.metadata["training"]["steps"] == 4
    # The data position is restored: both runs read the same windows.
    assert resumed.metadata["training"]["tokens_seen"] == complete.metadata["training"]["tokens_seen"]
    assert sorted(path.name for path in checkpoints.iterdir()) == ["checkpoint-2", "checkpoint-4"]


def test_checkpoints_removed_after_success(tiny_model: Path, tmp_path: Path) -> None:
    checkpoints = tmp_path / "checkpoints"

    tiny(tiny_model, max_steps=2, save_steps=1, checkpoint_dir=str(checkpoints)).fit(DOCUMENTS)

    assert not checkpoints.exists()


def test_default_checkpoints_in_cache(tiny_model: Path, medrep_workdir: Path) -> None:
    tiny(tiny_model, max_steps=1, keep_checkpoints=True, save_steps=1).fit(DOCUMENTS)

    saved = list((medrep_workdir / "cache" / "mlm-checkpoints").glob("*/checkpoint-1"))
    assert len(saved) == 1


def test_save_and_load(tiny_model: Path, tmp_path: Path) -> None:
    import torch

    embedder = tiny(tiny_model)
    vectors = embedder.fit(DOCUMENTS)

    directory = embedder.save(tmp_path / "saved")
    loaded = MlmEmbedder.load(directory)

    assert (directory / "adapter" / "adapter_model.safetensors").is_file()
    assert (directory / "adapter" / "adapter_config.json").is_file()
    np.testing.assert_array_equal(loaded.vectors_.vectors, vectors.vectors)
    assert loaded.config == embedder.config
    inputs = torch.tensor([[2, 10, 11, 12, 3]])
    with torch.no_grad():
        expected = embedder.model_.eval()(input_ids=inputs).logits
        actual = loaded.model_.eval()(input_ids=inputs).logits
    torch.testing.assert_close(actual, expected)


def test_word_without_pieces_dropped_with_warning(tiny_model: Path, caplog: pytest.LogCaptureFixture) -> None:
    # The BERT normalizer strips accents, so a lone combining acute accent yields no piece.
    documents = [["fever", "\u0301", "cough"], ["lung", "fever"]]

    with caplog.at_level(logging.WARNING, logger="medrep_text.embedders.mlm"):
        vectors = tiny(tiny_model, max_steps=1).fit(documents)

    assert "\u0301" not in vectors
    assert sorted(vectors.index_to_key) == ["cough", "fever", "lung"]
    assert "1 words map to no subword piece" in caplog.text


def test_long_word_and_long_document(tiny_model: Path) -> None:
    long_word = "interleukin" * 20
    documents = [[long_word, "fever"] + make_documents(1, 60)[0]]

    vectors = tiny(tiny_model, max_steps=1).fit(documents)

    assert long_word in vectors
    assert vectors.metadata["windows"] > 1


def test_string_document_raises_with_index(tiny_model: Path) -> None:
    with pytest.raises(TypeError, match="document 3 is a str, not a list of tokens; tokenize first"):
        tiny(tiny_model).fit([*DOCUMENTS[:3], "fever and cough"])


def test_generator_raises(tiny_model: Path) -> None:
    with pytest.raises(TypeError, match="one-shot generator"):
        tiny(tiny_model).fit(document for document in DOCUMENTS)


def test_missing_model_directory(tmp_path: Path) -> None:
    embedder = medrep.get("embedder", "mlm", model=str(tmp_path / "absent"), local_files_only=True)

    with pytest.raises(DataError, match="cannot load the tokenizer of"):
        embedder.fit(DOCUMENTS)


def test_unknown_target_module(tiny_model: Path) -> None:
    with pytest.raises(DataError, match="cannot add LoRA adapters"):
        tiny(tiny_model, target_modules=["no_such_layer"]).fit(DOCUMENTS)


def test_cuda_requested_without_gpu(tiny_model: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA device")
    with pytest.raises(PluginConfigError, match="device 'cuda' requested but torch sees no CUDA device"):
        tiny(tiny_model, device="cuda").fit(DOCUMENTS)


def test_untying_modules_rejected(tiny_model: Path) -> None:
    with pytest.raises(DataError, match="decoder was untied from the input embeddings after adding LoRA adapters"):
        tiny(tiny_model, modules_to_save=["decoder"]).fit(DOCUMENTS)
