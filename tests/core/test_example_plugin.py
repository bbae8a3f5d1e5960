"""The worked third-party plugin under examples/, installed for real with pip."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import medrep
from medrep._registry import registry
from medrep.cli import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "medrep-example-plugin"


@pytest.fixture(scope="module")
def installed_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Install the example with pip into a private target folder (not on sys.path yet)."""
    target = tmp_path_factory.mktemp("example-site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(EXAMPLE)],
        check=True,
    )
    return target


def test_example_plugin_found_listed_and_removable(installed_example: Path, fresh_registry: None, monkeypatch: pytest.MonkeyPatch) -> None:
    builtin_regex = medrep.get("tokenizer", "regex")

    monkeypatch.syspath_prepend(str(installed_example))
    registry.reset()

    tokenizer = medrep.get("tokenizer", "char-ngrams", n=3)
    assert tokenizer.tokenize("IL-6 levels") == ["<il", "il-", "l-6", "-6>", "<le", "lev", "eve", "vel", "els", "ls>"]
    replacement = medrep.get("tokenizer", "regex")
    assert type(replacement).__name__ == "StopwordRegexTokenizer"
    assert replacement.tokenize("The levels of IL") == ["levels", "il"]

    output = CliRunner().invoke(cli, ["plugins", "--kind", "tokenizer"]).output
    rows = {(line.split()[1], line.split()[2]): line for line in output.splitlines()[1:]}
    assert "active" in rows[("char-ngrams", "medrep-example-plugin")]
    assert "replaces medrep regex" in rows[("regex", "medrep-example-plugin")]
    assert "replaced by medrep-example-plugin" in rows[("regex", "medrep")]

    monkeypatch.undo()
    registry.reset()
    assert "char-ngrams" not in medrep.available("tokenizer")
    assert type(medrep.get("tokenizer", "regex")) is type(builtin_regex)
