"""The words pipeline: corpus -> tokenize -> embed -> explore -> report, with a stage cache.

From Python::

    from medrep_text.pipeline import load_config, run_words

    result = run_words(load_config("examples/configs/words_quick.toml"))
    print(result.reports["markdown"])

``run_words`` also takes a :class:`WordsRunConfig` or a plain dictionary of its fields.
``medrep words run`` is the same call from the command line.
"""

from medrep_text.pipeline.cache import StageCache, StageResult
from medrep_text.pipeline.config import (
    CorpusSettings,
    ExplorerChoice,
    PluginChoice,
    ReportSettings,
    WordsRunConfig,
    load_config,
    validate_run_config,
)
from medrep_text.pipeline.runner import CombinationResult, TokenizerResult, WordsRunResult, run_words

__all__ = [
    "run_words",
    "load_config",
    "validate_run_config",
    "WordsRunConfig",
    "CorpusSettings",
    "PluginChoice",
    "ExplorerChoice",
    "ReportSettings",
    "WordsRunResult",
    "TokenizerResult",
    "CombinationResult",
    "StageCache",
    "StageResult",
]
