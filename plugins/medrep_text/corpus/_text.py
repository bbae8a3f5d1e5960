"""Merging of title and abstract fields into one single-line document."""

from __future__ import annotations

import math
import re
from typing import Any

# The boundaries that str.splitlines() recognises, with a "\r\n" pair counted once.
_LINE_BREAK = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def flatten_line_breaks(text: str) -> str:
    """Replace every line break in ``text`` with one space, so the text fits on one line."""
    return _LINE_BREAK.sub(" ", text)


def is_missing(value: Any) -> bool:
    """Return whether a field is missing: ``None``, a float NaN, or a string of whitespace only."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return not str(value).strip()


def merge_fields(title: Any, abstract: Any) -> str:
    """Join ``title + " " + abstract`` into one stripped line, ``""`` when both are missing.

    A missing field counts as a single space, and every line break becomes a space.
    """
    parts = [" " if is_missing(value) else str(value) for value in (title, abstract)]
    return flatten_line_breaks(" ".join(parts)).strip()
