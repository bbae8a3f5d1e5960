"""Interpolated Kneser-Ney probabilities over :class:`~medrep_text.ngram.counts.NgramCounts`.

For a context ``h`` (the last ``k - 1`` tokens) and word ``w`` at order ``k``::

    P_k(w | h) = max(a(h w) - D_k, 0) / a(h .)  +  D_k * T(h) / a(h .) * P_{k-1}(w | h')

where ``a`` is the raw count at the model's highest order and the adjusted (continuation)
count below it. ``a(h .)`` is the sum of ``a(h w)`` over all ``w``, ``T(h)`` the number of
distinct words seen after ``h``, and ``h'`` is ``h`` without its first token (Chen and
Goodman, "An empirical study of smoothing techniques for language modeling", 1998). The
lowest order is ``P_1(w) = a(w) / sum a``, the share of distinct left neighbours of ``w``.
A context never seen followed by a word falls through to the next shorter one, so a context
of unseen words gets ``P_1``, and every distribution sums to one over the vocabulary.

A model of order 1 has no context: ``P(w) = count(w) / tokens``.

Each order's discount is Ney's estimate ``D_k = n1 / (n1 + 2 * n2)``, where ``n1`` and
``n2`` count the k-grams whose adjusted count is 1 and 2.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from medrep_text.ngram.counts import NgramCounts

__all__ = ["estimate_discounts", "distribution", "FALLBACK_DISCOUNT"]

#: Discount of an order without any k-gram seen once (tiny or degenerate corpora).
FALLBACK_DISCOUNT = 0.5


def estimate_discounts(counts: NgramCounts) -> list[float]:
    """Return Ney's discount ``n1 / (n1 + 2 * n2)`` for each order (order 1's is unused)."""
    discounts = []
    for adjusted in counts.adjusted:
        singletons = int(np.count_nonzero(adjusted == 1))
        doubletons = int(np.count_nonzero(adjusted == 2))
        # NOTE: an order without singletons would get D = 0, which gives unseen words zero
        # probability after its contexts; the fallback keeps some mass for shorter contexts.
        discounts.append(singletons / (singletons + 2 * doubletons) if singletons else FALLBACK_DISCOUNT)
    return discounts


def distribution(counts: NgramCounts, discounts: Sequence[float], context: Sequence[int]) -> tuple[np.ndarray, int]:
    """Return ``P(. | context)`` over the vocabulary ids and the number of context tokens used.

    ``context`` contains token ids, -1 for tokens outside the vocabulary; only the last
    ``order - 1`` are read. The second value is the length of the longest suffix of the
    context that was seen followed by a word, and so determined the result.
    """
    if counts.order == 1:
        raw = counts.counts[0].astype(np.float64)
        return raw / raw.sum(), 0

    adjusted = counts.adjusted[0].astype(np.float64)
    probabilities = adjusted / adjusted.sum()
    usable = list(context)[-(counts.order - 1) :]
    used = 0
    for length in range(1, len(usable) + 1):
        parent = counts.find(usable[-length:])
        if parent < 0:
            break
        block, words = counts.continuations(parent, length + 1)
        if block.stop == block.start:
            break
        weights = counts.adjusted[length][block].astype(np.float64)
        total = weights.sum()
        discount = discounts[length]

        smoothed = probabilities * (discount * len(weights) / total)
        smoothed[words] += np.maximum(weights - discount, 0.0) / total
        probabilities, used = smoothed, length
    return probabilities, used
