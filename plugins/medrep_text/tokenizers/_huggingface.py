"""Helpers shared by the tokenizers built on Hugging Face ``tokenizers``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

# Documents per encode_batch call when streaming: large enough for Hugging Face's
# thread pool to share out, small enough to keep memory flat.
STREAM_BATCH = 256


def batched(documents: Iterable[str], size: int = STREAM_BATCH) -> Iterator[list[str]]:
    """Yield lists of up to ``size`` documents."""
    iterator = iter(documents)
    while batch := list(islice(iterator, size)):
        yield batch


class TokenStrings:
    """The token strings of a Hugging Face tokenizer's encodings, looked up by id.

    ``Encoding.tokens`` builds a new Python string for every token of every document,
    which costs more than twice as much as reading the ids and indexing a table of the
    vocabulary's strings, built once per tokenizer. The table's strings are shared, so
    counting them afterwards also goes faster. A tokenizer is matched by identity and
    vocabulary size, so the table follows a retrained tokenizer or added tokens. When an
    id is outside the table, or the vocabulary has gaps in its ids, the tokens come from
    ``Encoding.tokens`` instead.
    """

    def __init__(self) -> None:
        # One tuple, replaced in one assignment, so that a thread never pairs a
        # tokenizer with another tokenizer's table.
        self._cache: tuple[Any, int, list[str]] = (None, -1, [])

    def __call__(self, backend: Any, encodings: Sequence[Any]) -> list[list[str]]:
        """Return the tokens of each of ``encodings``, which ``backend`` produced."""
        lookup = self._table(backend).__getitem__
        tokens = []
        for encoding in encodings:
            try:
                tokens.append(list(map(lookup, encoding.ids)))
            except IndexError:
                tokens.append(encoding.tokens)
        return tokens

    def _table(self, backend: Any) -> list[str]:
        cached, cached_size, strings = self._cache
        size = backend.get_vocab_size(with_added_tokens=True)
        if cached is not backend or cached_size != size:
            by_id = {index: token for token, index in backend.get_vocab(with_added_tokens=True).items()}
            complete = all(index in by_id for index in range(size))
            # An empty table sends every encoding to Encoding.tokens.
            strings = [by_id[index] for index in range(size)] if complete else []
            self._cache = (backend, size, strings)
        return strings

    def __getstate__(self) -> dict[str, Any]:
        # The table is rebuilt where it is next used, not copied to worker processes.
        return {"_cache": (None, -1, [])}
