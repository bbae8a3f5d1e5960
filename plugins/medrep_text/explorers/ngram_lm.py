"""``ngram-lm``: an n-gram language model with interpolated Kneser-Ney smoothing."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field

from medrep.config import PluginConfig
from medrep.errors import DataError, NotFittedError
from medrep.kinds import Exploration, Explorer

logger = logging.getLogger(__name__)


@dataclass
class NextWords:
    """The most probable next words after a context.

    ``context_used`` is the longest end of the context that the corpus shows followed by
    a word. ``backed_off`` is true when it is shorter than the context the model could
    use (the last ``order - 1`` tokens), so that shorter contexts decided the result. A context
    of unseen words backs off to the lowest order, the Kneser-Ney unigram distribution.
    """

    context: list[str]
    context_used: list[str]
    backed_off: bool
    words: list[tuple[str, float]]

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as JSON-ready values."""
        values = asdict(self)
        values["words"] = [[word, probability] for word, probability in self.words]
        return values


@dataclass
class WordProbability:
    """``P(word | context)``; ``known`` is false for a word outside the training vocabulary (probability 0)."""

    word: str
    probability: float
    known: bool
    context: list[str]
    context_used: list[str]
    backed_off: bool


class NgramLanguageModel(Explorer):
    """n-gram language model of the tokenized corpus with interpolated Kneser-Ney smoothing.

    ``fit(documents)`` counts every k-gram up to ``order`` in sorted numpy arrays
    (:mod:`medrep_text.ngram.counts`); ``next_words`` and ``probability`` return
    probabilities that sum to one over the vocabulary
    (:mod:`medrep_text.ngram.kneser_ney`). Documents are wrapped in ``<s>`` and ``</s>``
    markers when ``order`` is 2 or more, so ``</s>`` (end of document) can be predicted;
    ``order=1`` gives plain unigram frequencies. Contexts are lists of tokens; a string is
    split on whitespace, as a tokens file is.

    ``explore(documents=...)`` fits (unless already fitted and no documents are given) and
    predicts the next words for each of ``contexts``. When ``documents`` has a
    ``metadata`` attribute naming the tokenizer that wrote it (a
    :class:`~medrep_text.tokens_file.TokensFile`), each context is tokenized with that
    tokenizer first.
    """

    class Config(PluginConfig):
        order: int = Field(7, ge=1, le=20, description="highest n-gram order n: predictions use up to n - 1 context tokens")
        discount: float | None = Field(
            None, gt=0, le=1, description="Kneser-Ney discount of every order; default: Ney's estimate n1 / (n1 + 2 n2) per order"
        )
        contexts: list[str] = Field(
            default_factory=lambda: ["the main symptoms of covid-19 are"], description="contexts whose next words explore() lists"
        )
        top_k: int = Field(10, ge=1, description="next words listed per context")

    # -- learning --------------------------------------------------------------------------

    def fit(self, documents: Iterable[Sequence[str]]) -> "NgramLanguageModel":
        """Count the n-grams of ``documents`` (an iterable of token lists) and set the discounts."""
        from medrep_text.ngram.counts import build_counts
        from medrep_text.ngram.kneser_ney import estimate_discounts

        counts = build_counts(documents, self.config.order)
        self.counts_ = counts
        self.discounts_ = [self.config.discount] * counts.order if self.config.discount is not None else estimate_discounts(counts)
        logger.info(
            "counted %s n-grams of orders 1-%d from %d documents (%d tokens)",
            counts.ngram_counts(),
            counts.order,
            counts.documents,
            counts.tokens,
        )
        return self

    def _fitted(self) -> Any:
        counts = getattr(self, "counts_", None)
        if counts is None:
            raise NotFittedError("the n-gram model has no counts yet", hint="call fit(documents) or NgramLanguageModel.load(directory)")
        return counts

    # -- queries ---------------------------------------------------------------------------

    def distribution(self, context: Sequence[str] | str) -> tuple[np.ndarray, list[str]]:
        """Return ``P(. | context)`` over the vocabulary ids and the part of the context used."""
        from medrep_text.ngram.kneser_ney import distribution

        counts = self._fitted()
        tokens = _tokens(context)
        probabilities, used = distribution(counts, self.discounts_, counts.ids(tokens))
        return probabilities, tokens[len(tokens) - used :] if used else []

    def next_words(self, context: Sequence[str] | str, k: int | None = None) -> NextWords:
        """Return the ``k`` (default ``top_k``) most probable next words, most probable first."""
        counts = self._fitted()
        tokens = _tokens(context)
        probabilities, used = self.distribution(tokens)
        count = min(k or self.config.top_k, int(np.count_nonzero(probabilities)))

        best = np.argpartition(-probabilities, count - 1)[:count] if count else np.array([], dtype=np.int64)
        best = best[np.lexsort((best, -probabilities[best]))]
        words = [(counts.vocabulary[index], float(probabilities[index])) for index in best]
        return NextWords(context=tokens, context_used=used, backed_off=self._backed_off(tokens, used), words=words)

    def probability(self, word: str, context: Sequence[str] | str) -> WordProbability:
        """Return ``P(word | context)``; 0 (and ``known=False``) for a word the corpus never had."""
        counts = self._fitted()
        tokens = _tokens(context)
        probabilities, used = self.distribution(tokens)
        index = counts.word_ids.get(word)
        value = float(probabilities[index]) if index is not None else 0.0
        return WordProbability(
            word=word,
            probability=value,
            known=index is not None,
            context=tokens,
            context_used=used,
            backed_off=self._backed_off(tokens, used),
        )

    def _backed_off(self, tokens: list[str], used: list[str]) -> bool:
        return len(used) < min(self.config.order - 1, len(tokens))

    # -- persistence -----------------------------------------------------------------------

    def save(self, directory: str | Path) -> Path:
        """Write the counts, discounts and configuration to ``directory`` (replaced atomically)."""
        counts = self._fitted()
        return counts.save(directory, extra={"config": self.get_params(), "discounts": list(self.discounts_)})

    @classmethod
    def load(cls, directory: str | Path) -> "NgramLanguageModel":
        """Rebuild a model written by :meth:`save`; arrays are read without pickle."""
        from medrep_text.ngram.counts import NgramCounts

        counts, description = NgramCounts.load(directory)
        model = cls(**description.get("config", {"order": counts.order}))
        if model.config.order != counts.order:
            raise DataError(
                f"{directory}: invalid saved model, its configuration has order {model.config.order} but its arrays order {counts.order}",
                hint="the saved model is damaged; fit and save it again",
            )
        model.counts_ = counts
        model.discounts_ = [float(value) for value in description["discounts"]]
        return model

    # -- explorer --------------------------------------------------------------------------

    def explore(self, vectors: Any = None, documents: Iterable[list[str]] | None = None) -> Exploration:
        """Fit on ``documents`` and list the next words of each configured context; vectors are not used."""
        if documents is not None:
            self.fit(documents)
        elif getattr(self, "counts_", None) is None:
            raise DataError(
                "the ngram-lm explorer needs the tokenized corpus, but no documents were given",
                hint="pass a tokens file (medrep_text.tokens_file.TokensFile) or a list of token lists",
            )
        counts = self.counts_
        tokenize = _context_tokenizer(documents)

        rows, queries, warnings = [], [], []
        for text in self.config.contexts:
            result = self.next_words(tokenize(text))
            if result.backed_off:
                fallback = " ".join(result.context_used) or "no context (unigram distribution)"
                warnings.append(f"context {text!r} was not seen in full; the result backs off to: {fallback}")
            query = result.to_dict()
            queries.append({"context": text, "tokens": query.pop("context"), **query})
            for rank, (word, probability) in enumerate(result.words, start=1):
                rows.append(
                    {
                        "context": text,
                        "rank": rank,
                        "word": word,
                        "probability": probability,
                        "context_used": " ".join(result.context_used),
                        "backed_off": result.backed_off,
                    }
                )

        data = {
            "order": counts.order,
            "documents": counts.documents,
            "tokens": counts.tokens,
            "vocabulary_size": counts.size,
            "ngrams": dict(zip(range(1, counts.order + 1), counts.ngram_counts())),
            "count_bytes": counts.nbytes(),
            "discounts": list(self.discounts_),
            "queries": queries,
        }
        return Exploration(name="ngram-lm", rows=rows, data=data, warnings=warnings)


def _tokens(context: Sequence[str] | str) -> list[str]:
    return context.split() if isinstance(context, str) else [str(token) for token in context]


def _context_tokenizer(documents: Any) -> Any:
    """Return how contexts are tokenized: like the tokens file's tokenizer, or by whitespace."""
    metadata = getattr(documents, "metadata", None)
    if not metadata:
        return str.split
    from medrep_text.ngram.context import tokenizer_from_metadata

    return tokenizer_from_metadata(metadata, source=str(getattr(documents, "path", "")))
