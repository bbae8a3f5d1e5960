"""``tsne``: a labelled 2-D t-SNE map of chosen words, coloured by entity category."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from medrep.config import PluginConfig
from medrep.errors import DataError
from medrep.kinds import Exploration, Explorer
from medrep_text.explorers._common import entity_table_from, new_figure, require_vectors, words_by_frequency

logger = logging.getLogger(__name__)

#: Minimum number of points t-SNE is run on.
MIN_POINTS = 4

UNCATEGORISED = "no category"


class TsneExplorer(Explorer):
    """2-D t-SNE of frequent (or chosen) words, labelled and coloured by entity category.

    Words are chosen as follows: every word in ``words`` that has a vector, then the
    ``top_n`` most frequent other words. With ``selection="categorised"`` (what ``"auto"``
    means when an entity table is given) only words that the table assigns a category
    count towards ``top_n``, so the map shows biomedical terms rather than "the" and "of".
    Frequencies come from the documents when given, else from the vectors (see
    ``words_by_frequency``).

    t-SNE (scikit-learn) starts from a PCA layout with a fixed seed. Its perplexity must
    stay below the number of points: a value above ``(points - 1) / 3``, the largest for
    which each point's ``3 * perplexity`` nearest neighbours exist, is lowered to that
    bound with a warning, and fewer than four points raise
    :class:`~medrep.errors.DataError`.
    """

    class Config(PluginConfig):
        words: list[str] = Field(default_factory=list, description="words always plotted when they have a vector")
        top_n: int = Field(80, ge=0, description="number of frequent words plotted besides `words`")
        selection: Literal["auto", "categorised", "frequent"] = Field(
            "auto",
            description="'categorised': most frequent words with an entity category; 'frequent': most frequent words; "
            "'auto': categorised when `entities` is set, else frequent",
        )
        entities: str | None = Field(None, description="term-to-category table (TSV with a header: term, category, mentions...)")
        category_rule: Literal["most-mentions", "first-listed"] = Field(
            "most-mentions", description="category of a term listed with several: the most annotated one, or the first listed"
        )
        match: Literal["ignore-case", "exact"] = Field(
            "ignore-case", description="match words to terms ignoring case (except short all-capital acronyms and terms of two letters), or exactly"
        )
        acronym_max_length: int = Field(4, ge=0, description="all-capital terms up to this length match only their exact spelling")
        perplexity: float = Field(
            20.0, gt=0, description="t-SNE perplexity; lowered with a warning when above (points - 1) / 3, 26.3 for 80 words"
        )
        metric: Literal["cosine", "euclidean"] = Field("cosine", description="distance between word vectors")
        max_iter: int = Field(1000, ge=250, description="t-SNE optimisation iterations (scikit-learn needs at least 250)")
        seed: int = Field(0, description="random seed of t-SNE")

        @model_validator(mode="after")
        def _categorised_needs_entities(self) -> "TsneExplorer.Config":
            if self.selection == "categorised" and self.entities is None:
                raise ValueError("selection='categorised' needs an entity table: set `entities`")
            return self

    @classmethod
    def contract_config(cls) -> dict[str, Any]:
        return {"top_n": 12, "max_iter": 250}

    def explore(self, vectors: Any = None, documents: Iterable[list[str]] | None = None) -> Exploration:
        """Embed the chosen words in 2-D and draw them; see the class docstring for the rules."""
        vectors = require_vectors(vectors, "tsne")
        table = entity_table_from(self.config)
        warnings: list[str] = []

        words, counts, missing = self._choose_words(vectors, documents, table)
        if missing:
            warnings.append(f"{len(missing)} requested words have no vector and are left out: {', '.join(missing)}")
        if len(words) < MIN_POINTS:
            raise DataError(
                f"t-SNE needs at least {MIN_POINTS} words with vectors, but only {len(words)} were chosen ({', '.join(words) or 'none'})",
                hint="raise top_n, name more words, or choose selection='frequent'",
            )

        perplexity = self._perplexity_for(len(words), warnings)
        coordinates, divergence = self._embed(vectors, words, perplexity)
        categories = [(table.category(word) if table else None) or UNCATEGORISED for word in words]

        rows = [
            {"word": word, "category": category, "count": counts.get(word) if counts else None, "x": float(x), "y": float(y)}
            for word, category, (x, y) in zip(words, categories, coordinates)
        ]
        data = {
            "words": words,
            "coordinates": coordinates.tolist(),
            "categories": dict(Counter(categories)),
            "selection": self._selection(table),
            "perplexity": perplexity,
            "perplexity_requested": self.config.perplexity,
            "kl_divergence": divergence,
            "metric": self.config.metric,
            "seed": self.config.seed,
            "entity_rules": table.describe() if table else None,
            "missing_words": missing,
        }
        for warning in warnings:
            logger.warning(warning)
        figure = self._draw(words, categories, coordinates, perplexity)
        return Exploration(name="tsne", rows=rows, data=data, figure=figure, warnings=warnings)

    def _selection(self, table: Any) -> str:
        if self.config.selection == "auto":
            return "categorised" if table is not None else "frequent"
        return self.config.selection

    def _choose_words(self, vectors: Any, documents: Any, table: Any) -> tuple[list[str], dict[str, int] | None, list[str]]:
        known = vectors.key_to_index
        named = list(dict.fromkeys(self.config.words))
        chosen = [word for word in named if word in known]
        missing = [word for word in named if word not in known]

        ordered, counts = words_by_frequency(vectors, documents)
        categorised_only = self._selection(table) == "categorised"
        extra = []
        for word in ordered:
            if len(extra) >= self.config.top_n:
                break
            if word in chosen or (categorised_only and table.category(word) is None):
                continue
            extra.append(word)
        return chosen + extra, counts, missing

    def _perplexity_for(self, points: int, warnings: list[str]) -> float:
        largest = (points - 1) / 3
        if self.config.perplexity <= largest:
            return self.config.perplexity
        warnings.append(
            f"perplexity {self.config.perplexity:g} is too large for {points} points; using {largest:g}, "
            "the largest value (points - 1) / 3 allows"
        )
        return largest

    def _embed(self, vectors: Any, words: list[str], perplexity: float) -> tuple[np.ndarray, float]:
        from sklearn.manifold import TSNE

        matrix = np.stack([np.asarray(vectors[word], dtype=np.float64) for word in words])
        tsne = TSNE(
            n_components=2,
            perplexity=perplexity,
            init="pca",
            metric=self.config.metric,
            max_iter=self.config.max_iter,
            random_state=self.config.seed,
        )
        coordinates = tsne.fit_transform(matrix)
        return coordinates, float(tsne.kl_divergence_)

    def _draw(self, words: list[str], categories: list[str], coordinates: np.ndarray, perplexity: float) -> Any:
        size = 9.0 if len(words) <= 60 else 12.0
        figure = new_figure(size * 1.25, size)
        axes = figure.add_subplot()
        palette = _palette(sorted(set(categories) - {UNCATEGORISED}))
        palette[UNCATEGORISED] = "#9e9e9e"

        for category in sorted(set(categories), key=lambda name: (name == UNCATEGORISED, name)):
            points = coordinates[[index for index, name in enumerate(categories) if name == category]]
            axes.scatter(points[:, 0], points[:, 1], s=22, color=palette[category], label=category, alpha=0.85)

        font_size = 9 if len(words) <= 60 else 7
        for word, (x, y), (dx, dy, align) in zip(words, coordinates, _label_offsets(coordinates)):
            axes.annotate(word, (x, y), xytext=(dx, dy), textcoords="offset points", ha=align, fontsize=font_size, alpha=0.9)

        axes.set_title(f"t-SNE of {len(words)} word vectors (perplexity {perplexity:g})")
        axes.set_xticks([])
        axes.set_yticks([])
        axes.legend(title="entity category", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        return figure


def _label_offsets(coordinates: np.ndarray) -> list[tuple[int, int, str]]:
    """Return a label offset (points) and alignment per point, turning labels of close points apart.

    A point within 2% of the map's span of k earlier points gets the (k mod 4)-th of:
    above right, below right, above left, below left. Words with near-identical vectors
    (``cell`` and ``cells``) then stay readable.
    """
    choices = [(3, 3, "left"), (3, -9, "left"), (-3, 3, "right"), (-3, -9, "right")]
    span = float(np.ptp(coordinates, axis=0).max()) or 1.0
    offsets = []
    for index, point in enumerate(coordinates):
        close = int(np.count_nonzero(np.linalg.norm(coordinates[:index] - point, axis=1) < 0.02 * span))
        offsets.append(choices[close % len(choices)])
    return offsets


def _palette(categories: list[str]) -> dict[str, Any]:
    from matplotlib import colormaps

    colours = colormaps["tab10"].colors if len(categories) <= 10 else colormaps["tab20"].colors
    return {category: colours[index % len(colours)] for index, category in enumerate(categories)}
