"""``medrep words corpus`` on the real files."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from medrep_text.cli import words


def test_corpus_command_reports_counts(data_dir: Path, tmp_path: Path) -> None:
    inputs = [data_dir / "text" / "cord19" / "metadata_sample_2000.csv", data_dir / "text" / "pubmed" / "CDR_TestSet.PubTator.txt"]
    output = tmp_path / "corpus.txt"

    result = CliRunner().invoke(words, ["corpus", *map(str, inputs), "-o", str(output)])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"2500 rows read, 0 empty dropped, 0 duplicates removed, 2500 documents written to {output}",
        f"report: {output}.report.json",
    ]
    report = json.loads(Path(f"{output}.report.json").read_text(encoding="utf-8"))
    assert report["rows_read"] == 2500
    assert [source["format"] for source in report["inputs"]] == ["cord19", "pubtator"]


def test_corpus_command_duplicates_option(tmp_path: Path) -> None:
    source = tmp_path / "metadata.csv"
    source.write_text("cord_uid,title,abstract\nu1,First,\nu1,Second,\n", encoding="utf-8")

    result = CliRunner().invoke(words, ["corpus", str(source), "-o", str(tmp_path / "c.txt"), "--duplicates", "keep-last"])

    assert result.exit_code == 0, result.output
    assert (tmp_path / "c.txt").read_text(encoding="utf-8") == "Second\n"
    assert "1 duplicates removed" in result.output


def test_corpus_command_expands_quoted_glob(data_dir: Path, tmp_path: Path) -> None:
    pattern = str(data_dir / "text" / "pubmed" / "*.PubTator.txt")

    result = CliRunner().invoke(words, ["corpus", pattern, "-o", str(tmp_path / "corpus.txt")])

    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "corpus.txt.report.json").read_text(encoding="utf-8"))
    assert [Path(source["path"]).name for source in report["inputs"]] == [
        "CDR_DevelopmentSet.PubTator.txt", "CDR_TestSet.PubTator.txt", "CDR_TrainingSet.PubTator.txt",
    ]  # fmt: skip
    assert report["rows_read"] == 1500
