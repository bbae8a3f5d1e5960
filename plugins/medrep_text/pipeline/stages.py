"""The four stages of a words run: corpus, tokenize, embed, explore.

Each stage function builds its plugin through the registry, describes its inputs for the
stage key (see :mod:`medrep_text.pipeline.cache`) and, on a cache miss, writes its output
into the entry folder. Summaries refer to files by name inside the entry folder, never by
absolute path, because the folder is renamed into place after the stage finishes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from medrep import __version__
from medrep.config import validate_config
from medrep.errors import DataError
from medrep_text.corpus import resolve_inputs
from medrep_text.pipeline.cache import StageCache, StageResult, file_digest, referenced_files
from medrep_text.pipeline.config import WordsRunConfig
from medrep_text.pipeline.plugins import build_plugin, plugin_identity
from medrep_text.tokens_file import TokensFile

__all__ = [
    "CORPUS_FILE",
    "TOKENS_FILE",
    "VECTORS_FOLDER",
    "resolve_inputs",
    "corpus_stage",
    "tokenize_stage",
    "embed_stage",
    "explore_stage",
]

logger = logging.getLogger(__name__)

CORPUS_FILE = "corpus.txt"
TOKENS_FILE = "tokens.txt"
VECTORS_FOLDER = "vectors"
FIGURE_STEM = "figure"

# -- corpus ----------------------------------------------------------------------------------


def corpus_stage(cache: StageCache, config: WordsRunConfig) -> StageResult:
    """Merge the input files into one document per line (``corpus.txt``)."""
    from medrep_text.corpus import CorpusOptions, build_corpus

    paths = resolve_inputs(config.corpus.inputs)
    options = validate_config(CorpusOptions, config.corpus.options, owner="corpus reader").model_dump(mode="json")
    description = {
        # Content hashes: an edited input changes the key, a touched one does not.
        "inputs": [{"name": path.name, "sha256": file_digest(path)} for path in paths],
        "options": options,
        "medrep": __version__,
    }

    def compute(folder: Path) -> dict[str, Any]:
        report = build_corpus(paths, folder / CORPUS_FILE, **options).to_dict()
        report["output"] = CORPUS_FILE
        if report_total(report, "documents_written") == 0:
            raise DataError(
                f"the corpus built from {', '.join(map(str, paths))} has no documents",
                hint="check that the inputs hold titles or abstracts (CORD-19 metadata.csv, PubTator or text)",
            )
        return {"report": report, "bytes": (folder / CORPUS_FILE).stat().st_size}

    return cache.run("corpus", "corpus", description, compute)


def report_total(report: dict[str, Any], counter: str) -> int:
    """Sum one counter of a corpus report (as written by ``CorpusReport.to_dict``) over its inputs."""
    return sum(int(source.get(counter, 0)) for source in report.get("inputs", []))


# -- tokenize --------------------------------------------------------------------------------


def tokenize_stage(cache: StageCache, config: WordsRunConfig, label: str, corpus: StageResult) -> StageResult:
    """Tokenize ``corpus.txt`` into ``tokens.txt`` with its statistics; a trainable tokenizer is trained first.

    The number of worker processes (``config.jobs``) is left out of the key because it
    does not change the tokens.
    """
    from medrep_text.tokenize_corpus import tokenize_corpus

    choice = config.tokenizer_choice(label)
    name = choice.plugin or label
    tokenizer = build_plugin(config, "tokenizer", name, choice.options)
    statistics = {"top": config.report.top, "sample": config.report.sample, "seed": config.seed}
    description = {
        "corpus": corpus.key,
        "plugin": plugin_identity("tokenizer", name),
        "config": tokenizer.get_params(),
        "files": referenced_files(tokenizer.get_params()),
        "statistics": statistics,
    }

    def compute(folder: Path) -> dict[str, Any]:
        report = tokenize_corpus(corpus.path / CORPUS_FILE, folder / TOKENS_FILE, tokenizer, jobs=config.jobs, **statistics)
        metadata = report.metadata
        return {
            "tokenizer": name,
            "config": metadata["config"],
            "training_seconds": metadata.get("training_seconds"),
            "statistics": metadata["statistics"],
            "top": metadata["top"],
            "sample": metadata["sample"],
        }

    return cache.run("tokenize", label, description, compute)


# -- embed -----------------------------------------------------------------------------------


def embed_stage(cache: StageCache, config: WordsRunConfig, label: str, tokens: StageResult) -> StageResult:
    """Train the embedder on ``tokens.txt`` and save its keyed vectors."""
    choice = config.embedder_choice(label)
    name = choice.plugin or label
    embedder = build_plugin(config, "embedder", name, choice.options)
    description = {
        "tokens": tokens.key,
        "plugin": plugin_identity("embedder", name),
        "config": embedder.get_params(),
        "files": referenced_files(embedder.get_params()),
    }

    def compute(folder: Path) -> dict[str, Any]:
        vectors = embedder.fit(TokensFile(tokens.path / TOKENS_FILE))
        vectors.save(folder / VECTORS_FOLDER)
        return {
            "embedder": name,
            "config": embedder.get_params(),
            "words": len(vectors.index_to_key),
            "dim": int(vectors.vectors.shape[1]),
            "metadata": vectors.metadata,
        }

    return cache.run("embed", f"{tokens.label}+{label}", description, compute)


# -- explore ---------------------------------------------------------------------------------


def explore_stage(
    cache: StageCache,
    config: WordsRunConfig,
    label: str,
    tokens: StageResult,
    vectors: StageResult | None,
    load_vectors: Callable[[StageResult], Any],
) -> StageResult:
    """Run one explorer on the tokens (and the vectors, when given); keep its rows, data and figure."""
    choice = config.explorer_choice(label)
    name = choice.plugin or label
    explorer = build_plugin(config, "explorer", name, choice.options)
    description = {
        "tokens": tokens.key,
        "vectors": vectors.key if vectors is not None else None,
        "plugin": plugin_identity("explorer", name),
        "config": explorer.get_params(),
        "files": referenced_files(explorer.get_params()),
    }

    def compute(folder: Path) -> dict[str, Any]:
        keyed_vectors = load_vectors(vectors) if vectors is not None else None
        exploration = explorer.explore(keyed_vectors, TokensFile(tokens.path / TOKENS_FILE))
        figures = _save_figure(exploration.figure, folder) if exploration.figure is not None else []
        return {
            "explorer": name,
            "config": explorer.get_params(),
            "name": exploration.name,
            "rows": exploration.rows,
            "data": exploration.data,
            "warnings": list(exploration.warnings),
            "figures": figures,
        }

    owner = vectors.label if vectors is not None else tokens.label
    return cache.run("explore", f"{owner}/{label}", description, compute)


def _save_figure(figure: Any, folder: Path) -> list[str]:
    names = []
    for extension in ("png", "svg"):
        name = f"{FIGURE_STEM}.{extension}"
        figure.savefig(folder / name, format=extension, dpi=150, bbox_inches="tight")
        names.append(name)
    return names
