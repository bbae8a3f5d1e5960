"""Entry point of the segmentation track: registers its plugins and ``medrep seg``.

Each family lists its built-ins as ``name -> "module:Class"`` in a light ``BUILTINS``
dictionary, so registering them imports neither torch nor nnunetv2.
"""

from __future__ import annotations

from typing import Any

from medrep import hookimpl
from medrep_seg import augmentations, losses, networks, preprocessors


def _register_all(register: Any, builtins: dict[str, str]) -> None:
    for name, reference in builtins.items():
        register(name, reference)


@hookimpl
def register_preprocessors(register: Any) -> None:
    _register_all(register, preprocessors.BUILTINS)


@hookimpl
def register_augmentations(register: Any) -> None:
    _register_all(register, augmentations.BUILTINS)


@hookimpl
def register_networks(register: Any) -> None:
    _register_all(register, networks.BUILTINS)


@hookimpl
def register_losses(register: Any) -> None:
    _register_all(register, losses.BUILTINS)


@hookimpl
def register_commands(cli: Any) -> None:
    from medrep_seg.cli import seg

    cli.add_command(seg)
