"""Where medrep keeps its files, and the switches of the plugin loader.

One pydantic settings model holds every location. Values come, in increasing priority,
from the defaults below, ``MEDREP_*`` environment variables, and :func:`configure`
(which the CLI's ``--workdir`` calls). nnU-Net's own path variables are derived from
these settings by the segmentation track; users never export them.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings", "configure"]


def _default_workdir() -> Path:
    return Path.home() / ".medrep"


class Settings(BaseSettings):
    """medrep's locations and plugin-loading switches.

    Every field can be set through an environment variable named ``MEDREP_<FIELD>``, for
    example ``MEDREP_WORKDIR=/scratch/medrep``.
    """

    model_config = SettingsConfigDict(env_prefix="MEDREP_", extra="forbid", validate_assignment=True)

    workdir: Path = Field(default_factory=_default_workdir, description="root of everything medrep writes by default")
    cache_dir: Path | None = Field(default=None, description="stage cache of the pipelines; default: WORKDIR/cache")
    data_home: Path | None = Field(
        default=None, description="data medrep provides itself, such as NLTK Punkt tables; default: WORKDIR/data"
    )
    nnunet_dir: Path | None = Field(
        default=None, description="nnU-Net raw, preprocessed and results folders; default: WORKDIR/nnunet"
    )
    strict_plugins: bool = Field(default=False, description="raise at load time when a plugin fails to import")
    plugin_autoload: bool = Field(default=True, description="load third-party plugins from entry points")
    prefer: dict[str, str] = Field(
        default_factory=dict,
        description='which distribution wins a name clash, as {"kind:name": "distribution"}',
    )

    @property
    def cache_path(self) -> Path:
        """Stage cache directory."""
        return self.cache_dir or self.workdir / "cache"

    @property
    def data_path(self) -> Path:
        """Directory for data medrep provides itself."""
        return self.data_home or self.workdir / "data"

    @property
    def nnunet_path(self) -> Path:
        """Parent of nnU-Net's ``nnUNet_raw``, ``nnUNet_preprocessed`` and ``nnUNet_results``."""
        return self.nnunet_dir or self.workdir / "nnunet"


_lock = threading.Lock()
_current: Settings | None = None


def get_settings() -> Settings:
    """Return the active settings, reading the environment on first use."""
    global _current
    with _lock:
        if _current is None:
            _current = Settings()
        return _current


def configure(**overrides: Any) -> Settings:
    """Replace settings fields for this process (``None`` values are ignored) and return them.

    ``configure()`` with no arguments re-reads the environment.
    """
    global _current
    values = {key: value for key, value in overrides.items() if value is not None}
    with _lock:
        # Keyword arguments take priority over MEDREP_* environment variables.
        _current = Settings(**values)
        return _current
