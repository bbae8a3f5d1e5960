"""Reader of CORD-19 ``metadata.csv``: one record per CSV row, title and abstract merged."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path

from medrep.errors import DataError
from medrep_text.corpus._lines import InvalidUtf8, read_lines
from medrep_text.corpus._text import is_missing, merge_fields
from medrep_text.corpus.report import SourceCounts
from medrep_text.corpus.records import Record

# The csv module's default limit (131,072 characters per field) is below the longest
# abstracts of large releases. This limit still stops an unclosed quote from reading a
# whole file into one field.
MAX_FIELD_CHARS = 10_000_000


def read_cord19(
    path: str | Path,
    counts: SourceCounts | None = None,
    *,
    id_column: str = "cord_uid",
    invalid_utf8: InvalidUtf8 = "replace",
    on_bytes: Callable[[int], object] | None = None,
) -> Iterator[Record]:
    """Yield one :class:`Record` per row of a CORD-19 ``metadata.csv``, streaming.

    Parsing follows RFC 4180 through the ``csv`` module, so quoted commas and line breaks
    stay inside their field. A row shorter than the header has its trailing fields
    missing, and a row longer than the header raises :class:`DataError`. The record key
    is the ``id_column`` value (``None`` when that cell is empty).
    """
    path = Path(path)
    counts = counts or SourceCounts(str(path), "cord19")
    # NOTE: the limit is process-wide. It is only raised here, never lowered.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))

    lines = (line for _, line in read_lines(path, counts, invalid_utf8=invalid_utf8, on_bytes=on_bytes))
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise DataError(f"{path} is empty", hint="pass a CORD-19 metadata.csv with a header row")
        title_at, abstract_at, key_at = _columns(path, header, id_column)
        for row in reader:
            if not row:
                continue
            if len(row) > len(header):
                raise DataError(
                    f"{path}:{reader.line_num}: row has {len(row)} fields but the header has {len(header)}",
                    hint="check the quoting of that row: a quote that is not closed merges fields",
                )
            yield _record(row, title_at, abstract_at, key_at, counts)
    except csv.Error as exc:
        raise DataError(
            f"{path}:{reader.line_num}: malformed CSV: {exc}",
            hint="the file must be RFC 4180 CSV, as CORD-19 releases are",
        ) from None


def _columns(path: Path, header: list[str], id_column: str) -> tuple[int, int, int]:
    names = [name.strip() for name in header]
    missing = [name for name in ("title", "abstract", id_column) if name not in names]
    if missing:
        raise DataError(
            f"{path} has no column {', '.join(repr(name) for name in missing)}. Its columns are: {', '.join(names)}",
            hint="pass a CORD-19 metadata.csv, or name the id column (--id-column on the command line, id_column in Python)",
        )
    return names.index("title"), names.index("abstract"), names.index(id_column)


def _record(row: list[str], title_at: int, abstract_at: int, key_at: int, counts: SourceCounts) -> Record:
    def cell(index: int) -> str | None:
        return row[index] if index < len(row) else None

    title, abstract, key = cell(title_at), cell(abstract_at), cell(key_at)
    counts.rows_read += 1
    counts.missing_titles += is_missing(title)
    counts.missing_abstracts += is_missing(abstract)
    return Record(None if is_missing(key) else str(key).strip(), merge_fields(title, abstract))
