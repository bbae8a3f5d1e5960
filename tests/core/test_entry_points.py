"""Third-party distributions: failures, conflicts, replacements, preferences, autoload."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import medrep
from medrep._registry import registry
from medrep.cli import cli

BROKEN = """
raise ImportError("needs the package 'missing_dependency_xyz'")
"""

CLASHING = """
import medrep
from medrep.kinds import Tokenizer


class SharedTokenizer(Tokenizer):
    '''Whitespace tokenizer from {dist}.'''

    def tokenize(self, text):
        return text.split()


@medrep.hookimpl
def register_tokenizers(register):
    register("shared-test", SharedTokenizer)
"""

SGNS_CLAIM = """
import medrep
from medrep.kinds import Embedder


class OtherSgns(Embedder):
    '''Skip-gram from a third party.'''

    def fit(self, documents):
        return None


@medrep.hookimpl
def register_embedders(register):
    register("sgns", OtherSgns{replaces})
"""

COMMAND = """
import click
import medrep


@medrep.hookimpl
def register_commands(cli):
    @cli.command("boom-test")
    def boom():
        raise medrep.DataError("the corpus file is empty", hint="pass a non-empty file")
"""


def test_broken_distribution_does_not_break_medrep(make_distribution) -> None:
    make_distribution("broken-plugin", "broken_plugin_mod", BROKEN)

    assert "tokenizer" in medrep.available()
    failures = registry.failures
    assert [f.distribution for f in failures] == ["broken-plugin"]
    assert "missing_dependency_xyz" in failures[0].error

    result = CliRunner().invoke(cli, ["plugins"])
    assert result.exit_code == 0
    assert "Failed to load" in result.output
    assert "broken-plugin 1.0" in result.output
    assert "missing_dependency_xyz" in result.output


def test_broken_distribution_cause_reaches_get(make_distribution) -> None:
    make_distribution("broken-plugin", "broken_plugin_mod2", BROKEN)

    with pytest.raises(medrep.UnknownPluginError) as info:
        medrep.get("tokenizer", "from-broken")

    assert "broken-plugin 1.0" in str(info.value)
    assert isinstance(info.value.__cause__, ImportError)


def test_strict_mode_raises_on_broken_distribution(make_distribution, monkeypatch) -> None:
    make_distribution("broken-plugin", "broken_plugin_mod3", BROKEN)
    monkeypatch.setenv("MEDREP_STRICT_PLUGINS", "1")
    medrep.configure()

    with pytest.raises(medrep.PluginLoadError, match="broken-plugin"):
        medrep.available("tokenizer")


def test_two_distributions_same_name_conflict(make_distribution) -> None:
    make_distribution("alpha-plugin", "alpha_plugin_mod", CLASHING.format(dist="alpha"))
    make_distribution("beta-plugin", "beta_plugin_mod", CLASHING.format(dist="beta"))

    with pytest.raises(medrep.PluginConflictError) as info:
        medrep.get("tokenizer", "shared-test")

    message = str(info.value)
    assert "alpha-plugin" in message
    assert "beta-plugin" in message
    statuses = {i.distribution: i.status for i in medrep.plugins() if i.name == "shared-test"}
    assert statuses == {"alpha-plugin": "conflict", "beta-plugin": "conflict"}


def test_preference_resolves_conflict(make_distribution, monkeypatch) -> None:
    make_distribution("alpha-plugin", "alpha_plugin_mod2", CLASHING.format(dist="alpha"))
    make_distribution("beta-plugin", "beta_plugin_mod2", CLASHING.format(dist="beta"))
    monkeypatch.setenv("MEDREP_PREFER", '{"tokenizer:shared-test": "beta-plugin"}')
    medrep.configure()

    tokenizer = medrep.get("tokenizer", "shared-test")

    assert "beta" in type(tokenizer).__doc__


def test_same_entry_point_twice_is_not_a_conflict(make_distribution, tmp_path, monkeypatch) -> None:
    site = make_distribution("alpha-plugin", "alpha_plugin_mod3", CLASHING.format(dist="alpha"))
    twin = tmp_path / "editable-twin"
    twin.mkdir()
    for item in site.iterdir():
        (twin / item.name).symlink_to(item)
    monkeypatch.syspath_prepend(str(twin))
    registry.reset()

    assert medrep.get("tokenizer", "shared-test").tokenize("a b") == ["a", "b"]


def test_autoload_off_skips_third_party(make_distribution, monkeypatch) -> None:
    make_distribution("alpha-plugin", "alpha_plugin_mod4", CLASHING.format(dist="alpha"))
    monkeypatch.setenv("MEDREP_PLUGIN_AUTOLOAD", "false")
    medrep.configure()

    assert "shared-test" not in medrep.available("tokenizer")


def test_undeclared_builtin_clash_is_conflict(make_distribution) -> None:
    make_distribution("other-sgns", "other_sgns_mod", SGNS_CLAIM.format(replaces=""))

    with pytest.raises(medrep.PluginConflictError) as info:
        medrep.get("embedder", "sgns")

    message = str(info.value)
    assert "other-sgns" in message
    assert "medrep" in message


def test_declared_replacement_is_active_and_listed(make_distribution) -> None:
    make_distribution("other-sgns", "other_sgns_mod2", SGNS_CLAIM.format(replaces=", replaces=True"))

    embedder = medrep.get("embedder", "sgns")

    assert type(embedder).__name__ == "OtherSgns"
    result = CliRunner().invoke(cli, ["plugins", "--kind", "embedder", "sgns"])
    lines = [line for line in result.output.splitlines() if " sgns " in f" {line} "]
    assert any("other-sgns" in line and "active" in line and "replaces medrep" in line for line in lines)
    assert any(line.split()[2] == "medrep" and "replaced" in line for line in lines)


def test_track_command_errors_are_one_line(make_distribution) -> None:
    from medrep.cli._main import _add_track_commands

    make_distribution("command-plugin", "command_plugin_mod", COMMAND)
    _add_track_commands(cli)

    result = CliRunner().invoke(cli, ["boom-test"])
    assert result.exit_code == 1
    assert result.output.splitlines() == ["error: the corpus file is empty", "hint: pass a non-empty file"]

    verbose = CliRunner().invoke(cli, ["--verbose", "boom-test"])
    assert isinstance(verbose.exception, medrep.DataError)


def test_failures_listed_under_kind_filter(make_distribution) -> None:
    make_distribution("broken-plugin", "broken_plugin_mod4", BROKEN)

    result = CliRunner().invoke(cli, ["plugins", "--kind", "tokenizer"])

    assert "Failed to load" in result.output
    assert "broken-plugin 1.0" in result.output


def test_hook_accepts_replace_spelling(make_distribution) -> None:
    make_distribution("other-sgns", "other_sgns_mod3", SGNS_CLAIM.format(replaces=", replace=True"))

    assert type(medrep.get("embedder", "sgns")).__name__ == "OtherSgns"
