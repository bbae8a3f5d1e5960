"""``neighbours``: nearest words by cosine similarity, and word analogies."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Annotated, Any

import numpy as np
from pydantic import Field

from medrep.config import PluginConfig
from medrep.kinds import Exploration, Explorer
from medrep_text.explorers._common import require_vectors

logger = logging.getLogger(__name__)

Analogy = Annotated[list[str], Field(min_length=3, max_length=3)]


class NeighboursExplorer(Explorer):
    """Nearest words of each target by cosine similarity, and analogies ``a - b + c``.

    Neighbours come from the vectors' own ``most_similar(word, topn=k)``. An analogy
    ``[a, b, c]`` ranks every other word by its cosine similarity to
    ``unit(a) - unit(b) + unit(c)`` (unit vectors, the 3CosAdd rule that gensim's
    ``most_similar(positive=[a, c], negative=[b])`` also applies), leaving out a, b and c.
    Words without a vector are reported as warnings, not errors.
    """

    class Config(PluginConfig):
        targets: list[str] = Field(default_factory=lambda: ["coronavirus"], description="words whose nearest neighbours are listed")
        analogies: list[Analogy] = Field(
            default_factory=list, description="analogies as [a, b, c], read 'a - b + c', for example ['ibuprofen', 'pain', 'fever']"
        )
        top_k: int = Field(10, ge=1, description="words listed per target or analogy")

    def explore(self, vectors: Any = None, documents: Iterable[list[str]] | None = None) -> Exploration:
        """List the neighbours of each target and the nearest words to each analogy; ``documents`` is not used."""
        vectors = require_vectors(vectors, "neighbours")
        known = vectors.key_to_index
        rows: list[dict[str, Any]] = []
        found: dict[str, list[list[Any]]] = {}
        warnings = []

        for target in dict.fromkeys(self.config.targets):
            if target not in known:
                warnings.append(f"target {target!r} has no vector")
                continue
            neighbours = [(str(word), float(score)) for word, score in vectors.most_similar(target, topn=self.config.top_k)]
            found[target] = [[word, score] for word, score in neighbours]
            rows.extend(_rows(target, "neighbours", neighbours))

        if self.config.analogies:
            unit = _unit_rows(np.asarray(vectors.vectors, dtype=np.float64))
            for first, second, third in self.config.analogies:
                query = f"{first} - {second} + {third}"
                absent = [word for word in (first, second, third) if word not in known]
                if absent:
                    warnings.append(f"analogy {query!r}: no vector for {', '.join(absent)}")
                    continue
                answers = analogy(vectors, unit, first, second, third, self.config.top_k)
                found[query] = [[word, score] for word, score in answers]
                rows.extend(_rows(query, "analogy", answers))

        for warning in warnings:
            logger.warning(warning)
        data = {"top_k": self.config.top_k, "results": found}
        return Exploration(name="neighbours", rows=rows, data=data, warnings=warnings)


def _rows(query: str, kind: str, results: list[tuple[str, float]]) -> list[dict[str, Any]]:
    return [{"query": query, "type": kind, "rank": rank, "word": word, "cosine": score} for rank, (word, score) in enumerate(results, start=1)]


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


def analogy(vectors: Any, unit: np.ndarray, first: str, second: str, third: str, top_k: int) -> list[tuple[str, float]]:
    """Return the ``top_k`` words closest to ``unit(first) - unit(second) + unit(third)``.

    ``unit`` is the vectors' matrix with rows scaled to unit length.
    """
    index = vectors.key_to_index
    query = unit[index[first]] - unit[index[second]] + unit[index[third]]
    norm = np.linalg.norm(query)
    scores = unit @ (query / norm) if norm > 0 else np.zeros(len(unit))
    excluded = {first, second, third}
    for word in excluded:
        scores[index[word]] = -np.inf

    count = min(top_k, len(scores) - len(excluded))
    if count <= 0:
        return []
    best = np.argpartition(-scores, count - 1)[:count]
    best = best[np.argsort(-scores[best], kind="stable")]
    return [(vectors.index_to_key[position], float(scores[position])) for position in best]
