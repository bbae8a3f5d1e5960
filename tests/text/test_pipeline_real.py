"""`medrep words run` on the real CORD-19 sample plus the PubTator abstracts, with small, fast settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

CONTEXT = "the main symptoms of covid-19 are"

CONFIG = """
tokenizer = "regex"
embedder = "sgns"
compare = ["bpe:sgns"]
targets = ["coronavirus", "covid-19"]
jobs = 1

[tokenizers.regex.options]
keep_compounds = true

[tokenizers.bpe.options]
vocab_size = 4000

[embedders.sgns.options]
vector_size = 32
epochs = 1
min_count = 5

[explorers.tsne.options]
top_n = 40
max_iter = 250

[explorers.cooccurrence.options]
top_k = 5
"""


@pytest.fixture(scope="module")
def real_run(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from medrep_text.cli import words

    folder = tmp_path_factory.mktemp("words-real")
    config = folder / "run.toml"
    config.write_text(CONFIG, encoding="utf-8")
    text = data_dir / "text"
    arguments = [
        "run",
        "--config", str(config),
        "--corpus", str(text / "cord19" / "metadata_sample_2000.csv"),
        str(text / "pubmed" / "*.PubTator.txt"),
        "--benchmark", str(text / "benchmarks" / "UMNSRS" / "UMNSRS-sim.txt"),
        "--benchmark", str(text / "benchmarks" / "MayoSRS" / "MayoSRS.txt"),
        "--entities", str(text / "entities" / "biomedical_terms_by_category.tsv"),
        "--context", CONTEXT,
        "--cache-dir", str(folder / "cache"),
        "-o", str(folder / "report"),
    ]  # fmt: skip

    result = CliRunner().invoke(words, arguments)

    assert result.exit_code == 0, result.output
    output = folder / "report"
    return {
        "output": output,
        "markdown": (output / "report.md").read_text(encoding="utf-8"),
        "data": json.loads((output / "report.json").read_text(encoding="utf-8")),
    }


def test_real_run_reads_every_input(real_run: dict[str, Any]) -> None:
    corpus = real_run["data"]["corpus"]["report"]

    assert [Path(source["path"]).name for source in corpus["inputs"]] == [
        "metadata_sample_2000.csv",
        "CDR_DevelopmentSet.PubTator.txt",
        "CDR_TestSet.PubTator.txt",
        "CDR_TrainingSet.PubTator.txt",
    ]
    assert sum(source["documents_written"] for source in corpus["inputs"]) == 3500


def test_real_run_next_word_table(real_run: dict[str, Any]) -> None:
    markdown = real_run["markdown"]
    model = real_run["data"]["tokenizers"]["regex"]["explorations"]["ngram-lm"]
    words = [row["word"] for row in model["rows"] if row["context"] == CONTEXT]

    assert f"### After “{CONTEXT}”" in markdown
    assert "| rank | regex: word | p | bpe: word | p |" in markdown
    assert len(words) == 10
    # The corpus has "symptoms of COVID-19 are very similar" once; the rest backs off to
    # "... are <word>" continuations, all of them words.
    assert "very" in words
    assert all(word.isalpha() for word in words), words
    assert model["rows"][0]["context_used"] == "symptoms of covid-19 are"


def test_real_run_weighted_samples_beside_top(real_run: dict[str, Any]) -> None:
    markdown = real_run["markdown"]

    assert markdown.count("| rank | top token | count | weighted sample | count |") == 2
    for label in ("regex", "bpe"):
        tokenize = real_run["data"]["tokenizers"][label]["tokenize"]
        sample = [token for token, _ in tokenize["sample"]["tokens"]]
        assert len(sample) == len(set(sample)) == 20
        assert len(tokenize["top"]) == 20


def test_real_run_tokenizer_comparison(real_run: dict[str, Any]) -> None:
    markdown = real_run["markdown"]
    table = markdown.split("## Tokenizer comparison", 1)[1].split("##", 1)[0]
    regex = real_run["data"]["tokenizers"]["regex"]["tokenize"]["statistics"]
    bpe = real_run["data"]["tokenizers"]["bpe"]["tokenize"]["statistics"]

    assert "| tokenizer | tokens per document | vocabulary | [UNK] / byte-fallback share | throughput (MB/s) |" in table
    assert "| regex |" in table
    assert "| bpe |" in table
    assert regex["compounds"]["sars-cov-2"]["share"] == 1.0
    assert bpe["compounds"]["sars-cov-2"]["share"] == 0.0
    assert bpe["vocabulary_size"] <= 4000


def test_real_run_vectors_views(real_run: dict[str, Any]) -> None:
    markdown = real_run["markdown"]
    combination = real_run["data"]["combinations"][0]
    neighbours = combination["explorations"]["neighbours"]["data"]["results"]
    benchmarks = {row["benchmark"]: row for row in combination["explorations"]["similarity-benchmark"]["rows"]}
    tsne = real_run["output"] / "figures" / "regex+sgns-tsne.png"

    assert len(neighbours["coronavirus"]) == 10
    assert set(benchmarks) == {"UMNSRS/UMNSRS-sim", "MayoSRS/MayoSRS"}
    assert benchmarks["UMNSRS/UMNSRS-sim"]["pairs"] == 566
    assert 0 < benchmarks["UMNSRS/UMNSRS-sim"]["covered"] < 566
    assert "## Combinations side by side" in markdown
    assert "![t-SNE of " in markdown
    assert tsne.read_bytes()[:4] == b"\x89PNG"
    assert (real_run["output"] / "run.json").is_file()
