"""Subword windows for the masked-LM embedder: token lists cut into model-sized sequences.

Each document's words are split into subword pieces by the model's fast tokenizer, then
packed greedily, whole words only, into windows of at most ``max_length`` pieces
including ``[CLS]`` and ``[SEP]``. Each window keeps, for every piece, the index of the
word it came from, so hidden states can be averaged back into word vectors.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from medrep_text.embedders._corpus import CheckedDocuments

#: Documents sent to the tokenizer in one call.
TOKENIZER_BATCH = 64


@dataclass
class Window:
    """One model input: piece ids with ``[CLS]``/``[SEP]``, and the word index of each piece (-1 for specials)."""

    input_ids: list[int]
    piece_words: list[int]
    words: list[str]


def iter_windows(documents: Iterable[list[str]], tokenizer: Any, max_length: int) -> Iterator[Window]:
    """Yield the windows of every document, in corpus order."""
    budget = max_length - 2
    iterator = iter(CheckedDocuments(documents))
    while batch := [list(document) for document in islice(iterator, TOKENIZER_BATCH)]:
        batch = [document for document in batch if document]
        if not batch:
            continue
        encoded = tokenizer(batch, is_split_into_words=True, add_special_tokens=False, truncation=False)
        for index, document in enumerate(batch):
            yield from _pack(document, encoded["input_ids"][index], encoded.word_ids(index), budget, tokenizer)


def _pack(words: list[str], ids: list[int], word_ids: list[int | None], budget: int, tokenizer: Any) -> Iterator[Window]:
    groups = _pieces_by_word(ids, word_ids)
    window_ids: list[int] = []
    window_words: list[int] = []
    first_word = 0
    for word_index, pieces in groups:
        # NOTE: a single word longer than the whole window keeps only its first pieces.
        pieces = pieces[:budget]
        if window_ids and len(window_ids) + len(pieces) > budget:
            yield _window(window_ids, window_words, words, first_word, tokenizer)
            window_ids, window_words = [], []
        if not window_ids:
            first_word = word_index
        window_ids.extend(pieces)
        window_words.extend([word_index] * len(pieces))
    if window_ids:
        yield _window(window_ids, window_words, words, first_word, tokenizer)


def _pieces_by_word(ids: list[int], word_ids: list[int | None]) -> list[tuple[int, list[int]]]:
    """Group piece ids by word; words that the tokenizer turned into no piece are absent."""
    groups: list[tuple[int, list[int]]] = []
    for piece, word in zip(ids, word_ids):
        if word is None:
            continue
        if groups and groups[-1][0] == word:
            groups[-1][1].append(piece)
        else:
            groups.append((word, [piece]))
    return groups


def _window(ids: list[int], piece_words: list[int], words: list[str], first_word: int, tokenizer: Any) -> Window:
    last_word = piece_words[-1]
    local = [word - first_word for word in piece_words]
    return Window(
        input_ids=[tokenizer.cls_token_id, *ids, tokenizer.sep_token_id],
        piece_words=[-1, *local, -1],
        words=words[first_word : last_word + 1],
    )


def count_windows(documents: Iterable[list[str]], tokenizer: Any, max_length: int) -> tuple[int, int]:
    """Return the number of windows and of pieces (specials included) that the corpus yields."""
    windows = pieces = 0
    for window in iter_windows(documents, tokenizer, max_length):
        windows += 1
        pieces += len(window.input_ids)
    return windows, pieces


def training_dataset(documents: Iterable[list[str]], tokenizer: Any, max_length: int) -> Any:
    """Return a torch ``IterableDataset`` of ``{"input_ids", "special_tokens_mask"}`` rows, re-read each epoch."""
    from torch.utils.data import IterableDataset

    class WindowDataset(IterableDataset):  # type: ignore[misc]
        def __iter__(self) -> Iterator[dict[str, list[int]]]:
            for window in iter_windows(documents, tokenizer, max_length):
                size = len(window.input_ids)
                yield {"input_ids": window.input_ids, "special_tokens_mask": [1] + [0] * (size - 2) + [1]}

    return WindowDataset()
