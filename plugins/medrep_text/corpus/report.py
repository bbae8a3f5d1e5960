"""Counts kept while building a corpus, per input file and in total."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

COUNTERS = (
    "rows_read",
    "missing_titles",
    "missing_abstracts",
    "empty_documents_dropped",
    "duplicates_removed",
    "documents_written",
    "invalid_utf8_replacements",
)


@dataclass
class SourceCounts:
    """Counts of the records of one input file, by what happened to them.

    ``rows_read`` counts CSV records, PubTator documents or text lines. A title or abstract
    that is absent, empty or whitespace only counts as missing. ``empty_documents_dropped``
    counts records with no text left after merging and stripping;
    ``invalid_utf8_replacements`` counts the U+FFFD characters inserted for invalid UTF-8.
    """

    path: str
    format: str
    rows_read: int = 0
    missing_titles: int = 0
    missing_abstracts: int = 0
    empty_documents_dropped: int = 0
    duplicates_removed: int = 0
    documents_written: int = 0
    invalid_utf8_replacements: int = 0


@dataclass
class CorpusReport:
    """The run report of :func:`~medrep_text.corpus.build_corpus`."""

    output: Path
    options: dict[str, Any]
    inputs: list[SourceCounts] = field(default_factory=list)

    def total(self, counter: str) -> int:
        """Return the sum of one counter (for example ``"duplicates_removed"``) over all inputs."""
        if counter not in COUNTERS:
            raise KeyError(f"unknown counter {counter!r}. The counters are: {', '.join(COUNTERS)}")
        return sum(getattr(source, counter) for source in self.inputs)

    @property
    def documents_written(self) -> int:
        """Documents in the output file."""
        return self.total("documents_written")

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data: totals first, then each input."""
        totals = {counter: self.total(counter) for counter in COUNTERS}
        return {
            "step": "corpus",
            "output": str(self.output),
            **totals,
            "inputs": [asdict(source) for source in self.inputs],
            "options": self.options,
        }

