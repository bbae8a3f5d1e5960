"""The Python API behind ``medrep words ngram``: fit (or reuse) a model of a tokens file and query it."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medrep.settings import get_settings

logger = logging.getLogger(__name__)

__all__ = ["NgramQuery", "model_for_tokens_file", "query_tokens_file"]

_CACHE_VERSION = "1"


@dataclass
class NgramQuery:
    """Result of :func:`query_tokens_file`: the next words, optional word probabilities, the model."""

    text: str
    next_words: Any
    probabilities: list[Any]
    model: Any


def model_for_tokens_file(
    path: str | Path,
    *,
    order: int = 7,
    discount: float | None = None,
    cache: bool = True,
) -> Any:
    """Return an ``ngram-lm`` model fitted on the tokens file ``path``.

    With ``cache`` the model is saved under ``<cache>/ngram/<key>``, where the key hashes
    the file's bytes, ``order`` and ``discount``, and reused on the next call.
    """
    import medrep
    from medrep_text.explorers.ngram_lm import NgramLanguageModel
    from medrep_text.tokens_file import TokensFile

    tokens = TokensFile(path)
    model = medrep.get("explorer", "ngram-lm", order=order, discount=discount)
    if not cache:
        return model.fit(tokens)

    directory = get_settings().cache_path / "ngram" / _cache_key(tokens.path, order, discount)
    if directory.is_dir():
        logger.info("reusing the n-gram model cached in %s", directory)
        return NgramLanguageModel.load(directory)
    model.fit(tokens)
    model.save(directory)
    logger.info("cached the n-gram model in %s", directory)
    return model


def query_tokens_file(
    path: str | Path,
    context: str,
    *,
    top: int = 10,
    words: list[str] | None = None,
    order: int = 7,
    discount: float | None = None,
    cache: bool = True,
) -> NgramQuery:
    """List the ``top`` next words after ``context``, and ``P(word | context)`` for each of ``words``.

    ``context`` is tokenized with the tokenizer recorded in the tokens file's metadata, so
    it matches the corpus tokens; see :func:`medrep_text.ngram.context.tokenizer_from_metadata`.
    """
    from medrep_text.ngram.context import tokenizer_from_metadata
    from medrep_text.tokens_file import TokensFile

    tokens_file = TokensFile(path)
    model = model_for_tokens_file(path, order=order, discount=discount, cache=cache)
    tokenize = tokenizer_from_metadata(tokens_file.metadata, source=str(tokens_file.path))
    context_tokens = tokenize(context)
    return NgramQuery(
        text=context,
        next_words=model.next_words(context_tokens, k=top),
        probabilities=[model.probability(word, context_tokens) for word in words or []],
        model=model,
    )


def _cache_key(path: Path, order: int, discount: float | None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    digest.update(f"|order={order}|discount={discount}|version={_CACHE_VERSION}".encode())
    return digest.hexdigest()[:24]
