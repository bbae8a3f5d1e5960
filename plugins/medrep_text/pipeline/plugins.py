"""Building the plugins of a run through the registry, with the run-level options filled in."""

from __future__ import annotations

from typing import Any

import medrep
from medrep_text.pipeline.config import WordsRunConfig

__all__ = ["build_plugin", "plugin_identity", "run_level_options", "explorer_needs_vectors"]

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


def build_plugin(kind: str, name: str, options: dict[str, Any], defaults: dict[str, Any]) -> Any:
    """Build a plugin with ``options``, adding each of ``defaults`` that its Config declares and ``options`` leaves unset.

    The plugin is built first with ``options`` alone, which validates them and shows which
    fields its Config has; constructors only store their configuration, so building twice
    costs nothing.
    """
    plugin = medrep.get(kind, name, **options)
    fields = type(plugin).Config.model_fields
    extra = {key: value for key, value in defaults.items() if key in fields and key not in options}
    if not extra:
        return plugin
    return medrep.get(kind, name, **options, **extra)


def run_level_options(config: WordsRunConfig, kind: str, name: str) -> dict[str, Any]:
    """Return the run-level values offered to plugin ``name``: the seed, plus the explorer shortcuts."""
    defaults: dict[str, Any] = {"seed": config.seed}
    if kind == "explorer":
        for option, field in RUN_LEVEL_OPTIONS.get(name, {}).items():
            value = getattr(config, field)
            if value:
                defaults[option] = value
    return defaults


def explorer_needs_vectors(config: WordsRunConfig, label: str) -> bool:
    """Whether explorer ``label`` runs per combination with vectors (else once per tokenizer)."""
    choice = config.explorer_choice(label)
    if choice.needs_vectors is not None:
        return choice.needs_vectors
    return (choice.plugin or label) not in TOKENS_ONLY_EXPLORERS


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
