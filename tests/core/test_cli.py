"""The core ``medrep`` command."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

import medrep
from medrep.cli import cli


def test_version_matches_package() -> None:
    result = CliRunner().invoke(cli, ["--version"])

    assert result.exit_code == 0
    assert result.output.strip() == f"medrep, version {medrep.__version__}"


def test_plugins_filters_by_kind_and_pattern(fresh_registry: None) -> None:
    from tests.core.test_registry import CaseTokenizer

    medrep.register("tokenizer", "glob-alpha", CaseTokenizer)
    medrep.register("tokenizer", "glob-beta", CaseTokenizer)
    medrep.register("explorer", "glob-gamma", CaseTokenizer)

    result = CliRunner().invoke(cli, ["plugins", "--kind", "tokenizer", "glob-*"])

    assert result.exit_code == 0
    rows = result.output.splitlines()[1:]
    assert [row.split()[1] for row in rows] == ["glob-alpha", "glob-beta"]
    assert all(row.split()[0] == "tokenizer" for row in rows)
    assert "Whitespace tokenizer used to test the registry." in rows[0]


def test_plugins_options_lists_fields(fresh_registry: None) -> None:
    from tests.core.test_registry import CaseTokenizer

    medrep.register("tokenizer", "options-test", CaseTokenizer)

    result = CliRunner().invoke(cli, ["plugins", "--options", "options-test"])

    assert "lowercase: bool, default True  lower-case tokens" in result.output
    assert "min_length: int, default 1  shortest token kept" in result.output


def test_console_script_runs() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "medrep", "--version"], capture_output=True, text=True, check=False
    )

    assert completed.returncode == 0, completed.stderr
    assert medrep.__version__ in completed.stdout


def test_workdir_option_configures_settings(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["--workdir", str(tmp_path), "plugins", "--kind", "loss"])

    assert result.exit_code == 0
    assert medrep.get_settings().workdir == tmp_path
    medrep.configure()


def test_plugins_options_spell_literal_values() -> None:
    result = CliRunner().invoke(cli, ["plugins", "--options", "--kind", "embedder", "ngram"])

    assert "weighting: 'ppmi' | 'conditional', default 'ppmi'" in result.output
