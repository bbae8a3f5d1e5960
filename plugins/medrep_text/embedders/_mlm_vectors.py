"""Word vectors from a masked LM: hidden states averaged over subword pieces, then over occurrences."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from medrep import progress
from medrep_text.embedders._mlm_windows import Window, iter_windows

logger = logging.getLogger(__name__)


@dataclass
class _Batch:
    windows: list[Window]
    # For each window, the (local word index, vocabulary id) pairs to read from it.
    slots: list[list[tuple[int, int]]]


def word_vectors(
    encoder: Any,
    tokenizer: Any,
    documents: Iterable[list[str]],
    words: list[str],
    *,
    layers: list[int],
    max_length: int,
    batch_size: int,
    max_occurrences: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (vectors, occurrences): the mean hidden state of each word, and how many occurrences it averages.

    An occurrence's vector is the mean over the word's pieces of the chosen layers' mean
    hidden state. A word's vector is the mean over its first ``max_occurrences``
    occurrences in corpus order. Words never seen (or turned into no piece) get a zero row and count 0.
    """
    import torch

    key_to_index = {word: index for index, word in enumerate(words)}
    hidden_size = encoder.config.hidden_size
    sums = torch.zeros(len(words), hidden_size, dtype=torch.float64)
    taken = np.zeros(len(words), dtype=np.int64)
    device = next(encoder.parameters()).device

    started = time.perf_counter()
    pieces = 0
    encoder.eval()
    with torch.no_grad(), progress.bar(total=len(words) * max_occurrences, desc="mlm: word vectors", unit="occurrence") as bar:
        for batch in _batches(iter_windows(documents, tokenizer, max_length), key_to_index, taken, max_occurrences, batch_size):
            hidden = _hidden_states(encoder, batch.windows, layers, tokenizer.pad_token_id, device)
            _accumulate(sums, hidden, batch)
            pieces += sum(len(window.input_ids) for window in batch.windows)
            bar.update(sum(len(slots) for slots in batch.slots))
            if taken.min() >= max_occurrences:
                break

    elapsed = max(time.perf_counter() - started, 1e-9)
    logger.info("mlm: read hidden states of %d pieces at %.0f tokens/s", pieces, pieces / elapsed)
    counts = torch.from_numpy(taken).clamp(min=1).unsqueeze(1)
    return (sums / counts).float().numpy(), taken


def _batches(
    windows: Iterator[Window], key_to_index: dict[str, int], taken: np.ndarray, cap: int, batch_size: int
) -> Iterator[_Batch]:
    """Group windows that still hold an occurrence of some word under its cap, claiming those occurrences."""
    batch = _Batch([], [])
    for window in windows:
        slots = []
        present = set(window.piece_words)
        for local, word in enumerate(window.words):
            index = key_to_index.get(word)
            if index is not None and taken[index] < cap and local in present:
                taken[index] += 1
                slots.append((local, index))
        if not slots:
            continue
        batch.windows.append(window)
        batch.slots.append(slots)
        if len(batch.windows) == batch_size:
            yield batch
            batch = _Batch([], [])
    if batch.windows:
        yield batch


def _hidden_states(encoder: Any, windows: list[Window], layers: list[int], pad_id: int, device: Any) -> Any:
    """Return the mean of the chosen layers' hidden states, shape (windows, longest window, hidden)."""
    import torch

    longest = max(len(window.input_ids) for window in windows)
    input_ids = torch.full((len(windows), longest), pad_id, dtype=torch.long)
    attention = torch.zeros((len(windows), longest), dtype=torch.long)
    for row, window in enumerate(windows):
        input_ids[row, : len(window.input_ids)] = torch.tensor(window.input_ids)
        attention[row, : len(window.input_ids)] = 1
    output = encoder(input_ids=input_ids.to(device), attention_mask=attention.to(device), output_hidden_states=True)
    states = output.hidden_states
    return torch.stack([states[layer] for layer in layers]).mean(dim=0).double().cpu()


def _accumulate(sums: Any, hidden: Any, batch: _Batch) -> None:
    """Add each claimed occurrence's mean over its pieces to its word's running sum."""
    import torch

    rows, positions, occurrence_of_piece, word_of_occurrence = [], [], [], []
    for row, (window, slots) in enumerate(zip(batch.windows, batch.slots)):
        wanted = {local: len(word_of_occurrence) + offset for offset, (local, _) in enumerate(slots)}
        word_of_occurrence.extend(index for _, index in slots)
        for position, local in enumerate(window.piece_words):
            occurrence = wanted.get(local)
            if occurrence is not None:
                rows.append(row)
                positions.append(position)
                occurrence_of_piece.append(occurrence)

    piece_states = hidden[torch.tensor(rows), torch.tensor(positions)]
    occurrence_index = torch.tensor(occurrence_of_piece)
    occurrence_sums = torch.zeros(len(word_of_occurrence), hidden.shape[-1], dtype=hidden.dtype)
    occurrence_sums.index_add_(0, occurrence_index, piece_states)
    piece_counts = torch.bincount(occurrence_index, minlength=len(word_of_occurrence)).unsqueeze(1)
    sums.index_add_(0, torch.tensor(word_of_occurrence), occurrence_sums / piece_counts)
