"""The ``medrep`` command: core commands plus the groups that installed tracks add."""

from medrep.cli._main import cli, main

__all__ = ["cli", "main"]
