"""``medrep words tokenize`` and the ``--set`` option parser."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from medrep.errors import PluginConfigError
from medrep_text.cli import words
from medrep_text.cli._options import parse_settings, parse_value


@pytest.fixture(scope="module")
def corpus(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 200 CORD-19 documents of the real sample, as a corpus file."""
    from medrep_text.corpus import build_corpus

    folder = tmp_path_factory.mktemp("cli")
    build_corpus([data_dir / "text" / "cord19" / "metadata_sample_2000.csv"], folder / "full.txt")
    lines = (folder / "full.txt").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "corpus.txt").write_text("".join(lines[:200]), encoding="utf-8")
    return folder / "corpus.txt"


def _tokenize(corpus: Path, output: Path, *options: str) -> str:
    result = CliRunner().invoke(words, ["tokenize", str(corpus), "-o", str(output), *options])
    assert result.exit_code == 0, result.output
    return result.output


def test_top_table_printed(corpus: Path, tmp_path: Path) -> None:
    output = _tokenize(corpus, tmp_path / "tokens.txt", "--tokenizer", "regex", "--top", "5")

    lines = output.splitlines()
    assert lines[0].startswith("200 documents, ")
    assert lines[2] == "Top 5 tokens (regex)"
    assert lines[3].split() == ["rank", "token", "count", "share"]
    assert [line.split()[1] for line in lines[4:9]] == ["the", "of", "and", "in", "to"]
    assert len(lines) == 9


def test_sample_reproducible_with_seed(corpus: Path, tmp_path: Path) -> None:
    first = _tokenize(corpus, tmp_path / "a.txt", "--sample", "20", "--seed", "0")
    again = _tokenize(corpus, tmp_path / "b.txt", "--sample", "20", "--seed", "0")
    other = _tokenize(corpus, tmp_path / "c.txt", "--sample", "20", "--seed", "1")

    table = first.split("\n\n", 1)[1]
    assert table.startswith("Frequency-weighted sample of 20 tokens (regex, seed 0)")
    assert table == again.split("\n\n", 1)[1]
    assert table.splitlines()[2:] != other.split("\n\n", 1)[1].splitlines()[2:]
    assert len({line.split()[1] for line in table.splitlines()[2:]}) == 20


def test_set_options_reach_tokenizer(corpus: Path, tmp_path: Path) -> None:
    _tokenize(corpus, tmp_path / "tokens.txt", "-t", "bpe", "--set", "vocab_size=500", "--set", "pre_tokenizer=compounds")

    from medrep_text.tokens_file import TokensFile

    metadata = TokensFile(tmp_path / "tokens.txt").metadata
    assert metadata["config"]["vocab_size"] == 500
    assert metadata["config"]["pre_tokenizer"] == "compounds"
    assert metadata["state"] == "tokens.txt.tokenizer"


def test_invalid_option_value_explained(corpus: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(words, ["tokenize", str(corpus), "-o", str(tmp_path / "t.txt"), "-t", "bpe", "--set", "vocab_size=abc"])

    assert isinstance(result.exception, PluginConfigError)
    assert "vocab_size: Input should be a valid integer; received 'abc' (str)" in str(result.exception)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("3", 3),
        ("0.5", 0.5),
        ('"x"', "x"),
        ("[1, 2]", [1, 2]),
        ('["[UNK]", "[PAD]"]', ["[UNK]", "[PAD]"]),
        ("bert-base-uncased", "bert-base-uncased"),
        ("/data/vocab.txt", "/data/vocab.txt"),
        ("2019-01-01", "2019-01-01"),
        ("", ""),
    ],
    ids=["bool", "int", "float", "quoted", "list", "string-list", "name", "path", "date-kept-as-text", "empty"],
)
def test_set_value_read_as_toml(text: str, expected: object) -> None:
    assert parse_value(text) == expected


def test_set_pairs_parsed() -> None:
    assert parse_settings(["lowercase=false", "pattern=\\w+"]) == {"lowercase": False, "pattern": "\\w+"}


@pytest.mark.parametrize(
    ("pairs", "message"),
    [(["lowercase"], "expected key=value"), (["=3"], "expected key=value"), (["a=1", "a=2"], "'a' is set twice")],
    ids=["no-equals", "no-key", "twice"],
)
def test_set_pairs_rejected(pairs: list[str], message: str) -> None:
    with pytest.raises(click.BadParameter, match=message):
        parse_settings(pairs)
