"""Helpers shared by the tokenizers built on Hugging Face ``tokenizers``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

# Documents per encode_batch call when streaming: large enough for Hugging Face's
# thread pool to share out, small enough to keep memory flat.
STREAM_BATCH = 256


def batched(documents: Iterable[str], size: int = STREAM_BATCH) -> Iterator[list[str]]:
    """Yield lists of up to ``size`` documents."""
    iterator = iter(documents)
    while batch := list(islice(iterator, size)):
        yield batch
