"""``run_words``: corpus -> tokenize -> embed -> explore -> report, with every stage cached."""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medrep.io import write_run_record
from medrep.settings import get_settings
from medrep_text.pipeline.cache import StageCache, StageResult
from medrep_text.pipeline.config import WordsRunConfig, validate_run_config
from medrep_text.pipeline.plugins import explorer_needs_vectors
from medrep_text.pipeline.stages import VECTORS_FOLDER, corpus_stage, embed_stage, explore_stage, tokenize_stage

__all__ = ["run_words", "WordsRunResult", "TokenizerResult", "CombinationResult"]

logger = logging.getLogger(__name__)


@dataclass
class TokenizerResult:
    """One tokenizer of a run: its tokens file and the explorers that read only tokens."""

    label: str
    tokenize: StageResult
    explorations: dict[str, StageResult] = field(default_factory=dict)


@dataclass
class CombinationResult:
    """One tokenizer x embedder combination: its vectors and the explorers that read them."""

    tokenizer: str
    embedder: str
    embed: StageResult
    explorations: dict[str, StageResult] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """``tokenizer+embedder``, as used in file names and the report."""
        return f"{self.tokenizer}+{self.embedder}"


@dataclass
class WordsRunResult:
    """Everything a words run produced; ``reports`` maps each format to its file."""

    config: WordsRunConfig
    output: Path
    cache_root: Path
    corpus: StageResult
    tokenizers: dict[str, TokenizerResult]
    combinations: list[CombinationResult]
    seconds: float = 0.0
    reports: dict[str, Path] = field(default_factory=dict)

    def stages(self) -> list[StageResult]:
        """Return every stage of the run in the order it ran."""
        stages = [self.corpus]
        for tokenizer in self.tokenizers.values():
            stages += [tokenizer.tokenize, *tokenizer.explorations.values()]
        for combination in self.combinations:
            stages += [combination.embed, *combination.explorations.values()]
        return stages

    def computed(self) -> list[str]:
        """Return ``stage:label`` of each stage this run computed rather than took from the cache."""
        return [f"{stage.stage}:{stage.label}" for stage in self.stages() if not stage.cached]


def run_words(config: WordsRunConfig | dict[str, Any]) -> WordsRunResult:
    """Run the words pipeline described by ``config`` and write its report into ``config.output``.

    Returns a :class:`WordsRunResult`. Stages whose inputs and configuration are unchanged
    since an earlier run are taken from the cache (``config.cache_dir``, by default
    medrep's cache directory).
    """
    from medrep_text.pipeline.report import write_report

    config = validate_run_config(config)
    start = time.perf_counter()
    cache_root = Path(config.cache_dir).expanduser() if config.cache_dir else get_settings().cache_path
    cache = StageCache(cache_root)
    combinations = config.combinations()
    logger.info("words run: %d combination(s): %s", len(combinations), ", ".join(f"{t}+{e}" for t, e in combinations))

    load_vectors = _vectors_loader()

    corpus = corpus_stage(cache, config)
    tokens_only = [label for label in config.explore if not explorer_needs_vectors(config, label)]
    with_vectors = [label for label in config.explore if explorer_needs_vectors(config, label)]

    tokenizers: dict[str, TokenizerResult] = {}
    for label in config.tokenizer_labels():
        tokenized = tokenize_stage(cache, config, label, corpus)
        result = TokenizerResult(label, tokenized)
        for explorer in tokens_only:
            result.explorations[explorer] = explore_stage(cache, config, explorer, tokenized, None, load_vectors)
        tokenizers[label] = result

    results = []
    for tokenizer, embedder in combinations:
        tokenized = tokenizers[tokenizer].tokenize
        embedded = embed_stage(cache, config, embedder, tokenized)
        result = CombinationResult(tokenizer, embedder, embedded)
        for explorer in with_vectors:
            result.explorations[explorer] = explore_stage(cache, config, explorer, tokenized, embedded, load_vectors)
        results.append(result)

    run = WordsRunResult(config, Path(config.output), cache_root, corpus, tokenizers, results)
    run.seconds = time.perf_counter() - start
    run.reports = write_report(run)
    write_run_record(
        run.output,
        step="words run",
        config=config.model_dump(mode="json"),
        seed=config.seed,
        extra={"cache": str(cache_root), "stages": [stage.record() for stage in run.stages()], "seconds": run.seconds},
    )
    logger.info("words run finished in %.1f s; report: %s", run.seconds, ", ".join(map(str, run.reports.values())))
    return run


def _vectors_loader() -> Any:
    """Return a loader of a stage's keyed vectors that keeps the last one loaded.

    The explorers of one combination run one after another, so each combination's
    vectors are read once. The loader belongs to one run and is dropped with it.
    """
    from medrep_text.vectors import KeyedVectors

    @functools.lru_cache(maxsize=1)
    def load(path: Path) -> Any:
        return KeyedVectors.load(path)

    return lambda stage: load(stage.path / VECTORS_FOLDER)
