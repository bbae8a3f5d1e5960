"""Building the plugins of a run through the registry, with the run-level options filled in."""

from __future__ import annotations

from typing import Any

import medrep
from medrep_text.pipeline.config import WordsRunConfig

__all__ = ["build_plugin", "plugin_identity", "run_level_options", "explorer_needs_vectors"]

#: Distribution name of medrep's own plugins in the registry.
BUILTIN_DISTRIBUTION = "medrep"

#: Run-level fields given to built-in explorers as options, by registered name: the
#: explorer's option (key) takes the run's field (value) unless the explorer's own options set it.
RUN_LEVEL_OPTIONS: dict[str, dict[str, str]] = {
    "neighbours": {"targets": "targets"},
    "cooccurrence": {"targets": "targets", "entities": "entities"},
    "tsne": {"words": "targets", "entities": "entities"},
    "similarity-benchmark": {"files": "benchmarks"},
    "ngram-lm": {"contexts": "contexts"},
}

#: Built-in explorers that read only the tokens, so a run computes them once per tokenizer.
TOKENS_ONLY_EXPLORERS = {"ngram-lm", "cooccurrence"}


def build_plugin(config: WordsRunConfig, kind: str, name: str, options: dict[str, Any]) -> Any:
    """Build plugin ``name`` with ``options`` plus the run-level values it takes.

    The explorer shortcuts of :data:`RUN_LEVEL_OPTIONS` go only to built-in explorers,
    because a replacement may name its options differently. The run's seed goes to every
    plugin whose Config has a ``seed`` field, and ``options`` win over both. The seed
    needs a second build because only the built plugin shows its Config. Constructors
    only store their configuration, so building twice costs nothing.
    """
    first = {**run_level_options(config, kind, name), **options}
    plugin = medrep.get(kind, name, **first)
    fields = getattr(getattr(type(plugin), "Config", None), "model_fields", {})
    if "seed" in first or "seed" not in fields:
        return plugin
    return medrep.get(kind, name, **first, seed=config.seed)


def run_level_options(config: WordsRunConfig, kind: str, name: str) -> dict[str, Any]:
    """Return the run-level values given to a built-in explorer ``name`` (none for other plugins)."""
    if kind != "explorer" or plugin_identity(kind, name)["distribution"] != BUILTIN_DISTRIBUTION:
        return {}
    values = {}
    for option, field in RUN_LEVEL_OPTIONS.get(name, {}).items():
        value = getattr(config, field)
        if value:
            values[option] = value
    return values


def explorer_needs_vectors(config: WordsRunConfig, label: str) -> bool:
    """Return whether explorer ``label`` runs per combination with vectors, rather than once per tokenizer."""
    choice = config.explorer_choice(label)
    if choice.needs_vectors is not None:
        return choice.needs_vectors
    name = choice.plugin or label
    return name not in TOKENS_ONLY_EXPLORERS or plugin_identity("explorer", name)["distribution"] != BUILTIN_DISTRIBUTION


def plugin_identity(kind: str, name: str) -> dict[str, str]:
    """Return the registered name, distribution and version of the active plugin ``name``.

    These enter the stage keys, so upgrading or replacing a plugin recomputes its stages.
    """
    for info in medrep.plugins():
        if info.kind == kind and info.name == name and info.status == "active":
            return {"name": name, "distribution": info.distribution, "version": info.version}
    # medrep.get has already built this plugin, so it is registered; this covers registrations
    # that medrep.plugins() does not list as active.
    return {"name": name, "distribution": "unknown", "version": "unknown"}
