"""Entry point of the text track: registers its plugins and the ``medrep words`` commands.

Each family lists its built-ins as ``name -> "module:Class"`` in a light ``BUILTINS``
dictionary, so registering them imports no heavy library.
"""

from __future__ import annotations

from typing import Any

from medrep import hookimpl
from medrep_text import embedders, explorers, tokenizers


def _register_all(register: Any, builtins: dict[str, str]) -> None:
    for name, reference in builtins.items():
        register(name, reference)


@hookimpl
def register_tokenizers(register: Any) -> None:
    _register_all(register, tokenizers.BUILTINS)


@hookimpl
def register_embedders(register: Any) -> None:
    _register_all(register, embedders.BUILTINS)


@hookimpl
def register_explorers(register: Any) -> None:
    _register_all(register, explorers.BUILTINS)


@hookimpl
def register_commands(cli: Any) -> None:
    from medrep_text.cli import words

    cli.add_command(words)
