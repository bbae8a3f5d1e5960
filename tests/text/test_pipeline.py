"""The words pipeline on small files with in-process plugins: configuration, stage cache, report, CLI."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from pydantic import Field

import medrep
from medrep.config import PluginConfig
from medrep.errors import DataError
from medrep.kinds import Embedder, Exploration, Explorer, Tokenizer
from medrep_text.pipeline import load_config, run_words, validate_run_config
from medrep_text.pipeline.config import merge_values, parse_combinations
from medrep_text.pipeline.render import Code, Heading, Table, to_html, to_markdown
from medrep_text.pipeline.stages import resolve_inputs
from medrep_text.vectors import KeyedVectors

# -- in-process plugins ------------------------------------------------------------------------

FITS: list[str] = []


class SpaceTokenizer(Tokenizer):
    """Split on whitespace, optionally lower-casing."""

    class Config(PluginConfig):
        lowercase: bool = Field(True, description="lower-case the text first")

    def tokenize(self, text: str) -> list[str]:
        return (text.lower() if self.config.lowercase else text).split()


class RandomEmbedder(Embedder):
    """Seeded random vectors for every word seen at least twice; records each fit in FITS."""

    class Config(PluginConfig):
        dim: int = Field(4, ge=1, description="dimensions")
        seed: int = Field(0, description="seed")

    def fit(self, documents: Iterable[list[str]]) -> KeyedVectors:
        counts: dict[str, int] = {}
        for document in documents:
            for token in document:
                counts[token] = counts.get(token, 0) + 1
        words = sorted((word for word, count in counts.items() if count >= 2), key=lambda word: (-counts[word], word))
        FITS.append(f"dim={self.config.dim}")
        vectors = np.random.default_rng(self.config.seed).normal(size=(len(words), self.config.dim))
        return KeyedVectors(vectors, words, {"embedder": "test-random", "config": self.get_params()})


class VocabularyExplorer(Explorer):
    """List the first words of the vectors (needs vectors)."""

    class Config(PluginConfig):
        count: int = Field(3, ge=1, description="words listed")

    def explore(self, vectors: Any = None, documents: Iterable[list[str]] | None = None) -> Exploration:
        rows = [{"rank": rank, "word": word} for rank, word in enumerate(vectors.index_to_key[: self.config.count], start=1)]
        return Exploration("test-vocabulary", rows=rows, data={"words": len(vectors.index_to_key)})


class LengthExplorer(Explorer):
    """Count documents and tokens (reads only tokens) and draw a bar chart."""

    class Config(PluginConfig):
        pass

    def explore(self, vectors: Any = None, documents: Iterable[list[str]] | None = None) -> Exploration:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        lengths = [len(document) for document in documents]
        figure = Figure(figsize=(3, 2))
        FigureCanvasAgg(figure)
        figure.add_subplot().bar(range(len(lengths)), lengths)
        rows = [{"documents": len(lengths), "tokens": sum(lengths), "vectors given": vectors is not None}]
        return Exploration("test-lengths", rows=rows, data={"lengths": lengths}, figure=figure, warnings=["a test warning"])


class TargetsExplorer(Explorer):
    """An in-process explorer with a `targets` option, which the run's targets must not fill."""

    class Config(PluginConfig):
        targets: list[str] = Field(default_factory=lambda: ["default"], description="words to report")

    def explore(self, vectors: Any = None, documents: Iterable[list[str]] | None = None) -> Exploration:
        return Exploration("test-targets", rows=[{"target": target} for target in self.config.targets])


PLUGINS = {
    ("tokenizer", "test-space"): SpaceTokenizer,
    ("embedder", "test-random"): RandomEmbedder,
    ("explorer", "test-vocabulary"): VocabularyExplorer,
    ("explorer", "test-lengths"): LengthExplorer,
}


@pytest.fixture
def test_plugins() -> Iterator[None]:
    for (kind, name), factory in PLUGINS.items():
        medrep.register(kind, name, factory)
    FITS.clear()
    yield
    for kind, name in PLUGINS:
        medrep.unregister(kind, name)


@pytest.fixture
def corpus_file(tmp_path: Path) -> Path:
    path = tmp_path / "inputs" / "abstracts.txt"
    path.parent.mkdir()
    path.write_text(
        "Fever and cough are common symptoms\n"
        "The main symptoms of COVID-19 are fever and cough\n"
        "Coronavirus infection causes fever\n"
        "Cough and fever in coronavirus patients\n",
        encoding="utf-8",
    )
    return path


def small_config(tmp_path: Path, corpus_file: Path, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "output": str(tmp_path / "run"),
        "cache_dir": str(tmp_path / "cache"),
        "corpus": {"inputs": [str(corpus_file)]},
        "tokenizer": "test-space",
        "embedder": "test-random",
        "explore": ["test-vocabulary", "test-lengths"],
        "explorers": {"test-lengths": {"needs_vectors": False}},
        "report": {"top": 3, "sample": 2},
        "jobs": 1,
    }
    return merge_values(values, changes)


# -- configuration -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("bpe:sgns", [("bpe", "sgns")]),
        ("regex,bpe:sgns", [("regex", "sgns"), ("bpe", "sgns")]),
        ("regex, nltk:sgns,ngram", [("regex", "sgns"), ("regex", "ngram"), ("nltk", "sgns"), ("nltk", "ngram")]),
    ],
    ids=["one-pair", "two-tokenizers", "cross-product"],
)
def test_parse_combinations(spec: str, expected: list[tuple[str, str]]) -> None:
    assert parse_combinations(spec) == expected


@pytest.mark.parametrize("spec", ["regex", "a:b:c", "Regex:sgns", "regex,:sgns"], ids=["no-colon", "two-colons", "upper-case", "empty-label"])
def test_parse_combinations_rejects(spec: str) -> None:
    with pytest.raises(ValueError, match="combination"):
        parse_combinations(spec)


def test_combinations_main_first_without_repeats(tmp_path: Path) -> None:
    config = validate_run_config(
        {"output": "out", "corpus": {"inputs": ["a.txt"]}, "tokenizer": "bpe", "embedder": "sgns", "compare": ["regex,bpe:sgns"]}
    )

    assert config.combinations() == [("bpe", "sgns"), ("regex", "sgns")]
    assert config.tokenizer_labels() == ["bpe", "regex"]


def test_config_rejects_unknown_and_mistyped_fields() -> None:
    with pytest.raises(DataError) as caught:
        validate_run_config({"output": "out", "corpus": {"inputs": ["a.txt"]}, "tokeniser": "regex", "report": {"top": "20"}})

    message = str(caught.value)
    assert "tokeniser: unknown option" in message
    assert "report.top: Input should be a valid integer" in message


def test_load_config_expands_variables_and_applies_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORDS_TEST_DATA", "/data/text")
    path = tmp_path / "run.toml"
    path.write_text(
        'output = "out"\n'
        'tokenizer = "regex"\n'
        "[corpus]\n"
        'inputs = ["${WORDS_TEST_DATA}/a.csv"]\n'
        'options = { duplicates = "keep-all" }\n'
        "[report]\n"
        "top = 7\n"
        "[embedders.small]\n"
        'plugin = "sgns"\n'
        "options = { vector_size = 8 }\n",
        encoding="utf-8",
    )

    config = load_config(path, {"embedder": "small", "report": {"sample": 3}, "corpus": {"inputs": ["b.txt"]}})

    assert config.corpus.inputs == ["b.txt"]
    assert config.corpus.options == {"duplicates": "keep-all"}
    assert (config.report.top, config.report.sample) == (7, 3)
    assert config.embedder_choice("small").plugin == "sgns"
    assert load_config(path).corpus.inputs == ["/data/text/a.csv"]


def test_load_config_unset_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORDS_TEST_UNSET", raising=False)
    path = tmp_path / "run.toml"
    path.write_text('output = "out"\n[corpus]\ninputs = ["${WORDS_TEST_UNSET}/a.csv"]\n', encoding="utf-8")

    with pytest.raises(DataError, match="WORDS_TEST_UNSET is not set"):
        load_config(path)


def test_load_config_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "run.toml"
    path.write_text("output = \n", encoding="utf-8")

    with pytest.raises(DataError, match="is not valid TOML"):
        load_config(path)


def test_resolve_inputs_sorts_glob_matches(tmp_path: Path) -> None:
    for name in ("b.PubTator.txt", "a.PubTator.txt", "notes.md"):
        (tmp_path / name).write_text("x\n", encoding="utf-8")
    first = tmp_path / "first.csv"
    first.write_text("x\n", encoding="utf-8")

    paths = resolve_inputs([str(first), str(tmp_path / "*.PubTator.txt")])

    assert [path.name for path in paths] == ["first.csv", "a.PubTator.txt", "b.PubTator.txt"]
    with pytest.raises(DataError, match="no corpus file matches"):
        resolve_inputs([str(tmp_path / "*.xml")])
    with pytest.raises(DataError, match="corpus input not found"):
        resolve_inputs([str(tmp_path / "missing.csv")])


# -- rendering ---------------------------------------------------------------------------------


def test_markdown_table_escapes_tokens() -> None:
    table = Table(["token", "count"], [[Code("a|b"), 3], [Code("`x`"), 1.5], [None, float("nan")]])

    lines = to_markdown([table]).splitlines()

    assert lines[1] == "|---|---:|"
    assert lines[2] == "| `a\\|b` | 3 |"
    assert lines[3] == "| `` `x` `` | 1.500 |"
    assert lines[4] == "| – | NaN |"


def test_html_escapes_text() -> None:
    page = to_html([Heading("<script>"), Table(["word"], [[Code("<b>")]])], "t")

    assert "<h2>&lt;script&gt;</h2>" in page
    assert "<td><code>&lt;b&gt;</code></td>" in page


# -- runs --------------------------------------------------------------------------------------


def test_run_writes_report_json_and_run_record(tmp_path: Path, corpus_file: Path, test_plugins: None) -> None:
    result = run_words(small_config(tmp_path, corpus_file))

    output = tmp_path / "run"
    assert set(result.reports) == {"markdown", "html", "json"}
    markdown = (output / "report.md").read_text(encoding="utf-8")
    assert "### Tokenizer test-space" in markdown
    assert "| rank | top token | count | weighted sample | count |" in markdown
    assert "| 1 | `fever` | 4 |" in markdown
    assert "test-space/test-lengths: a test warning" in markdown
    assert "![Figure of the test-lengths explorer (test-space/test-lengths)](figures/test-space-test-lengths.png)" in markdown
    assert (output / "figures" / "test-space-test-lengths.png").read_bytes()[:4] == b"\x89PNG"
    assert '<img src="figures/test-space-test-lengths.png"' in (output / "report.html").read_text(encoding="utf-8")

    data = json.loads((output / "report.json").read_text(encoding="utf-8"))
    lengths = data["tokenizers"]["test-space"]["explorations"]["test-lengths"]
    assert lengths["rows"] == [{"documents": 4, "tokens": 25, "vectors given": False}]
    vocabulary = data["combinations"][0]["explorations"]["test-vocabulary"]
    assert vocabulary["rows"][0] == {"rank": 1, "word": "fever"}

    record = json.loads((output / "run.json").read_text(encoding="utf-8"))
    assert record["step"] == "words run"
    assert record["config"]["tokenizer"] == "test-space"
    assert [stage["cached"] for stage in record["stages"]] == [False] * 5


def test_rerun_reuses_every_stage(tmp_path: Path, corpus_file: Path, test_plugins: None) -> None:
    run_words(small_config(tmp_path, corpus_file))
    again = run_words(small_config(tmp_path, corpus_file))

    assert again.computed() == []
    assert FITS == ["dim=4"]


def test_rerun_with_changed_embedder_redoes_embed_and_after(tmp_path: Path, corpus_file: Path, test_plugins: None) -> None:
    run_words(small_config(tmp_path, corpus_file))
    changed = run_words(small_config(tmp_path, corpus_file, embedders={"test-random": {"options": {"dim": 6}}}))

    assert changed.computed() == ["embed:test-space+test-random", "explore:test-space+test-random/test-vocabulary"]
    assert FITS == ["dim=4", "dim=6"]


def test_rerun_with_changed_tokenizer_keeps_corpus(tmp_path: Path, corpus_file: Path, test_plugins: None) -> None:
    run_words(small_config(tmp_path, corpus_file))
    changed = run_words(small_config(tmp_path, corpus_file, tokenizers={"test-space": {"options": {"lowercase": False}}}))

    assert changed.computed() == [
        "tokenize:test-space",
        "explore:test-space/test-lengths",
        "embed:test-space+test-random",
        "explore:test-space+test-random/test-vocabulary",
    ]


def test_rerun_with_changed_explorer_redoes_only_it(tmp_path: Path, corpus_file: Path, test_plugins: None) -> None:
    run_words(small_config(tmp_path, corpus_file))
    changed = run_words(small_config(tmp_path, corpus_file, explorers={"test-vocabulary": {"options": {"count": 2}}}))

    assert changed.computed() == ["explore:test-space+test-random/test-vocabulary"]


def test_input_content_decides_reuse(tmp_path: Path, corpus_file: Path, test_plugins: None) -> None:
    run_words(small_config(tmp_path, corpus_file))
    stat = corpus_file.stat()
    os.utime(corpus_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    touched = run_words(small_config(tmp_path, corpus_file))
    with corpus_file.open("a", encoding="utf-8") as stream:
        stream.write("Fever again\n")
    edited = run_words(small_config(tmp_path, corpus_file))

    assert touched.computed() == []
    assert len(edited.computed()) == 5


def test_edited_option_file_redoes_its_stage(tmp_path: Path, corpus_file: Path, test_plugins: None) -> None:
    benchmark = tmp_path / "pairs" / "pairs.txt"
    benchmark.parent.mkdir()
    benchmark.write_text("fever\tcough\t3.0\nfever\tand\t1.0\ncough\tand\t1.5\n", encoding="utf-8")
    values = small_config(tmp_path, corpus_file, explore=["similarity-benchmark"], benchmarks=[str(benchmark.parent)])

    run_words(values)
    with benchmark.open("a", encoding="utf-8") as stream:
        stream.write("fever\tsymptoms\t2.0\n")
    edited = run_words(values)

    assert edited.computed() == ["explore:test-space+test-random/similarity-benchmark"]
    assert edited.combinations[0].explorations["similarity-benchmark"].summary["rows"][0]["pairs"] == 4


def test_seed_reaches_plugins_with_a_seed_option(tmp_path: Path, corpus_file: Path, test_plugins: None) -> None:
    result = run_words(small_config(tmp_path, corpus_file, seed=7))

    assert result.combinations[0].embed.summary["config"] == {"dim": 4, "seed": 7}


def test_run_targets_reach_builtin_explorers_only(tmp_path: Path, corpus_file: Path, test_plugins: None) -> None:
    medrep.register("explorer", "test-targets", TargetsExplorer)
    try:
        result = run_words(small_config(tmp_path, corpus_file, explore=["neighbours", "test-targets"], targets=["cough", "fever"]))
    finally:
        medrep.unregister("explorer", "test-targets")

    explorations = result.combinations[0].explorations
    assert explorations["neighbours"].summary["config"]["targets"] == ["cough", "fever"]
    assert [row["query"] for row in explorations["neighbours"].summary["rows"]] == ["cough"] * 5 + ["fever"] * 5
    assert explorations["test-targets"].summary["config"] == {"targets": ["default"]}


def test_compare_adds_tokenizer_table(tmp_path: Path, corpus_file: Path, test_plugins: None) -> None:
    values = small_config(
        tmp_path,
        corpus_file,
        tokenizers={"cased": {"plugin": "test-space", "options": {"lowercase": False}}},
        compare=["cased:test-random"],
    )

    result = run_words(values)

    assert [combination.label for combination in result.combinations] == ["test-space+test-random", "cased+test-random"]
    markdown = result.reports["markdown"].read_text(encoding="utf-8")
    assert "## Tokenizer comparison" in markdown
    assert "## Combinations side by side" in markdown
    assert "### Tokenizer cased" in markdown


def test_empty_corpus_names_the_inputs(tmp_path: Path, corpus_file: Path, test_plugins: None) -> None:
    corpus_file.write_text("\n  \n", encoding="utf-8")

    with pytest.raises(DataError, match=f"the corpus built from {corpus_file} has no documents"):
        run_words(small_config(tmp_path, corpus_file))
    assert list((tmp_path / "cache" / "words" / "corpus").iterdir()) == []


def test_unknown_plugin_names_the_registered_ones(tmp_path: Path, corpus_file: Path, test_plugins: None) -> None:
    with pytest.raises(medrep.UnknownPluginError, match="test-random"):
        run_words(small_config(tmp_path, corpus_file, embedder="test-randon"))


# -- command line ------------------------------------------------------------------------------


def test_cli_run_with_config_and_overrides(tmp_path: Path, corpus_file: Path, test_plugins: None) -> None:
    from medrep_text.cli import words

    path = tmp_path / "run.toml"
    path.write_text(
        f'output = "{tmp_path / "ignored"}"\n'
        'tokenizer = "test-space"\n'
        'embedder = "test-random"\n'
        'explore = ["test-vocabulary"]\n'
        "jobs = 1\n"
        "[corpus]\n"
        f'inputs = ["{tmp_path / "inputs" / "*.txt"}"]\n',
        encoding="utf-8",
    )

    result = CliRunner().invoke(
        words,
        ["run", "--config", str(path), "-o", str(tmp_path / "cli"), "--cache-dir", str(tmp_path / "cache"), "--top", "2", "--format", "markdown"],
    )

    assert result.exit_code == 0, result.output
    assert "4 stages computed, 0 taken from the cache" in result.output
    assert (tmp_path / "cli" / "report.md").is_file()
    assert not (tmp_path / "cli" / "report.html").exists()
    assert not (tmp_path / "ignored").exists()


def test_cli_run_needs_output(corpus_file: Path) -> None:
    from medrep_text.cli import words

    result = CliRunner().invoke(words, ["run", "--corpus", str(corpus_file)])

    assert result.exit_code == 2
    assert "-o/--output" in result.output
