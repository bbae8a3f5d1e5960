"""Wording helpers for the track's messages and logs."""

from __future__ import annotations

__all__ = ["count"]


def count(number: int, noun: str, plural: str | None = None) -> str:
    """Return ``number`` followed by ``noun`` in the singular or plural ("1 epoch", "2 epochs")."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
