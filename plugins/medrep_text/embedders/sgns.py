"""Skip-gram with negative sampling, trained by gensim's Word2Vec and streamed from disk."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from pydantic import Field

from medrep import progress
from medrep._deps import require
from medrep.config import PluginConfig
from medrep.errors import DataError
from medrep_text.embedders._base import VectorsEmbedder
from medrep_text.embedders._corpus import (
    CheckedDocuments,
    SplitDocuments,
    WordCounts,
    format_bytes,
    require_restartable,
)
from medrep_text.vectors import KeyedVectors

logger = logging.getLogger(__name__)

#: gensim's Cython training routines stop reading a batch after this many words
#: (gensim.models.word2vec.MAX_WORDS_IN_BATCH in gensim 4.x), so longer documents are split.
GENSIM_MAX_WORDS = 10_000


class SgnsEmbedder(VectorsEmbedder):
    """Skip-gram with negative sampling (word2vec), on gensim's Word2Vec with ``sg=1``.

    The corpus is read from its restartable iterable once to build the vocabulary and
    once per epoch, never held in memory. Documents longer than gensim's limit of 10,000
    words per batch are cut into pieces of at most 10,000 tokens, so every token is
    trained on. Only windows that straddle a cut lose their pairs across it. With
    ``workers=1`` and a fixed ``seed`` two runs return identical vectors.
    """

    name: ClassVar[str] = "sgns"

    class Config(PluginConfig):
        vector_size: int = Field(100, ge=1, description="number of dimensions")
        window: int = Field(5, ge=1, description="maximum distance between a word and its context words")
        negative: int = Field(5, ge=1, description="noise words drawn per positive pair")
        ns_exponent: float = Field(0.75, description="exponent of the noise distribution over word counts")
        min_count: int = Field(5, ge=1, description="drop words seen fewer times than this")
        max_vocab: int | None = Field(None, ge=1, description="keep at most this many most frequent words")
        sample: float = Field(1e-3, ge=0.0, description="threshold for down-sampling frequent words (0 turns it off)")
        epochs: int = Field(5, ge=1, description="passes over the corpus")
        alpha: float = Field(0.025, gt=0.0, description="initial learning rate")
        min_alpha: float = Field(0.0001, ge=0.0, description="learning rate at the end, reached linearly")
        workers: int = Field(1, ge=1, description="training threads; only 1 gives reproducible vectors")
        seed: int = Field(0, description="seed of the vector initialisation and of the sampling")

    @classmethod
    def contract_config(cls) -> dict[str, Any]:
        return {"vector_size": 8, "min_count": 1, "epochs": 2}

    def fit(self, documents: Iterable[list[str]]) -> KeyedVectors:
        """Build the vocabulary, train skip-gram with negative sampling and return the vectors."""
        word2vec = require("gensim.models.word2vec", extra="text", package="gensim")
        require_restartable(documents, "sgns")
        config = self.config
        checked = CheckedDocuments(documents)
        model = word2vec.Word2Vec(
            sg=1,
            hs=0,
            vector_size=config.vector_size,
            window=config.window,
            negative=config.negative,
            ns_exponent=config.ns_exponent,
            min_count=config.min_count,
            max_final_vocab=config.max_vocab,
            sample=config.sample,
            epochs=config.epochs,
            alpha=config.alpha,
            min_alpha=config.min_alpha,
            workers=config.workers,
            seed=config.seed,
            batch_words=GENSIM_MAX_WORDS,
        )

        counts = self._build_vocabulary(model, checked)
        trained, raw, elapsed = self._train(model, checked, counts.tokens)

        self.vectors_ = KeyedVectors(
            model.wv.vectors.copy(),
            list(model.wv.index_to_key),
            self._metadata(counts, trained_words=trained, raw_words=raw, seconds=round(elapsed, 3)),
        )
        return self.vectors_

    def _build_vocabulary(self, model: Any, documents: Iterable[list[str]]) -> WordCounts:
        # build_vocab's three public steps, called one by one so that the memory estimate
        # is logged before prepare_weights allocates the matrices.
        with progress.bar(desc="sgns: building vocabulary", unit="word", unit_scale=True) as bar:
            counted = _Progress(documents, bar)
            corpus = SplitDocuments(counted, GENSIM_MAX_WORDS)
            tokens, pieces = model.scan_vocab(corpus_iterable=corpus, progress_per=100_000)
        model.corpus_count, model.corpus_total_words = pieces, tokens
        model.prepare_vocab()
        if len(model.wv) == 0:
            raise DataError(
                f"no word occurs at least min_count={self.config.min_count} times in {tokens} tokens",
                hint="lower min_count or pass a larger corpus",
            )
        estimate = model.estimate_memory(vocab_size=len(model.wv))
        logger.info(
            "sgns: %d words in the vocabulary; estimated memory %s before allocating vectors",
            len(model.wv), format_bytes(estimate["total"]),
        )
        model.prepare_weights()
        return WordCounts(documents=counted.documents_seen, tokens=tokens)

    def _train(self, model: Any, documents: Iterable[list[str]], tokens: int) -> tuple[int, int, float]:
        epochs = self.config.epochs
        started = time.perf_counter()
        with progress.bar(total=tokens * epochs, desc="sgns: training", unit="word", unit_scale=True) as bar:
            trained, raw = model.train(
                corpus_iterable=SplitDocuments(_Progress(documents, bar), GENSIM_MAX_WORDS),
                total_examples=model.corpus_count,
                total_words=model.corpus_total_words,
                epochs=epochs,
            )
        elapsed = max(time.perf_counter() - started, 1e-9)
        logger.info(
            "sgns: trained %d epochs, %d of %d words after down-sampling, at %.0f words/s",
            epochs, trained, raw, raw / elapsed,
        )
        return trained, raw, elapsed


class _Progress:
    """Restartable view of a corpus that advances a progress bar by each document's length.

    ``documents_seen`` counts the documents yielded by the latest pass.
    """

    def __init__(self, documents: Iterable[list[str]], bar: Any) -> None:
        self.documents = documents
        self.bar = bar
        self.documents_seen = 0

    def __iter__(self) -> Iterator[list[str]]:
        self.documents_seen = 0
        for document in self.documents:
            self.documents_seen += 1
            self.bar.update(len(document))
            yield document
