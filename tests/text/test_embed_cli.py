"""``medrep words embed``, ``neighbours`` and ``similarity``."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from medrep_text.cli import words
from medrep_text.vectors import KeyedVectors
from tests.text.test_embedder_mlm import tiny_model  # noqa: F401  (fixture)

ROWS = ["fever cough lung", "fever lung", "cough fever lung lung", "aspirin pain", "pain aspirin fever"]


@pytest.fixture
def tokens(tmp_path: Path) -> Path:
    path = tmp_path / "tokens.txt"
    path.write_text("\n".join(ROWS) + "\n", encoding="utf-8")
    (tmp_path / "tokens.txt.meta.json").write_text(json.dumps({"tokenizer": "regex", "config": {}}), encoding="utf-8")
    return path


@pytest.fixture
def hand_made(tmp_path: Path) -> Path:
    vectors = KeyedVectors(
        np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0], [-1.0, 0.0]], dtype=np.float32),
        ["fever", "cough", "lung", "aspirin"],
    )
    return vectors.save(tmp_path / "hand-made")


def invoke(*arguments: str) -> str:
    result = CliRunner().invoke(words, list(arguments), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_embed_ngram_writes_directory(tokens: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    output = tmp_path / "vectors"

    with caplog.at_level(logging.INFO):
        printed = invoke("embed", str(tokens), "--embedder", "ngram", "--set", "dim=2", "--set", "min_count=1", "-o", str(output))

    assert printed == f"5 words x 2 dimensions (ngram) from 5 documents, 14 tokens; wrote {output}\n"
    assert sorted(path.name for path in output.iterdir()) == ["metadata.json", "run.json", "vectors.npy", "vocab.txt"]
    record = json.loads((output / "run.json").read_text())
    assert record["config"] == {"embedder": "ngram", "options": record["config"]["options"]}
    assert record["config"]["options"]["dim"] == 2
    assert record["tokenizer"] == {"tokenizer": "regex", "config": {}}
    assert KeyedVectors.load(output).vectors.shape == (5, 2)
    assert "estimated peak memory" in caplog.text
    assert "words/s" in caplog.text


def test_embed_warns_raw_text_and_overwrite(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    raw = tmp_path / "corpus.txt"
    raw.write_text("\n".join(ROWS) + "\n", encoding="utf-8")
    output = tmp_path / "vectors"

    invoke("embed", str(raw), "--embedder", "ngram", "--set", "dim=2", "--set", "min_count=1", "-o", str(output))
    assert f"{raw} records no tokenizer (corpus.txt.meta.json is missing or names none)" in caplog.text
    assert "exists; the new vectors replace it" not in caplog.text

    caplog.clear()
    invoke("embed", str(raw), "--embedder", "ngram", "--set", "dim=1", "--set", "min_count=1", "-o", str(output))
    assert f"{output} exists; the new vectors replace it once training has finished" in caplog.text
    assert KeyedVectors.load(output).vectors.shape == (5, 1)


@pytest.mark.parametrize("kind", ["text", "binary"], ids=["text", "binary"])
def test_embed_sgns_word2vec_copy(tokens: Path, tmp_path: Path, kind: str) -> None:
    from gensim.models import KeyedVectors as GensimKeyedVectors

    output = tmp_path / "vectors"

    invoke(
        "embed", str(tokens), "-e", "sgns", "--set", "vector_size=4", "--set", "min_count=1", "--set", "epochs=1",
        "--word2vec", kind, "-o", str(output),
    )

    name = {"text": "vectors.txt", "binary": "vectors.bin"}[kind]
    loaded = GensimKeyedVectors.load_word2vec_format(str(output / name), binary=kind == "binary")
    native = KeyedVectors.load(output)
    assert loaded.index_to_key == native.index_to_key
    np.testing.assert_array_equal(loaded.vectors, native.vectors)


def test_embed_mlm_saves_adapter(tokens: Path, tmp_path: Path, tiny_model: Path) -> None:  # noqa: F811
    output = tmp_path / "vectors"

    printed = invoke(
        "embed", str(tokens), "-e", "mlm", "--set", f"model={json.dumps(str(tiny_model))}",
        "--set", "local_files_only=true", "--set", "max_steps=1", "--set", "min_count=1", "--set", "batch_size=2",
        "--set", "max_length=16", "--set", "device='cpu'", "--set", "num_threads=1", "-o", str(output),
    )

    assert printed.splitlines()[-1].startswith("5 words x 32 dimensions (mlm) from 5 documents, 14 tokens;")
    assert (output / "adapter" / "adapter_model.safetensors").is_file()
    assert KeyedVectors.load(output).metadata["training"]["steps"] == 1


def test_embed_unknown_option(tokens: Path, tmp_path: Path) -> None:
    from medrep.errors import PluginConfigError

    result = CliRunner().invoke(words, ["embed", str(tokens), "-e", "ngram", "--set", "dims=3", "-o", str(tmp_path / "v")])

    assert isinstance(result.exception, PluginConfigError)
    assert "dims: unknown option; did you mean 'dim'?" in str(result.exception)
    assert not (tmp_path / "v").exists()


def test_neighbours_table(hand_made: Path) -> None:
    printed = invoke("neighbours", str(hand_made), "fever", "--top", "2")

    assert printed.splitlines() == [
        "rank  word   similarity",
        "   1  cough      0.6000",
        "   2  lung       0.0000",
    ]


def test_similarity_value(hand_made: Path) -> None:
    assert invoke("similarity", str(hand_made), "cough", "lung") == "0.8000\n"


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_queries_on_gensim_files(tmp_path: Path, binary: bool) -> None:
    from gensim.models import KeyedVectors as GensimKeyedVectors

    original = GensimKeyedVectors(2)
    original.add_vectors(["fever", "cough", "lung"], np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]], dtype=np.float32))
    path = tmp_path / ("vectors.bin" if binary else "vectors.txt")
    original.save_word2vec_format(str(path), binary=binary)

    assert invoke("neighbours", str(path), "lung", "--top", "1").splitlines()[1].split() == ["1", "cough", "0.8000"]
    assert invoke("similarity", str(path), "fever", "cough") == "0.6000\n"


def test_unknown_word_is_one_line_error(hand_made: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "medrep", "words", "neighbours", str(hand_made), "cogh"],
        capture_output=True, text=True,
    )

    assert completed.returncode == 1
    assert completed.stderr.splitlines() == [
        "error: word 'cogh' is not in the vocabulary (4 words); did you mean 'cough'?",
        "hint: check spelling and case against the tokenizer's output, or lower min_count and retrain",
    ]
