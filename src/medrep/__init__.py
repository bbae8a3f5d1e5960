"""medrep: plugin-based representation learning for biomedical data.

Build any plugin by kind and name::

    import medrep
    tokenizer = medrep.get("tokenizer", "regex", lowercase=True)
    medrep.available("embedder")

``import medrep`` is light: it imports neither torch, transformers, gensim nor nnunetv2,
and it loads no plugin until the first lookup.
"""

from __future__ import annotations

from typing import Any

from medrep._version import __version__
from medrep.errors import (
    DataError,
    MedrepError,
    MissingDependencyError,
    NotFittedError,
    PluginConfigError,
    PluginConflictError,
    PluginLoadError,
    UnknownKindError,
    UnknownPluginError,
)
from medrep.hookspecs import hookimpl
from medrep.kinds import KINDS
from medrep.settings import Settings, configure, get_settings

__all__ = [
    "__version__",
    "KINDS",
    "get",
    "available",
    "register",
    "unregister",
    "plugins",
    "hookimpl",
    "Settings",
    "configure",
    "get_settings",
    "MedrepError",
    "UnknownKindError",
    "UnknownPluginError",
    "PluginConfigError",
    "PluginLoadError",
    "PluginConflictError",
    "MissingDependencyError",
    "NotFittedError",
    "DataError",
]


def get(kind: str, name: str, **config: Any) -> Any:
    """Build the plugin ``name`` of ``kind`` with ``config`` validated by its model.

    Raises :class:`UnknownKindError`, :class:`UnknownPluginError` (with the nearest name
    and every registered name), :class:`PluginConfigError` (naming the field, what it
    expects and the value received), :class:`PluginConflictError` or
    :class:`PluginLoadError`.
    """
    from medrep._registry import registry

    return registry.get(kind, name, **config)


def available(kind: str | None = None) -> list[str] | dict[str, list[str]]:
    """List registered plugin names: one kind's as a list, or every kind's as a dict."""
    from medrep._registry import registry

    if kind is not None:
        return registry.names(kind)
    return {each: registry.names(each) for each in KINDS}


def register(
    kind: str,
    name: str,
    factory: Any,
    *,
    replaces: bool = False,
    description: str | None = None,
    replace: bool = False,
) -> None:
    """Register a plugin in this process (notebooks, tests); ``replaces=True`` shadows a name.

    ``replace`` is accepted as another spelling of ``replaces``.
    """
    from medrep._registry import registry

    registry.register(kind, name, factory, replaces=replaces or replace, description=description)


def unregister(kind: str, name: str) -> None:
    """Remove a plugin added with :func:`register`, restoring what it shadowed."""
    from medrep._registry import registry

    registry.unregister(kind, name)


def plugins() -> list[Any]:
    """Return every registration (:class:`medrep._registry.PluginInfo`), as ``medrep plugins`` lists them."""
    from medrep._registry import registry

    return registry.infos()
