"""Helpers shared by the explorers: input checks, word frequencies, figure files.

Explorers duck-type their inputs. Keyed vectors are anything with ``index_to_key``,
``key_to_index``, ``vectors`` and ``v[word]`` (medrep's ``KeyedVectors`` and gensim's
both qualify), and documents are a restartable iterable of token lists.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from medrep.errors import DataError

_VECTOR_ATTRIBUTES = ("index_to_key", "key_to_index", "vectors")


def require_vectors(vectors: Any, explorer: str) -> Any:
    """Return ``vectors`` if it looks like keyed vectors, else raise naming the missing input."""
    if vectors is None:
        raise DataError(f"the {explorer} explorer needs keyed vectors, but none were given", hint="pass the vectors an embedder returned")
    missing = [name for name in _VECTOR_ATTRIBUTES if not hasattr(vectors, name)]
    if missing:
        raise DataError(
            f"the {explorer} explorer needs keyed vectors; {type(vectors).__name__} has no {', '.join(missing)}",
            hint="pass medrep or gensim KeyedVectors",
        )
    return vectors


def entity_table_from(config: Any) -> Any:
    """Load the entity table named by an explorer's ``entities`` option, or return ``None``.

    ``config`` carries the options that the ``tsne`` and ``cooccurrence`` explorers share:
    ``entities``, ``category_rule``, ``match`` and ``acronym_max_length``.
    """
    if config.entities is None:
        return None
    from medrep_text.entities import load_entity_table

    return load_entity_table(
        config.entities,
        rule=config.category_rule,
        match=config.match,
        acronym_max_length=config.acronym_max_length,
    )


def require_documents(documents: Iterable[list[str]] | None, explorer: str) -> Iterable[list[str]]:
    """Return ``documents`` unless it is ``None``, which raises naming the missing input."""
    if documents is None:
        raise DataError(
            f"the {explorer} explorer needs the tokenized corpus, but no documents were given",
            hint="pass a tokens file (medrep_text.tokens_file.TokensFile) or a list of token lists",
        )
    return documents


def words_by_frequency(vectors: Any, documents: Iterable[list[str]] | None = None) -> tuple[list[str], dict[str, int] | None]:
    """Return the vocabulary from most to least frequent, and the counts when known.

    Counts come from ``documents`` when given, else from the vectors' ``count`` attribute
    (gensim's ``get_vecattr``). Without either, the order of ``index_to_key`` is taken as
    the frequency order, which is how gensim and medrep embedders store their vocabulary.
    """
    vocabulary = list(vectors.index_to_key)
    counts: dict[str, int] | None = None
    if documents is not None:
        known = vectors.key_to_index
        counter = Counter(token for document in documents for token in document if token in known)
        counts = {word: counter.get(word, 0) for word in vocabulary}
    elif hasattr(vectors, "get_vecattr") and vocabulary:
        try:
            counts = {word: int(vectors.get_vecattr(word, "count")) for word in vocabulary}
        except (KeyError, AttributeError):
            counts = None

    if counts is None:
        return vocabulary, None
    rank = {word: index for index, word in enumerate(vocabulary)}
    return sorted(vocabulary, key=lambda word: (-counts[word], rank[word])), counts


def save_figure(figure: Any, stem: str | Path, formats: tuple[str, ...] = ("png", "svg"), dpi: int = 150) -> list[Path]:
    """Write ``figure`` as ``<stem>.png`` and ``<stem>.svg`` (atomically) and return the paths."""
    from medrep.io import atomic_write

    paths = []
    for extension in formats:
        path = Path(f"{stem}.{extension}")
        with atomic_write(path, "wb") as stream:
            figure.savefig(stream, format=extension, dpi=dpi, bbox_inches="tight")
        paths.append(path)
    return paths


def new_figure(width: float, height: float) -> Any:
    """Create a figure on the non-interactive Agg canvas, leaving pyplot's global state alone."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure
