"""The numbers of one tokenize stage that the report shows, read from the stage summary.

The summary contains what :func:`medrep_text.tokenize_corpus.tokenize_corpus` writes into a
tokens file's metadata: ``statistics`` (see ``tokenizer_statistics``), ``top`` as
``[token, count]`` pairs and ``sample`` as ``{"seed": ..., "tokens": [[token, count], ...]}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["TokenStatistics"]


@dataclass
class TokenStatistics:
    """Counts, top tokens, weighted sample and comparison measures of one tokenizer's run."""

    documents: int = 0
    tokens: int = 0
    vocabulary_size: int = 0
    tokens_per_document: float | None = None
    unknown_share: float | None = None
    throughput: float | None = None
    training_seconds: float | None = None
    top: list[tuple[str, int]] = field(default_factory=list)
    sample: list[tuple[str, int]] = field(default_factory=list)
    compounds: dict[str, dict[str, Any]] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_summary(cls, summary: dict[str, Any]) -> "TokenStatistics":
        """Read the statistics that the tokenize stage stored in its summary."""
        statistics = summary.get("statistics", {})
        return cls(
            documents=statistics.get("documents", 0),
            tokens=statistics.get("tokens", 0),
            vocabulary_size=statistics.get("vocabulary_size", 0),
            tokens_per_document=statistics.get("tokens_per_document"),
            unknown_share=statistics.get("unknown_share"),
            throughput=statistics.get("throughput_mb_per_s"),
            training_seconds=summary.get("training_seconds"),
            top=[(str(token), int(count)) for token, count in summary.get("top", [])],
            sample=[(str(token), int(count)) for token, count in summary.get("sample", {}).get("tokens", [])],
            compounds=dict(statistics.get("compounds", {})),
            config=summary.get("config", {}),
        )

    def describe(self, label: str) -> str:
        """Return one sentence with the counts, the training time and the tokenizer's options."""
        options = ", ".join(f"{key}={value}" for key, value in self.config.items()) or "defaults"
        trained = f" Trained on the corpus in {self.training_seconds:.1f} s." if self.training_seconds else ""
        return (
            f"{label}: {self.tokens:,} tokens in {self.documents:,} documents, "
            f"{self.vocabulary_size:,} distinct tokens.{trained} Options: {options}."
        )

    def compound_cell(self, compound: str) -> str | None:
        """Return 'share (single tokens / occurrences)' for one compound, or None when it never occurs."""
        found = self.compounds.get(compound)
        if not found or not found.get("occurrences"):
            return None
        return f"{found['share']:.0%} ({found['single_token']}/{found['occurrences']})"
