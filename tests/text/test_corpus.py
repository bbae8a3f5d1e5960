"""The corpus readers and ``build_corpus`` on synthetic edge cases and the real files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from medrep.errors import DataError, PluginConfigError
from medrep_text.corpus import (
    SourceCounts,
    build_corpus,
    detect_format,
    merge_fields,
    read_cord19,
    read_plain_text,
    read_pubtator,
    report_path,
)

HEADER = ["cord_uid", "sha", "title", "abstract", "journal"]


def _write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")[:-1]


# -- merging fields ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "abstract", "expected"),
    [
        ("Title", "Abstract", "Title Abstract"),
        (None, "Abstract", "Abstract"),
        ("Title", float("nan"), "Title"),
        ("   ", "\t Abstract ", "Abstract"),
        (None, None, ""),
        (float("nan"), "", ""),
        ("A\r\nB", "c\u2028d\x85e\rf", "A B c d e f"),
    ],
    ids=["both", "title-none", "abstract-nan", "title-whitespace", "both-none", "nan-and-empty", "line-breaks"],
)
def test_merge_fields(title: object, abstract: object, expected: str) -> None:
    assert merge_fields(title, abstract) == expected


# -- CORD-19 metadata.csv ------------------------------------------------------------------------


def test_missing_cells_counted_and_dropped(tmp_path: Path) -> None:
    source = _write_csv(
        tmp_path / "metadata.csv",
        [
            ["u1", "", "Title one", "", "J"],
            ["u2", "", "   ", "Abstract two", "J"],
            ["u3", "", "", " \t ", "J"],
            ["u4", ""],
            ["u5", "", "Title five", "Abstract five", "J"],
        ],
    )

    report = build_corpus([source], tmp_path / "corpus.txt")

    assert _lines(tmp_path / "corpus.txt") == ["Title one", "Abstract two", "Title five Abstract five"]
    assert report.total("rows_read") == 5
    assert report.total("missing_titles") == 3
    assert report.total("missing_abstracts") == 3
    assert report.total("empty_documents_dropped") == 2
    assert report.documents_written == 3


def test_line_breaks_stay_in_one_document(tmp_path: Path) -> None:
    source = _write_csv(
        tmp_path / "metadata.csv",
        [
            ["u1", "", "Alpha\rBeta", "one\ntwo\u2028three\x85four, five", "J"],
            ["u2", "", "Gamma", "six\r\nseven", "J"],
            ["u3", "", 'Delta "quoted"', "eight", "J"],
        ],
    )
    raw = source.read_bytes()

    report = build_corpus([source], tmp_path / "corpus.txt")

    assert b"\r\n" in raw
    assert b"Alpha\rBeta" in raw
    assert _lines(tmp_path / "corpus.txt") == [
        "Alpha Beta one two three four, five",
        "Gamma six seven",
        'Delta "quoted" eight',
    ]
    assert report.total("rows_read") == 3
    assert report.documents_written == 3


@pytest.mark.parametrize(
    ("duplicates", "expected_lines", "removed"),
    [
        ("keep-first", ["First copy", "Other paper"], 1),
        ("keep-last", ["Other paper", "Second copy"], 1),
        ("keep-all", ["First copy", "Other paper", "Second copy"], 0),
    ],
    ids=["keep-first", "keep-last", "keep-all"],
)
def test_duplicate_cord_uid(tmp_path: Path, duplicates: str, expected_lines: list[str], removed: int) -> None:
    source = _write_csv(
        tmp_path / "metadata.csv",
        [["dup1", "", "First copy", "", "J"], ["other", "", "Other paper", "", "J"], ["dup1", "", "Second copy", "", "J"]],
    )

    report = build_corpus([source], tmp_path / "corpus.txt", duplicates=duplicates)

    assert _lines(tmp_path / "corpus.txt") == expected_lines
    assert report.total("duplicates_removed") == removed
    saved = json.loads(report_path(tmp_path / "corpus.txt").read_text(encoding="utf-8"))
    assert saved["duplicates_removed"] == removed


def test_duplicate_across_files(tmp_path: Path) -> None:
    first = _write_csv(tmp_path / "a.csv", [["dup1", "", "From file a", "", "J"]])
    second = _write_csv(tmp_path / "b.csv", [["dup1", "", "From file b", "", "J"]])

    report = build_corpus([first, second], tmp_path / "corpus.txt")

    assert _lines(tmp_path / "corpus.txt") == ["From file a"]
    assert [source.duplicates_removed for source in report.inputs] == [0, 1]


def test_empty_row_loses_to_duplicate_with_text(tmp_path: Path) -> None:
    source = _write_csv(tmp_path / "metadata.csv", [["dup1", "", "", "", "J"], ["dup1", "", "Has text", "", "J"]])

    report = build_corpus([source], tmp_path / "corpus.txt")

    assert _lines(tmp_path / "corpus.txt") == ["Has text"]
    assert report.total("empty_documents_dropped") == 1
    assert report.total("duplicates_removed") == 0


def test_invalid_utf8_replaced_and_counted(tmp_path: Path) -> None:
    source = tmp_path / "metadata.csv"
    source.write_bytes(b"cord_uid,title,abstract\nu1,Caf\xe9 \xff\xfe,ok \xef\xbf\xbd kept\n")

    report = build_corpus([source], tmp_path / "corpus.txt")

    assert _lines(tmp_path / "corpus.txt") == ["Caf\ufffd \ufffd\ufffd ok \ufffd kept"]
    assert report.total("invalid_utf8_replacements") == 3


def test_invalid_utf8_strict_names_line(tmp_path: Path) -> None:
    source = tmp_path / "metadata.csv"
    source.write_bytes(b"cord_uid,title,abstract\nu1,fine,fine\nu2,Caf\xe9,x\n")

    with pytest.raises(DataError, match=r"metadata\.csv:3: invalid UTF-8"):
        build_corpus([source], tmp_path / "corpus.txt", invalid_utf8="strict")


def test_byte_order_mark_ignored(tmp_path: Path) -> None:
    source = tmp_path / "metadata.csv"
    source.write_bytes(b"\xef\xbb\xbfcord_uid,title,abstract\nu1,Title,Abstract\n")

    assert [record.text for record in read_cord19(source)] == ["Title Abstract"]


def test_row_longer_than_header_rejected(tmp_path: Path) -> None:
    source = tmp_path / "metadata.csv"
    source.write_text('cord_uid,title,abstract\nu1,Title,Abstract\nu2,"Title, ok",Abstract,extra\n', encoding="utf-8")

    with pytest.raises(DataError, match=r"metadata\.csv:3: row has 4 fields but the header has 3"):
        list(read_cord19(source))


def test_missing_column_lists_columns(tmp_path: Path) -> None:
    source = _write_csv(tmp_path / "metadata.csv", [["u1", "x"]], header=["cord_uid", "name"])

    with pytest.raises(DataError, match=r"no column 'title', 'abstract'\. Its columns are: cord_uid, name"):
        list(read_cord19(source))


def test_reader_streams(data_dir: Path) -> None:
    source = data_dir / "text" / "cord19" / "metadata_sample_2000.csv"
    consumed: list[int] = []

    records = read_cord19(source, on_bytes=consumed.append)
    first = next(records)

    assert first.key == "ak20jg32"
    assert sum(consumed) < source.stat().st_size / 10


# -- PubTator and plain text -------------------------------------------------------------------

PUBTATOR = (
    "111|t|Naloxone reverses clonidine.\n"
    "111|a|In rats, clonidine lowered blood pressure.\n"
    "111\t0\t8\tNaloxone\tChemical\tD009270\n"
    "111\t9\t17\tclonidine|rats\tChemical\tD003000|D000001\tclonidine|rats\n"
    "111\tCID\tD009270\tD006973\n"
    "\n"
    "222|t|Title only | with a bar\n"
    "222|a|\n"
    "\n"
    "\n"
    "333|t|Third title\n"
    "333|a|Third abstract\n"
)


def test_pubtator_documents(tmp_path: Path) -> None:
    source = tmp_path / "sample.PubTator.txt"
    source.write_text(PUBTATOR, encoding="utf-8")
    counts = SourceCounts(str(source), "pubtator")

    records = list(read_pubtator(source, counts))

    assert records == [
        ("111", "Naloxone reverses clonidine. In rats, clonidine lowered blood pressure."),
        ("222", "Title only | with a bar"),
        ("333", "Third title Third abstract"),
    ]
    assert counts.rows_read == 3
    assert counts.missing_abstracts == 1


def test_pubtator_annotation_of_other_pmid_rejected(tmp_path: Path) -> None:
    source = tmp_path / "broken.PubTator.txt"
    source.write_text("111|t|Title\n111|a|Abstract\n999\t0\t5\tTitle\tDisease\tD1\n", encoding="utf-8")

    with pytest.raises(DataError, match=r"broken\.PubTator\.txt:3: expected an annotation of PMID 111"):
        list(read_pubtator(source))


def test_plain_text_lines(tmp_path: Path) -> None:
    source = tmp_path / "docs.txt"
    source.write_bytes("first doc\r\nsecond\u2028half\x85end\n\n   \nlast".encode())

    report = build_corpus([source], tmp_path / "corpus.txt")

    assert _lines(tmp_path / "corpus.txt") == ["first doc", "second half end", "last"]
    assert report.total("rows_read") == 5
    assert report.total("empty_documents_dropped") == 2
    assert [record.text for record in read_plain_text(source)][:2] == ["first doc", "second half end"]


# -- real files -------------------------------------------------------------------------------


def test_detect_format_of_real_files(data_dir: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "abstracts.txt"
    renamed.write_bytes((data_dir / "text" / "pubmed" / "CDR_TestSet.PubTator.txt").read_bytes()[:2000])
    plain = tmp_path / "plain.txt"
    plain.write_text("Just a sentence.\n", encoding="utf-8")

    assert detect_format(data_dir / "text" / "cord19" / "metadata_sample_2000.csv") == "cord19"
    assert detect_format(data_dir / "text" / "pubmed" / "CDR_TestSet.PubTator.txt") == "pubtator"
    assert detect_format(renamed) == "pubtator"
    assert detect_format(plain) == "text"


def test_real_cord19_and_pubmed(data_dir: Path, tmp_path: Path) -> None:
    text = data_dir / "text"
    inputs = [text / "cord19" / "metadata_sample_2000.csv", *sorted((text / "pubmed").glob("*.PubTator.txt"))]

    report = build_corpus(inputs, tmp_path / "corpus.txt")

    lines = _lines(tmp_path / "corpus.txt")
    assert len(lines) == 3500
    assert all(line and line == line.strip() for line in lines)
    assert lines[0].startswith("Development and Internal Validation of a Novel Model to Identify Inflammatory")
    assert any(line.startswith("Naloxone reverses the antihypertensive effect of clonidine. In unanesthetized,") for line in lines)
    assert report.total("rows_read") == 3500
    assert report.total("missing_titles") == 0
    assert report.total("missing_abstracts") == 446
    assert report.total("duplicates_removed") == 0
    assert [source.format for source in report.inputs] == ["cord19", "pubtator", "pubtator", "pubtator"]
    saved = json.loads(report_path(tmp_path / "corpus.txt").read_text(encoding="utf-8"))
    assert saved["documents_written"] == 3500
    assert saved["options"]["duplicates"] == "keep-first"


# -- arguments --------------------------------------------------------------------------------


def test_output_equal_to_input_rejected(tmp_path: Path) -> None:
    source = tmp_path / "docs.txt"
    source.write_text("text\n", encoding="utf-8")

    with pytest.raises(DataError, match="is also an input"):
        build_corpus([source], source)


def test_unknown_option_rejected(tmp_path: Path) -> None:
    source = tmp_path / "docs.txt"
    source.write_text("text\n", encoding="utf-8")

    with pytest.raises(PluginConfigError, match="duplicates: Input should be 'keep-first', 'keep-last' or 'keep-all'"):
        build_corpus([source], tmp_path / "corpus.txt", duplicates="first")
