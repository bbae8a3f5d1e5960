"""The base class shared by the seven plugin kinds."""

from __future__ import annotations

from abc import ABC
from typing import Any, ClassVar

from medrep.config import PluginConfig, validate_config

KINDS: tuple[str, ...] = (
    "preprocessor",
    "augmentation",
    "network",
    "loss",
    "tokenizer",
    "embedder",
    "explorer",
)


class Plugin(ABC):
    """Base class of every plugin.

    A plugin class declares its options in a nested ``Config`` model (a
    :class:`~medrep.config.PluginConfig`). The constructor only validates and stores that
    configuration, as scikit-learn estimators do: work happens in methods, and learned
    state lives in attributes whose names end with ``_``, set by ``fit`` or ``load``.

    Build plugins with ``medrep.get(kind, name, **options)``; calling the class directly
    with keyword options or a ready ``Config`` instance works too.
    """

    kind: ClassVar[str] = ""
    Config: ClassVar[type[PluginConfig]] = PluginConfig

    def __init__(self, config: PluginConfig | None = None, /, **options: Any) -> None:
        if config is not None and options:
            raise TypeError("pass either a Config instance or keyword options, not both")
        if config is None:
            config = validate_config(self.Config, options, owner=self._owner())
        elif not isinstance(config, self.Config):
            config = validate_config(self.Config, config.model_dump(), owner=self._owner())
        self.config = config

    @classmethod
    def _owner(cls) -> str:
        return f"{cls.kind or 'plugin'} {cls.__name__!r}"

    @classmethod
    def contract_config(cls) -> dict[str, Any]:
        """Return options for a small, fast run of :func:`medrep.testing.check_plugin`.

        Plugins whose defaults are slow or need external files (a model name, a large
        vocabulary) override this with options that exercise the same code on small inputs.
        """
        return {}

    def get_params(self) -> dict[str, Any]:
        """Return the validated options as a plain dictionary (JSON-compatible values)."""
        return self.config.model_dump(mode="json")

    def __repr__(self) -> str:
        options = ", ".join(f"{key}={value!r}" for key, value in self.get_params().items())
        return f"{type(self).__name__}({options})"
