"""Help text of the `medrep seg` commands: the group lists every command, train and plan share -k/--folds."""

from __future__ import annotations

import click
from click.testing import CliRunner

from medrep_seg.cli import seg


def test_group_summary_lists_every_command() -> None:
    summary = seg.help.split("\n\n")[0]
    listed = {name.strip(" .") for name in summary.split(":", 1)[1].split(",")}

    assert listed == set(seg.commands)


def test_plan_and_train_share_folds_flag() -> None:
    for name in ("plan", "train"):
        options = {option for param in seg.commands[name].params if isinstance(param, click.Option) for option in param.opts}

        assert {"-k", "--folds"} <= options, name


def test_train_help_example_is_short() -> None:
    result = CliRunner().invoke(seg, ["train", "--help"])

    assert result.exit_code == 0, result.output
    assert "medrep seg train 501 --fold 0 --epochs 1 --iterations 3 --val-iterations 1 --no-final-validation" in result.output
