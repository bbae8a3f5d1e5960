"""Hook specifications: the extension points a medrep plugin distribution implements.

A distribution lists a module in the ``medrep`` entry-point group; that module defines
functions decorated with ``medrep.hookimpl`` whose names match the specifications below.
Each ``register_<kind>s`` hook receives a ``register`` callback::

    register(name, factory, *, replaces=False, description=None)

- ``name``: the plugin's name within its kind (lower case, words joined by ``-``).
- ``factory``: the plugin class, or a ``"package.module:ClassName"`` string that medrep
  imports only when the plugin is first built, so that listing plugins stays cheap.
- ``replaces``: ``True`` to declare that this plugin replaces a built-in of the same name.
  Without it, a name clash is an error that names both distributions.
- ``description``: one line for ``medrep plugins``; default: the class docstring's first line.
"""

from __future__ import annotations

from typing import Any, Callable

import pluggy

PROJECT = "medrep"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

Register = Callable[..., None]


@hookspec
def register_preprocessors(register: Register) -> None:
    """Register ``preprocessor`` plugins: transforms of one imaging case."""


@hookspec
def register_augmentations(register: Register) -> None:
    """Register ``augmentation`` plugins: random transforms of training patches."""


@hookspec
def register_networks(register: Register) -> None:
    """Register ``network`` plugins: builders of segmentation networks."""


@hookspec
def register_losses(register: Register) -> None:
    """Register ``loss`` plugins: builders of training objectives."""


@hookspec
def register_tokenizers(register: Register) -> None:
    """Register ``tokenizer`` plugins: text to tokens."""


@hookspec
def register_embedders(register: Register) -> None:
    """Register ``embedder`` plugins: tokens to word vectors."""


@hookspec
def register_explorers(register: Register) -> None:
    """Register ``explorer`` plugins: word vectors to tables and figures."""


@hookspec
def register_commands(cli: Any) -> None:
    """Add command groups to the ``medrep`` command; ``cli`` is the root click group."""


#: The hook that registers each kind.
KIND_HOOKS: dict[str, str] = {
    "preprocessor": "register_preprocessors",
    "augmentation": "register_augmentations",
    "network": "register_networks",
    "loss": "register_losses",
    "tokenizer": "register_tokenizers",
    "embedder": "register_embedders",
    "explorer": "register_explorers",
}
