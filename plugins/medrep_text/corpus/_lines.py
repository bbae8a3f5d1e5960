"""Line-by-line UTF-8 decoding with a policy for invalid bytes."""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

from medrep.errors import DataError
from medrep_text.corpus.report import SourceCounts

InvalidUtf8 = Literal["replace", "strict"]

_ENCODED_REPLACEMENT = "\ufffd".encode()


def read_lines(
    path: Path,
    counts: SourceCounts,
    *,
    invalid_utf8: InvalidUtf8 = "replace",
    on_bytes: Callable[[int], object] | None = None,
) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, line)`` pairs of a UTF-8 file, line endings kept.

    Lines end at ``\\n`` only, so a ``\\r`` or ``\\u2028`` inside a line never starts a new
    one. A UTF-8 byte order mark at the start is dropped. With ``invalid_utf8="replace"``
    each invalid byte sequence becomes U+FFFD and is counted in
    ``counts.invalid_utf8_replacements``; with ``"strict"`` it raises :class:`DataError`.
    """
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            if on_bytes is not None:
                on_bytes(len(raw))
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            yield number, _decode(raw, path, number, counts, invalid_utf8)


def _decode(raw: bytes, path: Path, number: int, counts: SourceCounts, invalid_utf8: InvalidUtf8) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if invalid_utf8 == "strict":
            raise DataError(
                f"{path}:{number}: invalid UTF-8 at byte {exc.start} of the line ({exc.reason})",
                hint="convert the file to UTF-8, or pass invalid_utf8='replace' to replace invalid bytes with U+FFFD",
            ) from None
    text = raw.decode("utf-8", errors="replace")
    # Only replacement characters that decoding added are counted, not ones already in the file.
    counts.invalid_utf8_replacements += text.count("\ufffd") - raw.count(_ENCODED_REPLACEMENT)
    return text
