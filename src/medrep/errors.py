"""Exceptions raised by medrep and its plugins.

Every medrep error carries a ``hint``: one sentence telling the user what to do next.
The CLI prints ``error: <message>`` followed by the hint, and the traceback only with
``--verbose``. Each class also derives from the built-in exception a Python user would
catch for that situation (``LookupError``, ``ValueError``, ``ImportError``, ...).
"""

from __future__ import annotations

__all__ = [
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


class MedrepError(Exception):
    """Base class of every error medrep raises on purpose."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  hint: {self.hint}"
        return self.message


class UnknownKindError(MedrepError, LookupError):
    """A plugin kind that is not one of the seven kinds."""


class UnknownPluginError(MedrepError, LookupError):
    """A plugin name that no installed plugin registers for its kind."""


class PluginConfigError(MedrepError, ValueError):
    """Configuration that a plugin's configuration model rejects."""


class PluginLoadError(MedrepError, ImportError):
    """A plugin whose module failed to import or whose registration hook raised."""


class PluginConflictError(MedrepError):
    """Two distributions register the same kind and name and neither declares a replacement."""


class MissingDependencyError(MedrepError, ImportError):
    """An optional dependency that the requested plugin needs is not installed."""


class NotFittedError(MedrepError, RuntimeError):
    """A method that needs learned state was called before ``fit`` or ``load``."""


class DataError(MedrepError, ValueError):
    """Input data that cannot be used as given (malformed file, wrong shape, empty corpus)."""
