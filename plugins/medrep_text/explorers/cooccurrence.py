"""``cooccurrence``: the words found most often near a target word in the corpus."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from medrep.config import PluginConfig
from medrep.kinds import Exploration, Explorer
from medrep.progress import track
from medrep_text.explorers._common import entity_table_from, new_figure, require_documents

logger = logging.getLogger(__name__)


class CooccurrenceExplorer(Explorer):
    """Top-k co-occurring words of each target within a symmetric window.

    For every occurrence of a target, each token at most ``window`` positions before or
    after it (in the same document) adds one to that token's count. The target itself is
    not listed. A word's ``share`` is its count divided by the target's total, the number
    of tokens counted around all its occurrences, so shares of a target sum to 1 over all
    words before any filtering. ``categories`` keeps only words that the entity table
    assigns one of those categories; shares stay relative to the unfiltered total.
    Vectors are not used.
    """

    class Config(PluginConfig):
        targets: list[str] = Field(default_factory=lambda: ["covid-19"], min_length=1, description="words to look around")
        window: int = Field(5, ge=1, description="tokens counted on each side of the target")
        top_k: int = Field(20, ge=1, description="co-occurring words listed per target")
        categories: list[str] = Field(default_factory=list, description="keep only words of these entity categories (needs `entities`)")
        entities: str | None = Field(None, description="term-to-category table (TSV with a header: term, category, mentions...)")
        category_rule: Literal["most-mentions", "first-listed"] = Field(
            "most-mentions", description="category of a term listed with several: the most annotated one, or the first listed"
        )
        match: Literal["ignore-case", "exact"] = Field(
            "ignore-case", description="match words to terms ignoring case (except short all-capital acronyms and terms of two letters), or exactly"
        )
        acronym_max_length: int = Field(4, ge=0, description="all-capital terms up to this length match only their exact spelling")

        @model_validator(mode="after")
        def _categories_need_entities(self) -> "CooccurrenceExplorer.Config":
            if self.categories and self.entities is None:
                raise ValueError("`categories` needs an entity table: set `entities`")
            return self

    def explore(self, vectors: Any = None, documents: Iterable[list[str]] | None = None) -> Exploration:
        """Count co-occurrences in one pass over ``documents`` and list the top words."""
        documents = require_documents(documents, "cooccurrence")
        table = entity_table_from(self.config)
        if table is not None:
            table.check_categories(self.config.categories)
        targets = list(dict.fromkeys(self.config.targets))
        counters, occurrences = count_cooccurrences(documents, targets, self.config.window)

        rows, summary, warnings = [], {}, []
        for target in targets:
            total = sum(counters[target].values())
            top = self._top_words(counters[target], target, table)
            if occurrences[target] == 0:
                warnings.append(_absent_target(target))
            elif self.config.categories and not top:
                warnings.append(f"no word near {target!r} belongs to the categories {', '.join(self.config.categories)}")
            for rank, (word, count) in enumerate(top, start=1):
                rows.append(
                    {
                        "target": target,
                        "rank": rank,
                        "word": word,
                        "count": count,
                        "share": count / total,
                        "category": table.category(word) if table else None,
                    }
                )
            summary[target] = {"occurrences": occurrences[target], "total": total, "top": [[word, count] for word, count in top]}

        for warning in warnings:
            logger.warning(warning)
        data = {
            "window": self.config.window,
            "categories": self.config.categories,
            "entity_rules": table.describe() if table else None,
            "targets": summary,
        }
        figure = self._draw(rows, targets) if rows else None
        return Exploration(name="cooccurrence", rows=rows, data=data, figure=figure, warnings=warnings)

    def _top_words(self, counter: Counter[str], target: str, table: Any) -> list[tuple[str, int]]:
        categories = set(self.config.categories)
        # Sorting by (-count, word) makes ties come out in the same order on every run.
        ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
        top = []
        for word, count in ranked:
            if word == target or (categories and table.category(word) not in categories):
                continue
            top.append((word, count))
            if len(top) == self.config.top_k:
                break
        return top

    def _draw(self, rows: list[dict[str, Any]], targets: list[str]) -> Any:
        plotted = [target for target in targets if any(row["target"] == target for row in rows)]
        height = max(3.0, 0.28 * self.config.top_k) * len(plotted)
        figure = new_figure(7.0, height)
        axes_list = figure.subplots(len(plotted), 1, squeeze=False)[:, 0]
        for axes, target in zip(axes_list, plotted):
            selected = [row for row in rows if row["target"] == target]
            labels = [row["word"] for row in selected][::-1]
            shares = [row["share"] for row in selected][::-1]
            axes.barh(labels, shares, color="#4c72b0")
            axes.set_title(f"words within {self.config.window} tokens of {target!r}")
            axes.set_xlabel("share of co-occurrences (count / total)")
            axes.tick_params(axis="y", labelsize=8)
        return figure


def _absent_target(target: str) -> str:
    """Return the warning for a target that no document contains as a token."""
    message = f"target {target!r} is not a token of the tokenized corpus"
    if target.isalnum():
        return message
    # A target with a hyphen or other punctuation is usually missing because the
    # tokenizer cut it into pieces.
    return (
        f"{message}; a tokenizer can split it into pieces (regex keeps compounds such as covid-19 whole with "
        "keep_compounds=true, bpe with pre_tokenizer=compounds), so look for one of its pieces or "
        "tokenize the corpus again"
    )


def count_cooccurrences(
    documents: Iterable[list[str]], targets: list[str], window: int
) -> tuple[dict[str, Counter[str]], dict[str, int]]:
    """Count, for each target, the tokens within ``window`` positions of its occurrences.

    Returns the counters and the number of occurrences of each target.
    """
    target_set = set(targets)
    counters: dict[str, Counter[str]] = {target: Counter() for target in targets}
    occurrences = dict.fromkeys(targets, 0)
    for document in track(documents, desc="co-occurrences", unit="doc"):
        for position, token in enumerate(document):
            if token not in target_set:
                continue
            occurrences[token] += 1
            counter = counters[token]
            counter.update(document[max(0, position - window) : position])
            counter.update(document[position + 1 : position + 1 + window])
    return counters, occurrences
