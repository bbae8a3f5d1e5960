"""``medrep words tsne | analogy | benchmark | cooccurrence`` on saved files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from medrep_text.cli import words
from medrep_text.explorers._run import format_rows
from medrep_text.vectors import KeyedVectors

WORDS = ["fever", "cough", "aspirin", "lung", "tumor", "liver"]


@pytest.fixture
def vectors_dir(tmp_path: Path) -> Path:
    matrix = np.random.default_rng(1).standard_normal((len(WORDS), 5)).astype(np.float32)
    return KeyedVectors(matrix, WORDS).save(tmp_path / "vectors")


def test_tsne_writes_figures_and_json(vectors_dir: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"

    result = CliRunner().invoke(words, ["tsne", str(vectors_dir), "--top-n", "6", "--perplexity", "1.5", "-o", str(output)])

    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in output.iterdir()) == ["tsne.json", "tsne.png", "tsne.svg"]
    record = json.loads((output / "tsne.json").read_text(encoding="utf-8"))
    assert record["data"]["words"] == WORDS
    assert record["options"]["perplexity"] == 1.5
    assert result.output.splitlines()[0].split() == ["word", "category", "count", "x", "y"]


def test_analogy_command(vectors_dir: Path) -> None:
    result = CliRunner().invoke(words, ["analogy", str(vectors_dir), "fever", "cough", "lung", "--top", "2"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["query", "rank", "word", "cosine"]
    assert [line.split()[:6] for line in lines[1:]] == [
        ["fever", "-", "cough", "+", "lung", "1"],
        ["fever", "-", "cough", "+", "lung", "2"],
    ]


def test_analogy_unknown_word_warns(vectors_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    result = CliRunner().invoke(words, ["analogy", str(vectors_dir), "fever", "cough", "zebra"])

    assert result.exit_code == 0, result.output
    assert "analogy 'fever - cough + zebra': no vector for zebra" in caplog.text


def test_explorer_warning_printed_once(vectors_dir: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "medrep", "-q", "words", "analogy", str(vectors_dir), "fever", "cough", "zebra"],
        capture_output=True, text=True,
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stderr.count("no vector for zebra") == 1
    assert "WARNING medrep_text.explorers.neighbours: analogy 'fever - cough + zebra': no vector for zebra" in completed.stderr


def test_benchmark_command(vectors_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("fever\tcough\t3\nfever\taspirin\t1\n", encoding="utf-8")

    result = CliRunner().invoke(words, ["benchmark", str(vectors_dir), str(pairs)])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1].split() == [f"{tmp_path.name}/pairs", "2", "2", "0", "1.0000", "nan", "nan"]
    assert "WARNING" in caplog.text


def test_cooccurrence_command(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.txt"
    tokens.write_text("a x b x c\nx a\n", encoding="utf-8")

    result = CliRunner().invoke(words, ["cooccurrence", str(tokens), "--target", "x", "--window", "1"])

    assert result.exit_code == 0, result.output
    assert [line.split()[:5] for line in result.output.splitlines()[1:]] == [
        ["x", "1", "a", "2", "0.4000"],
        ["x", "2", "b", "2", "0.4000"],
        ["x", "3", "c", "1", "0.2000"],
    ]


def test_format_rows_aligns_columns() -> None:
    table = format_rows([{"word": "a", "share": 0.5, "category": None}, {"word": "long", "share": float("nan"), "category": "Disease"}])

    assert table.splitlines() == ["word  share   category", "a     0.5000", "long  nan     Disease"]
