"""Loading the masked-LM model, wrapping it with LoRA, and checking its tied decoder."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from medrep import progress
from medrep._deps import require
from medrep.errors import DataError

logger = logging.getLogger(__name__)


def load_tokenizer(name: str, *, local_files_only: bool) -> Any:
    """Load the fast tokenizer of ``name`` (a Hugging Face model name or a local directory)."""
    transformers = require("transformers", extra="text")
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(name, local_files_only=local_files_only)
    except OSError as exc:
        raise DataError(
            f"cannot load the tokenizer of {name!r}: {exc}",
            hint="pass a local model directory, or allow downloads (local_files_only=false) when online",
        ) from exc
    if not tokenizer.is_fast:
        raise DataError(
            f"the tokenizer of {name!r} is not a fast tokenizer, so it cannot map pieces back to words",
            hint="use a model that ships tokenizer.json",
        )
    return tokenizer


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and torch (all devices) through transformers."""
    transformers = require("transformers", extra="text")
    transformers.set_seed(seed)


def load_masked_lm(name: str, *, local_files_only: bool) -> Any:
    """Load ``name`` as a masked LM whose decoder is the input embedding matrix.

    Encoders saved without a masked-LM head (sentence-transformers checkpoints, for example)
    get a freshly initialised prediction transform and bias. Their decoder weight is usable
    only because it is tied to the pretrained word embeddings, so the tie is checked.
    """
    transformers = require("transformers", extra="text")
    try:
        with _transformers_bars(progress.enabled()):
            model, info = transformers.AutoModelForMaskedLM.from_pretrained(
                name, local_files_only=local_files_only, output_loading_info=True
            )
    except OSError as exc:
        raise DataError(
            f"cannot load the masked-LM model {name!r}: {exc}",
            hint="pass a local model directory, or allow downloads (local_files_only=false) when online",
        ) from exc

    missing = sorted(info.get("missing_keys", []))
    if missing:
        logger.info("mlm: initialised fresh (absent from the checkpoint): %s", ", ".join(missing))
    if not decoder_is_tied(model):
        decoder_missing = any(key.endswith("decoder.weight") for key in missing)
        if decoder_missing:
            raise DataError(
                f"{name!r} has no masked-LM decoder and its config does not tie it to the input embeddings, "
                "so the decoder would be random",
                hint="use a checkpoint with tie_word_embeddings=true or one that ships a masked-LM head",
            )
        logger.info("mlm: %s has its own (untied) masked-LM decoder", name)
    return model


@contextlib.contextmanager
def _transformers_bars(show: bool) -> Iterator[None]:
    """Show transformers' own progress bars only when medrep's are on."""
    from transformers.utils import logging as transformers_logging

    was_enabled = transformers_logging.is_progress_bar_enabled()
    if not show and was_enabled:
        transformers_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled and not transformers_logging.is_progress_bar_enabled():
            transformers_logging.enable_progress_bar()


def decoder_is_tied(model: Any) -> bool:
    """Return whether the output (decoder) weight and the input embedding weight share storage."""
    output = model.get_output_embeddings()
    return output is not None and output.weight.data_ptr() == model.get_input_embeddings().weight.data_ptr()


def check_tied(model: Any, where: str) -> None:
    """Raise when ``model``'s decoder is no longer tied to its input embeddings after ``where``."""
    if not decoder_is_tied(model):
        raise DataError(
            f"the masked-LM decoder was untied from the input embeddings after {where}",
            hint="do not list the decoder, the embeddings or the whole prediction head in target_modules "
            "or modules_to_save",
        )


def add_lora(model: Any, *, r: int, alpha: float, dropout: float, target_modules: list[str], modules_to_save: list[str]) -> Any:
    """Wrap ``model`` in a peft LoRA model; only the adapters and ``modules_to_save`` train."""
    peft = require("peft", extra="text")
    tied = decoder_is_tied(model)
    lora = peft.LoraConfig(
        r=r,
        lora_alpha=alpha,
        lora_dropout=dropout,
        target_modules=target_modules,
        modules_to_save=modules_to_save or None,
        bias="none",
    )
    try:
        wrapped = peft.get_peft_model(model, lora)
    except ValueError as exc:
        raise DataError(
            f"cannot add LoRA adapters: {exc}",
            hint="name modules that exist in the model in target_modules and modules_to_save",
        ) from exc
    if tied:
        check_tied(wrapped.get_base_model(), "adding LoRA adapters")
    trainable, total = wrapped.get_nb_trainable_parameters()
    logger.info("mlm: LoRA r=%d trains %d of %d parameters (%.2f%%)", r, trainable, total, 100 * trainable / total)
    return wrapped


def load_adapter(model: Any, directory: str | Path) -> Any:
    """Load a LoRA adapter saved by peft onto ``model`` and check that the decoder stays tied."""
    peft = require("peft", extra="text")
    tied = decoder_is_tied(model)
    wrapped = peft.PeftModel.from_pretrained(model, str(directory))
    if tied:
        check_tied(wrapped.get_base_model(), "loading the LoRA adapter")
    return wrapped
