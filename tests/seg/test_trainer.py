"""The medrep trainer on nnunetv2: options, plugins from the registry, folds, resume, logs."""

from __future__ import annotations

import csv
import logging
import shutil
from pathlib import Path

import click
import pytest
import torch
from click.testing import CliRunner

import medrep
from medrep.errors import DataError
from medrep.kinds import Loss
from tests.seg.synthetic_nnunet import prepare_dataset

SHORT = {
    "epochs": 2,
    "iterations_per_epoch": 2,
    "val_iterations_per_epoch": 1,
    "workers": 0,
    "folds": 2,
    "threads": 1,
    "final_validation": False,
}


@pytest.fixture(scope="module")
def dataset() -> str:
    return prepare_dataset(911, "TrainerSpheres", cases=4, empty_cases=(3,))


def read_log(folder: Path) -> list[dict[str, str]]:
    with (folder / "epoch_log.csv").open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def test_fold_trains_and_writes_logs(dataset: str, caplog: pytest.LogCaptureFixture) -> None:
    from medrep_seg.nnunet.trainer import load_checkpoint_file
    from medrep_seg.nnunet.training import train

    with caplog.at_level(logging.INFO, logger="medrep_seg"):
        result = train(dataset, folds=0, options={**SHORT, "final_validation": True, "validation_mirroring": False})
    folder = result.folds[0].folder
    rows = read_log(folder)
    checkpoint = load_checkpoint_file(folder / "checkpoint_final.pth")

    assert [row["epoch"] for row in rows] == ["0", "1"]
    assert all(float(row["train_loss"]) == float(row["train_loss"]) for row in rows)
    assert (folder / "progress.png").stat().st_size > 0
    assert checkpoint["current_epoch"] == 2
    assert checkpoint["trainer_name"] == "MedrepTrainer"
    assert (folder / "validation" / "summary.json").is_file()
    assert result.folds[0].validation_dice is not None
    assert (result.model_folder / "plans.json").is_file()
    assert sum("fold 0 epoch" in record.getMessage() for record in caplog.records) == 2


def test_case_without_foreground_noted_once(dataset: str, caplog: pytest.LogCaptureFixture) -> None:
    from medrep_seg.nnunet.training import train

    with caplog.at_level(logging.INFO, logger="medrep_seg.nnunet.trainer"):
        train(dataset, postprocessing=False, folds="all", options={**SHORT, "epochs": 1})
    notes = [r for r in caplog.records if "no foreground voxels" in r.getMessage()]

    assert len(notes) == 1
    assert notes[0].levelno == logging.INFO
    assert "case03" in notes[0].getMessage()


def test_options_reach_nnunet_trainer(dataset: str) -> None:
    from medrep_seg.nnunet.options import TrainerOptions
    from medrep_seg.nnunet.training import build_trainer

    options = TrainerOptions(
        epochs=7, iterations_per_epoch=3, batch_size=3, initial_lr=0.05, momentum=0.9, nesterov=False,
        oversample_foreground=0.5, folds=2, workers=0,
    )
    trainer = build_trainer(dataset, "3d_fullres", 1, options)
    trainer.initialize()

    assert trainer.num_epochs == 7
    assert trainer.num_iterations_per_epoch == 3
    assert trainer.batch_size == 3
    assert trainer.oversample_foreground_percent == 0.5
    assert trainer.optimizer.param_groups[0]["momentum"] == 0.9
    assert trainer.optimizer.param_groups[0]["nesterov"] is False
    assert trainer.optimizer.param_groups[0]["lr"] == 0.05
    assert set(trainer.my_init_kwargs) >= {"plans", "configuration", "fold", "dataset_json", "device"}


class ConstantLoss(Loss):
    """A third-party loss: a constant 5 plus a zero multiple of the logits (so it has gradients)."""

    def build(self, deep_supervision_weights=None, is_regions=False, ignore_label=None, batch_dice=False):
        class Module(torch.nn.Module):
            def forward(self, output, target):
                first = output[0] if isinstance(output, list | tuple) else output
                return first.sum() * 0.0 + 5.0

        return Module()


def test_third_party_loss_is_trained(dataset: str) -> None:
    from medrep_seg.nnunet.training import train

    medrep.register("loss", "dice-ce", ConstantLoss, replace=True)
    try:
        result = train(dataset, postprocessing=False, folds=1, options={**SHORT, "epochs": 1})
    finally:
        medrep.unregister("loss", "dice-ce")
    rows = read_log(result.folds[0].folder)

    assert float(rows[0]["train_loss"]) == pytest.approx(5.0)
    assert float(rows[0]["val_loss"]) == pytest.approx(5.0)


def test_resume_matches_uninterrupted_run(dataset: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from medrep_seg.nnunet.trainer import MedrepTrainer, load_checkpoint_file
    from medrep_seg.nnunet.training import model_folder, train

    options = {**SHORT, "deterministic": True, "seed": 3}
    folder = model_folder(dataset, "3d_fullres") / "fold_0"
    shutil.rmtree(folder, ignore_errors=True)
    train(dataset, postprocessing=False, folds=0, options=options)
    uninterrupted = load_checkpoint_file(folder / "checkpoint_final.pth")
    shutil.rmtree(folder)

    original = MedrepTrainer.on_epoch_end

    def stop_after_first_epoch(self: MedrepTrainer) -> None:
        original(self)
        if self.current_epoch == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(MedrepTrainer, "on_epoch_end", stop_after_first_epoch)
    with pytest.raises(KeyboardInterrupt):
        train(dataset, postprocessing=False, folds=0, options=options)
    monkeypatch.setattr(MedrepTrainer, "on_epoch_end", original)
    latest = load_checkpoint_file(folder / "checkpoint_latest.pth")
    train(dataset, postprocessing=False, folds=0, options=options, resume=True)
    resumed = load_checkpoint_file(folder / "checkpoint_final.pth")

    assert latest["current_epoch"] == 1
    assert "medrep_rng_state" in latest
    assert [row["epoch"] for row in read_log(folder)] == ["0", "1"]
    for key, value in uninterrupted["network_weights"].items():
        assert torch.equal(value, resumed["network_weights"][key]), key


def test_more_folds_than_cases_rejected(dataset: str) -> None:
    from medrep_seg.nnunet.training import train

    with pytest.raises(DataError, match="5-fold cross-validation needs at least 5 training cases") as error:
        train(dataset, postprocessing=False, folds=0, options={**SHORT, "folds": 5})

    assert "4 or fewer" in error.value.hint


@pytest.fixture
def cli() -> click.Group:
    """The root ``medrep`` command with the ``seg`` group added, as ``medrep``'s entry point does."""
    from medrep.cli import cli as root
    from medrep_seg.cli import seg

    root.add_command(seg)
    return root


def test_k_defaults_to_planned_split(dataset: str, cli: click.Group) -> None:
    """The fixture's plan wrote a 2-fold split of 4 cases: without -k, train uses k = 2, not 5."""
    from medrep_seg.nnunet.paths import nnunet_folders

    splits = nnunet_folders().preprocessed / dataset / "splits_final.json"
    before = splits.read_text(encoding="utf-8")
    arguments = ["-q", "seg", "train", dataset, "--fold", "1", "--epochs", "1", "--iterations", "1",
                 "--val-iterations", "1", "--no-final-validation", "--workers", "0", "--threads", "1", "--no-postprocessing"]

    result = CliRunner().invoke(cli, arguments)

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("fold 1: 1 epoch, validation Dice -, ")
    assert splits.read_text(encoding="utf-8") == before


def test_cli_folds_flag_sets_k(dataset: str, cli: click.Group) -> None:
    result = CliRunner().invoke(cli, ["-q", "seg", "train", dataset, "--fold", "0", "--folds", "5"])

    assert result.exit_code == 1
    assert "error: 5-fold cross-validation needs at least 5 training cases" in result.output
    assert "hint: set folds (-k/--folds) to 4 or fewer" in result.output


def test_fold_outside_k_rejected(dataset: str) -> None:
    from medrep_seg.nnunet.training import parse_folds

    assert parse_folds(None, 3) == [0, 1, 2]
    assert parse_folds("0,all", 3) == [0, "all"]
    with pytest.raises(DataError, match="fold 3 does not exist"):
        parse_folds(3, 3)


def test_nnunet_finds_trainer_by_name() -> None:
    from medrep_seg.nnunet.trainer import MedrepTrainer, expose_to_nnunet
    from nnunetv2.utilities.find_objects import recursive_find_trainer_class_by_name

    expose_to_nnunet()
    found = recursive_find_trainer_class_by_name("MedrepTrainer")

    assert found is MedrepTrainer
