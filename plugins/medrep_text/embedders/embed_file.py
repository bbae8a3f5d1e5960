"""Training an embedder on a tokens file and writing its vectors directory (``medrep words embed``)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Literal

import medrep
from medrep.io import atomic_directory, write_run_record
from medrep_text.tokens_file import TokensFile, meta_path
from medrep_text.vectors import KeyedVectors

__all__ = ["embed_tokens_file", "WORD2VEC_FILES"]

logger = logging.getLogger(__name__)

#: File names of the optional word2vec copy inside the output directory.
WORD2VEC_FILES = {"text": "vectors.txt", "binary": "vectors.bin"}


def embed_tokens_file(
    tokens: str | Path,
    output: str | Path,
    *,
    embedder: str = "sgns",
    config: dict[str, Any] | None = None,
    word2vec: Literal["none", "text", "binary"] = "none",
) -> KeyedVectors:
    """Train ``embedder`` on a tokens file, streamed from disk, and write ``output``.

    ``output`` becomes a directory in the native vectors format (readable with
    ``KeyedVectors.load``) plus whatever state the embedder saves (the mlm embedder's
    LoRA adapter), ``run.json``, and with ``word2vec`` a copy in that format. The
    directory appears only once complete. Under ``torchrun`` or ``accelerate launch``
    every process trains, and only the process of rank 0 writes.
    """
    documents = TokensFile(tokens)
    is_rank_zero = int(os.environ.get("RANK", "0")) == 0
    if is_rank_zero and not documents.metadata.get("tokenizer"):
        # The documents are then the file's lines split at whitespace: "Background:" and
        # "background" become two different words.
        logger.warning(
            "%s records no tokenizer (%s is missing or names none), so its lines are split on whitespace, "
            "punctuation included; write it with `medrep words tokenize` first",
            tokens,
            meta_path(tokens).name,
        )
    if is_rank_zero and Path(output).exists():
        logger.warning("%s exists; the new vectors replace it once training has finished", output)
    plugin = medrep.get("embedder", embedder, **(config or {}))
    vectors = plugin.fit(documents)
    if not is_rank_zero:
        return vectors

    with atomic_directory(output) as directory:
        save = getattr(plugin, "save", None)
        if callable(save):
            save(directory)
        else:
            vectors.save(directory)
        if word2vec != "none":
            vectors.save_word2vec(directory / WORD2VEC_FILES[word2vec], binary=word2vec == "binary")
        write_run_record(
            directory,
            step="embed",
            config={"embedder": embedder, "options": plugin.get_params()},
            seed=vectors.metadata.get("seed"),
            extra={"tokens": str(tokens), "tokenizer": documents.metadata, "corpus": vectors.metadata.get("corpus")},
        )
    logger.info("wrote %d vectors of dimension %d to %s", len(vectors), vectors.dim, output)
    return vectors
