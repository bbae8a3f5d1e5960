"""``similarity-benchmark``: Spearman and Pearson correlation with human word-pair scores."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import Field

from medrep.config import PluginConfig
from medrep.kinds import Exploration, Explorer
from medrep_text.explorers._common import require_vectors

logger = logging.getLogger(__name__)


class SimilarityBenchmarkExplorer(Explorer):
    """Score keyed vectors on word-pair files (``word1<TAB>word2<TAB>score``).

    Each file gives one row: pairs, pairs covered (both terms have a vector), pairs out
    of vocabulary, coverage, and the Spearman and Pearson correlation of cosine
    similarity with the human scores on the covered pairs. Low coverage never raises:
    below three covered pairs the correlations are NaN and a warning gives the reason. The rule
    for multi-word terms is stated in ``data["multiword_rule"]``; see
    :mod:`medrep_text.benchmarks`. With no ``files`` configured the result is empty, with
    a warning.
    """

    class Config(PluginConfig):
        files: list[str] = Field(
            default_factory=list,
            description="benchmark files, or folders whose *.txt files are all used (for example $MEDREP_DATA_DIR/text/benchmarks)",
        )
        multiword: Literal["mean", "mean-known", "skip"] = Field(
            "mean",
            description="vector of a multi-word term: mean of its words when all are known, mean of the known ones, or none",
        )
        lowercase: bool = Field(True, description="lower-case benchmark terms before looking them up")

    def explore(self, vectors: Any = None, documents: Iterable[list[str]] | None = None) -> Exploration:
        """Score ``vectors`` on every configured file; ``documents`` is not used."""
        from medrep_text.benchmarks import benchmark_name, describe_multiword_rule, find_benchmark_files, read_word_pairs, score_pairs

        vectors = require_vectors(vectors, "similarity-benchmark")
        rows, scores, warnings = [], {}, []
        if not self.config.files:
            warnings.append("no benchmark files configured; set `files` to word-pair files or folders")

        for path in find_benchmark_files(self.config.files):
            name = benchmark_name(path)
            score = score_pairs(
                vectors,
                read_word_pairs(path),
                name=name,
                path=str(path),
                multiword=self.config.multiword,
                lowercase=self.config.lowercase,
            )
            rows.append(
                {
                    "benchmark": name,
                    "pairs": score.pairs,
                    "covered": score.covered,
                    "out_of_vocabulary": score.out_of_vocabulary,
                    "coverage": score.coverage,
                    "spearman": score.spearman,
                    "pearson": score.pearson,
                }
            )
            scores[name] = score.to_dict()
            warnings.extend(score.warnings)

        for warning in warnings:
            logger.warning(warning)
        data = {
            "multiword_rule": describe_multiword_rule(self.config.multiword),
            "lowercase": self.config.lowercase,
            "benchmarks": scores,
        }
        return Exploration(name="similarity-benchmark", rows=rows, data=data, warnings=warnings)
