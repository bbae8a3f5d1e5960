"""Reader of plain text with one document per line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from medrep_text.corpus._lines import InvalidUtf8, read_lines
from medrep_text.corpus._text import flatten_line_breaks
from medrep_text.corpus.records import Record
from medrep_text.corpus.report import SourceCounts


def read_plain_text(
    path: str | Path,
    counts: SourceCounts | None = None,
    *,
    invalid_utf8: InvalidUtf8 = "replace",
    on_bytes: Callable[[int], object] | None = None,
) -> Iterator[Record]:
    """Yield one :class:`Record` per line, without a key, streaming.

    Lines end at ``\\n`` (a ``\\r\\n`` pair counts as one ending). Other line breaks inside
    a line (``\\r``, ``\\u2028``, ``\\x85`` and the rest) become spaces.
    """
    path = Path(path)
    counts = counts or SourceCounts(str(path), "text")
    for _, line in read_lines(path, counts, invalid_utf8=invalid_utf8, on_bytes=on_bytes):
        counts.rows_read += 1
        yield Record(None, flatten_line_breaks(line.rstrip("\r\n")).strip())
