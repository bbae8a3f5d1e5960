"""The ``medrep`` command: core commands plus the groups that installed tracks add."""

from medrep.cli._main import cli, main
from medrep.cli import _plugins  # noqa: E402,F401  (adds the `plugins` command)

__all__ = ["cli", "main"]
