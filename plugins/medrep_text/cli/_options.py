"""Option parsing shared by the ``medrep words`` commands."""

from __future__ import annotations

import datetime
import tomllib
from collections.abc import Iterable
from typing import Any

import click


def parse_settings(pairs: Iterable[str]) -> dict[str, Any]:
    """Turn ``key=value`` strings (repeated ``--set`` options) into a configuration dictionary.

    Each value is read as a TOML literal, so ``true``, ``3``, ``0.5``, ``"x"`` and ``[1, 2]``
    become a bool, an int, a float, a string and a list. A value that is not valid TOML,
    or that TOML reads as a date or time, stays the plain string given.
    """
    settings: dict[str, Any] = {}
    for pair in pairs:
        key, separator, value = pair.partition("=")
        key = key.strip()
        if not separator or not key:
            raise click.BadParameter(f"expected key=value, got {pair!r}", param_hint="--set")
        if key in settings:
            raise click.BadParameter(f"{key!r} is set twice", param_hint="--set")
        settings[key] = parse_value(value)
    return settings


def parse_value(text: str) -> Any:
    """Read one ``--set`` value as a TOML literal, falling back to the text itself."""
    try:
        value = tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text
    if isinstance(value, (datetime.date, datetime.time)):
        return text
    return value
