"""Corpus handling shared by the embedders: input checks, word counts, vocabulary, splitting."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from medrep import progress
from medrep.errors import DataError

logger = logging.getLogger(__name__)


def require_restartable(documents: Iterable[list[str]], embedder: str) -> None:
    """Raise ``TypeError`` when ``documents`` can be iterated only once (a generator or iterator)."""
    if isinstance(documents, str):
        raise TypeError(
            f"{embedder} expects an iterable of token lists, got one str; "
            "tokenize first (medrep words tokenize) and pass a list of token lists or a TokensFile"
        )
    if iter(documents) is documents:
        raise TypeError(
            f"{embedder} reads the corpus more than once, but got a one-shot {type(documents).__name__}; "
            "pass a list of token lists or a restartable iterable such as medrep_text.tokens_file.TokensFile"
        )


class CheckedDocuments:
    """Restartable view of ``documents`` that rejects items that are not token lists.

    A ``str`` item raises ``TypeError`` naming its index and saying to tokenize first,
    because iterating over a string would silently train on single characters.
    """

    def __init__(self, documents: Iterable[list[str]]) -> None:
        self.documents = documents

    def __iter__(self) -> Iterator[list[str]]:
        for index, document in enumerate(self.documents):
            if isinstance(document, str):
                raise TypeError(
                    f"document {index} is a str, not a list of tokens; tokenize first "
                    "(for example with medrep.get('tokenizer', ...).iter_tokenize or `medrep words tokenize`)"
                )
            if not isinstance(document, (list, tuple)):
                raise TypeError(f"document {index} is a {type(document).__name__}, not a list of str tokens")
            if document and not isinstance(document[0], str):
                raise TypeError(
                    f"document {index} contains {type(document[0]).__name__} tokens, not str; tokenize first"
                )
            yield document


class SplitDocuments:
    """Restartable view of ``documents`` with every document cut into pieces of at most ``max_length`` tokens."""

    def __init__(self, documents: Iterable[list[str]], max_length: int) -> None:
        self.documents = documents
        self.max_length = max_length

    def __iter__(self) -> Iterator[list[str]]:
        size = self.max_length
        for document in self.documents:
            if len(document) <= size:
                yield document
                continue
            for start in range(0, len(document), size):
                yield document[start : start + size]


@dataclass
class WordCounts:
    """Word frequencies and size of one pass over a corpus."""

    counts: Counter[str] = field(default_factory=Counter)
    documents: int = 0
    tokens: int = 0

    @property
    def corpus(self) -> dict[str, int]:
        """Corpus size, as recorded in the vectors' metadata."""
        return {"documents": self.documents, "tokens": self.tokens}


def count_words(documents: Iterable[list[str]], *, desc: str = "counting words") -> WordCounts:
    """Count every token of ``documents`` in one pass, with progress in words per second."""
    result = WordCounts()
    started = time.perf_counter()
    with progress.bar(desc=desc, unit="word", unit_scale=True) as bar:
        for document in CheckedDocuments(documents):
            result.counts.update(document)
            result.documents += 1
            result.tokens += len(document)
            bar.update(len(document))
    elapsed = max(time.perf_counter() - started, 1e-9)
    logger.info(
        "counted %d tokens in %d documents (%d distinct words) at %.0f words/s",
        result.tokens, result.documents, len(result.counts), result.tokens / elapsed,
    )
    return result


def select_vocabulary(counts: Counter[str], *, min_count: int, max_vocab: int | None) -> list[str]:
    """Return the words seen at least ``min_count`` times, most frequent first, at most ``max_vocab``.

    Ties keep the order in which words first occurred, so the result is deterministic.
    """
    words = [word for word, count in counts.most_common() if count >= min_count]
    if max_vocab is not None:
        words = words[:max_vocab]
    if not words:
        raise DataError(
            f"no word occurs at least min_count={min_count} times in a corpus of "
            f"{sum(counts.values())} tokens",
            hint="lower min_count or pass a larger corpus",
        )
    return words


def format_bytes(size: float) -> str:
    """Return ``size`` in bytes as a short human-readable string (binary units)."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024:
            return f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TiB"
