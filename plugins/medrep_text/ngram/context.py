"""Tokenizing a query context the way a tokens file was tokenized."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from medrep.errors import DataError

logger = logging.getLogger(__name__)

__all__ = ["tokenizer_from_metadata"]


def tokenizer_from_metadata(metadata: dict[str, Any], *, source: str = "") -> Callable[[str], list[str]]:
    """Return a function that tokenizes text with the tokenizer recorded in ``metadata``.

    ``metadata`` is a tokens file's ``.meta.json`` as ``medrep words tokenize`` writes it.
    ``tokenizer`` is the registered name and ``config`` its options. For a tokenizer with
    learned state, ``state`` is the directory its ``save`` wrote, relative to the folder of
    the tokens file ``source`` unless absolute. Without a ``tokenizer`` entry the text is
    split on whitespace, with a warning.
    """
    import medrep

    name = metadata.get("tokenizer")
    if not name:
        logger.warning("%s records no tokenizer; contexts are split on whitespace", source or "the tokens file")
        return str.split

    tokenizer = medrep.get("tokenizer", name, **dict(metadata.get("config") or {}))
    if getattr(tokenizer, "trainable", False):
        tokenizer = _load_state(tokenizer, metadata.get("state"), source)
    return tokenizer.tokenize


def _load_state(tokenizer: Any, state: str | None, source: str) -> Any:
    if not state:
        raise DataError(
            f"{source or 'the tokens file'} was written by the trainable tokenizer {type(tokenizer).__name__}, "
            "but its metadata does not say where the trained state is",
            hint="tokenize the corpus again with `medrep words tokenize`, which records the state directory",
        )
    directory = Path(state)
    if not directory.is_absolute() and source:
        directory = Path(source).parent / directory
    return type(tokenizer).load(directory)
