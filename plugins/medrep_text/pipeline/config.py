"""Configuration of the words pipeline, from ``medrep words run`` flags or a TOML file.

A run is one corpus, one or more tokenizer x embedder *combinations* and a list of
explorers. Plugins are named only by registered name (``medrep plugins`` lists them); a
configuration can never name a Python object to import. A short TOML file::

    output = "runs/words"
    tokenizer = "regex"
    embedder = "sgns"
    compare = ["bpe:sgns"]            # more combinations; "regex,bpe:sgns,ngram" is a cross product
    targets = ["coronavirus"]

    [corpus]
    inputs = ["${MEDREP_DATA_DIR}/text/cord19/metadata_sample_2000.csv"]

    [embedders.sgns.options]
    vector_size = 50

Every string may use ``${NAME}`` for an environment variable (an unset one is an error).
Relative paths are relative to the current directory, as on the command line.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from medrep.config import format_validation_error
from medrep.errors import DataError

__all__ = [
    "PluginChoice",
    "ExplorerChoice",
    "CorpusSettings",
    "ReportSettings",
    "WordsRunConfig",
    "load_config",
    "validate_run_config",
    "parse_combinations",
    "merge_values",
    "DEFAULT_EXPLORERS",
    "DEFAULT_CONTEXT",
]

#: Explorers a run uses unless ``explore`` names others.
DEFAULT_EXPLORERS = ["tsne", "neighbours", "cooccurrence", "similarity-benchmark", "ngram-lm"]

#: Context of the next-word table unless ``context`` is set.
DEFAULT_CONTEXT = "the main symptoms of covid-19 are"

_LABEL = r"^[a-z0-9][a-z0-9._-]*$"
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class PluginChoice(_Model):
    """One tokenizer or embedder of a run: which plugin, with which options."""

    plugin: str | None = Field(None, description="registered plugin name; default: the label this entry is stored under")
    options: dict[str, Any] = Field(default_factory=dict, description="options validated by the plugin's own Config")


class ExplorerChoice(PluginChoice):
    """One explorer of a run."""

    needs_vectors: bool | None = Field(
        None,
        description=(
            "true: run once per tokenizer x embedder combination with the vectors; false: run once per "
            "tokenizer on the tokens alone; default: false for the built-in ngram-lm and cooccurrence, true otherwise"
        ),
    )


class CorpusSettings(_Model):
    """The input files of the corpus stage."""

    inputs: list[str] = Field(min_length=1, description="corpus files (CORD-19 metadata.csv, PubTator, ...) or glob patterns")
    options: dict[str, Any] = Field(default_factory=dict, description="keyword options of medrep_text.corpus.build_corpus")


class ReportSettings(_Model):
    """Contents and file formats of the report."""

    top: int = Field(20, ge=1, description="most frequent tokens listed per tokenizer")
    sample: int = Field(20, ge=0, description="distinct tokens drawn per tokenizer with probability proportional to frequency")
    formats: list[Literal["markdown", "html"]] = Field(
        default_factory=lambda: ["markdown", "html"], min_length=1, description="report files written"
    )


class WordsRunConfig(_Model):
    """Everything a words run needs; the TOML file and the command-line flags fill the same fields."""

    output: str = Field(description="directory that receives the report, report.json and run.json")
    corpus: CorpusSettings
    tokenizer: str = Field("regex", pattern=_LABEL, description="label of the main tokenizer")
    embedder: str = Field("sgns", pattern=_LABEL, description="label of the main embedder")
    compare: list[str] = Field(
        default_factory=list,
        description="more combinations as 'TOKENIZER:EMBEDDER'; comma lists give every pair, e.g. 'regex,bpe:sgns,ngram'",
    )
    explore: list[str] = Field(default_factory=lambda: list(DEFAULT_EXPLORERS), description="labels of the explorers to run")
    tokenizers: dict[str, PluginChoice] = Field(default_factory=dict, description="tokenizer options by label")
    embedders: dict[str, PluginChoice] = Field(default_factory=dict, description="embedder options by label")
    explorers: dict[str, ExplorerChoice] = Field(default_factory=dict, description="explorer options by label")
    targets: list[str] = Field(
        default_factory=lambda: ["coronavirus"],
        description="words for neighbours and co-occurrence, always plotted by tsne",
    )
    contexts: list[str] = Field(
        default_factory=lambda: [DEFAULT_CONTEXT], description="contexts of the next-word table (ngram-lm)"
    )
    benchmarks: list[str] = Field(default_factory=list, description="word-pair files or folders for similarity-benchmark")
    entities: str | None = Field(None, description="term-to-category TSV for tsne colours and co-occurrence categories")
    seed: int = Field(0, description="given to every plugin with a `seed` option that its options leave unset")
    jobs: int | None = Field(
        None, ge=1, description="worker processes that tokenize (tokenizers that parallelise themselves use none); default: every core"
    )
    cache_dir: str | None = Field(None, description="stage cache; default: medrep's cache directory (MEDREP_WORKDIR/cache)")
    report: ReportSettings = Field(default_factory=ReportSettings)

    @field_validator("compare")
    @classmethod
    def _check_compare(cls, value: list[str]) -> list[str]:
        for spec in value:
            parse_combinations(spec)
        return value

    @field_validator("explore")
    @classmethod
    def _check_explore(cls, value: list[str]) -> list[str]:
        for label in value:
            if not re.match(_LABEL, label):
                raise ValueError(f"explorer label {label!r} must be lower-case letters, digits, '.', '_' or '-'")
        return value

    @field_validator("tokenizers", "embedders", "explorers")
    @classmethod
    def _check_labels(cls, value: dict[str, Any]) -> dict[str, Any]:
        for label in value:
            if not re.match(_LABEL, label):
                raise ValueError(f"label {label!r} must be lower-case letters, digits, '.', '_' or '-'")
        return value

    def combinations(self) -> list[tuple[str, str]]:
        """Return the (tokenizer, embedder) label pairs to run, the main pair first, without repeats."""
        pairs = [(self.tokenizer, self.embedder)]
        for spec in self.compare:
            pairs.extend(parse_combinations(spec))
        return list(dict.fromkeys(pairs))

    def tokenizer_labels(self) -> list[str]:
        """Return the tokenizer labels of every combination, in first-use order."""
        return list(dict.fromkeys(tokenizer for tokenizer, _ in self.combinations()))

    def tokenizer_choice(self, label: str) -> PluginChoice:
        """Return the entry of a tokenizer label; a label without an entry is a plugin name with default options."""
        return self.tokenizers.get(label) or PluginChoice()

    def embedder_choice(self, label: str) -> PluginChoice:
        """Return the entry of an embedder label (see :meth:`tokenizer_choice`)."""
        return self.embedders.get(label) or PluginChoice()

    def explorer_choice(self, label: str) -> ExplorerChoice:
        """Return the entry of an explorer label (see :meth:`tokenizer_choice`)."""
        return self.explorers.get(label) or ExplorerChoice()


def parse_combinations(spec: str) -> list[tuple[str, str]]:
    """Parse ``'TOKENIZERS:EMBEDDERS'`` into label pairs, where each side is a comma-separated list.

    ``"regex,bpe:sgns"`` gives ``[("regex", "sgns"), ("bpe", "sgns")]``.
    """
    sides = spec.split(":")
    if len(sides) != 2:
        raise ValueError(f"combination {spec!r} must read TOKENIZER:EMBEDDER, for example 'bpe:sgns' or 'regex,bpe:sgns,ngram'")
    tokenizers, embedders = ([label.strip() for label in side.split(",")] for side in sides)
    for label in tokenizers + embedders:
        if not re.match(_LABEL, label):
            raise ValueError(f"combination {spec!r}: label {label!r} must be lower-case letters, digits, '.', '_' or '-'")
    return [(tokenizer, embedder) for tokenizer in tokenizers for embedder in embedders]


def validate_run_config(values: dict[str, Any] | WordsRunConfig, *, source: str = "words run configuration") -> WordsRunConfig:
    """Validate a mapping as :class:`WordsRunConfig` or raise :class:`DataError` naming each bad field."""
    if isinstance(values, WordsRunConfig):
        return values
    try:
        return WordsRunConfig.model_validate(values)
    except ValidationError as exc:
        raise DataError(
            format_validation_error(exc, WordsRunConfig, owner=source),
            hint="fix the fields listed; docs/words.md lists every field of a run configuration",
        ) from None


def load_config(path: str | Path, overrides: dict[str, Any] | None = None) -> WordsRunConfig:
    """Read a TOML run configuration, expand ``${NAME}`` variables, apply ``overrides`` and validate.

    ``overrides`` (as the command-line flags give them) replace the file's values; tables
    such as ``corpus`` and ``report`` merge field by field.
    """
    path = Path(path)
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"configuration file not found: {path}", hint="check the path given to --config") from None
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{path} is not valid TOML: {exc}", hint="check the line the message names") from None

    values = merge_values(expand_variables(values, source=str(path)), overrides or {})
    return validate_run_config(values, source=f"words run configuration {path}")


def merge_values(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Return ``base`` with ``overrides`` applied: tables merge key by key, any other value replaces."""
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_values(merged[key], value)
        else:
            merged[key] = value
    return merged


def expand_variables(value: Any, *, source: str) -> Any:
    """Replace ``${NAME}`` in every string of ``value`` (nested dicts and lists too) by the environment variable."""
    if isinstance(value, str):
        return _VARIABLE.sub(lambda match: _variable(match.group(1), source), value)
    if isinstance(value, list):
        return [expand_variables(item, source=source) for item in value]
    if isinstance(value, dict):
        return {key: expand_variables(item, source=source) for key, item in value.items()}
    return value


def _variable(name: str, source: str) -> str:
    value = os.environ.get(name)
    if value is None:
        raise DataError(
            f"{source} uses ${{{name}}}, but the environment variable {name} is not set",
            hint=f"export {name}, or write the path out in the file",
        )
    return value
