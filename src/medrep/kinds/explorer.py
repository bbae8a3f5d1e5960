"""The ``explorer`` kind: keyed vectors (and the corpus where needed) in, tables and figures out."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from medrep.kinds._base import Plugin


@dataclass
class Exploration:
    """Result of an explorer: rows of a table, numbers, and an optional figure.

    ``rows`` is a list of dictionaries with the same keys, ready for a Markdown or CSV
    table. ``data`` holds every number worth keeping in a JSON report. ``figure`` is a
    matplotlib ``Figure`` or ``None``; ``warnings`` lists what the user should know about
    the result (for example a clamped perplexity or low benchmark coverage).
    """

    name: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    figure: Any = None
    warnings: list[str] = field(default_factory=list)


class Explorer(Plugin):
    """Look into learned representations.

    Contract: ``explore(vectors, documents=None)`` takes keyed vectors (see
    :class:`~medrep.kinds.embedder.Embedder`) and, for explorers that need the corpus, a
    restartable iterable of token lists. It returns an :class:`Exploration`. What to
    look at (target words, ``k``, benchmark files) is configuration. Explorers never
    mutate the vectors. Explorers that need neither vectors nor a corpus raise
    ``ValueError`` naming the missing input.
    """

    kind: ClassVar[str] = "explorer"

    @abstractmethod
    def explore(self, vectors: Any = None, documents: Iterable[list[str]] | None = None) -> Exploration:
        """Compute the exploration."""
