"""Base class of plugin configurations and the formatting of validation errors.

Every plugin declares its options as a pydantic model derived from :class:`PluginConfig`.
The model forbids unknown keys and validates strictly, so ``lowercase="yes please"`` is
rejected rather than silently read as ``True``. Paths are plain strings, lists are lists
(TOML and JSON have no tuples), and options with a closed set of values are ``Literal``
strings, never integer flags. A configuration can never name a Python object to import:
plugins are chosen by registered name only.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from medrep.errors import PluginConfigError

__all__ = ["PluginConfig", "validate_config", "format_validation_error"]


class PluginConfig(BaseModel):
    """Options of a plugin, validated when :func:`medrep.get` builds the plugin."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def validate_config(
    model: type[BaseModel], options: dict[str, Any], *, owner: str
) -> BaseModel:
    """Validate ``options`` against ``model`` or raise :class:`PluginConfigError`.

    ``owner`` names what is being configured (for example ``tokenizer 'regex'``) and
    starts every error line.
    """
    kind, _, name = owner.partition(" ")
    name = name.strip("'")
    try:
        return model.model_validate(options)
    except ValidationError as exc:
        raise PluginConfigError(
            format_validation_error(exc, model, owner=owner),
            hint=f"run `medrep plugins --options --kind {kind} {name}` to see every option",
        ) from None


def format_validation_error(exc: ValidationError, model: type[BaseModel], *, owner: str) -> str:
    """Turn a pydantic error into lines naming the field, what it expects and what it got."""
    fields = list(model.model_fields)
    lines = [f"invalid configuration for {owner}:"]
    for error in exc.errors(include_url=False):
        field = ".".join(str(part) for part in error["loc"]) or "(root)"
        received = error.get("input")
        if error["type"] == "extra_forbidden":
            close = difflib.get_close_matches(str(error["loc"][-1]), fields, n=1)
            suggestion = f"; did you mean {close[0]!r}?" if close else ""
            valid = ", ".join(fields) or "(none)"
            lines.append(f"  {field}: unknown option{suggestion} Valid options: {valid}")
            continue
        if error["type"] == "missing":
            description = model.model_fields[str(error["loc"][0])].description if error["loc"] else None
            about = f" ({description})" if description else ""
            lines.append(f"  {field}: missing required option{about}")
            continue
        expected = error["msg"]
        lines.append(
            f"  {field}: {expected}; received {received!r} ({type(received).__name__})"
        )
    return "\n".join(lines)
