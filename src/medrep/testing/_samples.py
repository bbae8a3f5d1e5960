"""Small inputs that the contract checks feed to plugins."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

SAMPLE_TEXTS: tuple[str, ...] = (
    "SARS-CoV-2 infection causes COVID-19, a respiratory disease.",
    "Patients with COVID-19 often present with fever, cough and fatigue.",
    "Interleukin-6 (IL-6) levels rise in severe coronavirus infection.",
    "The virus binds the ACE2 receptor on epithelial cells of the lung.",
    "Remdesivir and dexamethasone were studied in hospitalised patients.",
    "Ünïcödé text, numbers like 2019 and 3.5 mg/kg, and an emoji 🦠 must survive.",
    "",
)


def sample_documents(repeat: int = 4) -> list[list[str]]:
    """Return lower-cased, whitespace-split sample documents, repeated ``repeat`` times."""
    documents = [text.lower().replace(",", " ").replace(".", " ").split() for text in SAMPLE_TEXTS if text]
    return documents * repeat


class SampleVectors:
    """Minimal keyed vectors implementing the contract explorers rely on.

    It exists so that explorers can be checked without any embedder installed.
    """

    def __init__(self, words: Sequence[str], dim: int = 8, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.index_to_key = list(dict.fromkeys(words))
        self.key_to_index = {word: index for index, word in enumerate(self.index_to_key)}
        self.vectors = rng.standard_normal((len(self.index_to_key), dim)).astype(np.float32)
        self.metadata: dict[str, Any] = {"embedder": "sample", "seed": seed}

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, word: object) -> bool:
        return word in self.key_to_index

    def __getitem__(self, word: str) -> np.ndarray:
        return self.vectors[self.key_to_index[word]]

    def _unit(self) -> np.ndarray:
        norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
        return self.vectors / np.maximum(norms, 1e-12)

    def similarity(self, first: str, second: str) -> float:
        unit = self._unit()
        return float(unit[self.key_to_index[first]] @ unit[self.key_to_index[second]])

    def most_similar(self, word: str, topn: int = 10) -> list[tuple[str, float]]:
        unit = self._unit()
        scores = unit @ unit[self.key_to_index[word]]
        order = [index for index in np.argsort(-scores) if self.index_to_key[index] != word]
        return [(self.index_to_key[index], float(scores[index])) for index in order[:topn]]
