"""Reader of PubTator files: title and abstract lines, then annotation lines, per document."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from medrep.errors import DataError
from medrep_text.corpus._lines import InvalidUtf8, read_lines
from medrep_text.corpus._text import is_missing, merge_fields
from medrep_text.corpus.records import Record
from medrep_text.corpus.report import SourceCounts

_TEXT_LINE = re.compile(r"^([^|\t]+)\|([ta])\|(.*)$", re.DOTALL)


@dataclass
class _Document:
    pmid: str
    title: str | None = None
    abstract: str | None = None


def read_pubtator(
    path: str | Path,
    counts: SourceCounts | None = None,
    *,
    invalid_utf8: InvalidUtf8 = "replace",
    on_bytes: Callable[[int], object] | None = None,
) -> Iterator[Record]:
    """Yield one :class:`Record` per PubTator document, keyed by its PMID, streaming.

    A document is a ``PMID|t|title`` line and a ``PMID|a|abstract`` line followed by
    tab-separated annotation lines (mentions with six or seven fields, ``CID`` relations
    with four), which are skipped. Blank lines separate documents. An annotation line
    whose PMID differs from its document's, or a line of no known form, raises
    :class:`DataError` naming the line.
    """
    path = Path(path)
    counts = counts or SourceCounts(str(path), "pubtator")
    current: _Document | None = None

    for number, line in read_lines(path, counts, invalid_utf8=invalid_utf8, on_bytes=on_bytes):
        line = line.rstrip("\r\n")
        if not line.strip():
            if current is not None:
                yield _finish(current, counts)
                current = None
            continue

        match = _TEXT_LINE.match(line)
        if match:
            pmid, part, text = match.groups()
            if current is not None and (current.pmid != pmid or getattr(current, _FIELD[part]) is not None):
                yield _finish(current, counts)
                current = None
            current = current or _Document(pmid)
            setattr(current, _FIELD[part], text)
            continue

        pmid = line.split("\t", 1)[0]
        if "\t" not in line or current is None or pmid != current.pmid:
            expected = f"an annotation of PMID {current.pmid}" if current else "a 'PMID|t|title' line"
            raise DataError(
                f"{path}:{number}: expected {expected}, found {line[:60]!r}",
                hint="PubTator documents are 'PMID|t|', 'PMID|a|' and tab-separated annotation lines, "
                "separated by blank lines",
            )

    if current is not None:
        yield _finish(current, counts)


_FIELD = {"t": "title", "a": "abstract"}


def _finish(document: _Document, counts: SourceCounts) -> Record:
    counts.rows_read += 1
    counts.missing_titles += is_missing(document.title)
    counts.missing_abstracts += is_missing(document.abstract)
    return Record(document.pmid.strip(), merge_fields(document.title, document.abstract))
