"""The record type that every corpus reader yields."""

from __future__ import annotations

from typing import NamedTuple


class Record(NamedTuple):
    """One document from an input file: its identifier (or ``None``) and its one-line text.

    ``text`` is ``""`` when nothing is left after merging and stripping. The corpus
    builder drops such records and counts them.
    """

    key: str | None
    text: str
