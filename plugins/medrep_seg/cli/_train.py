"""``medrep seg train``: train the medrep trainer on a preprocessed dataset."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from medrep_seg._text import count
from medrep_seg.cli import seg


def _pairs(values: tuple[str, ...], option: str) -> dict[str, Any]:
    """Parse repeated ``KEY=VALUE`` options; values are read as JSON, else kept as text."""
    parsed: dict[str, Any] = {}
    for value in values:
        key, separator, text = value.partition("=")
        if not separator or not key.strip():
            raise click.BadParameter(f"expected KEY=VALUE, got {value!r}", param_hint=option)
        try:
            parsed[key.strip()] = json.loads(text)
        except json.JSONDecodeError:
            parsed[key.strip()] = text
    return parsed


def load_options_file(path: str | None) -> dict[str, Any]:
    """Read trainer options from a TOML (its ``[train]`` table, or the whole file) or JSON file."""
    if path is None:
        return {}
    text = Path(path).read_text(encoding="utf-8")
    if path.endswith(".json"):
        return json.loads(text)
    import tomllib

    data = tomllib.loads(text)
    return data.get("train", data)


@seg.command("train")
@click.argument("dataset")
@click.option("--configuration", default="3d_fullres", show_default=True, help="Plans configuration to train.")
@click.option("--plans", "plans_identifier", default="medrepPlans", show_default=True, help="Plans identifier (the plans file name without .json).")
@click.option("--fold", "folds", multiple=True, help="Fold to train: a number or 'all'; repeatable.  [default: every fold of k]")
@click.option("-k", "--folds", "k", type=click.IntRange(min=2), default=None, help="Number of cross-validation folds.  [default: the split `medrep seg plan` wrote, else 5]")
@click.option("--options", "options_file", type=click.Path(exists=True, dir_okay=False), default=None, help="TOML ([train] table) or JSON file of trainer options; flags replace its values.")
@click.option("--epochs", type=click.IntRange(min=1), default=None, help="Epochs.  [default: 1000]")
@click.option("--iterations", "iterations_per_epoch", type=click.IntRange(min=1), default=None, help="Training iterations per epoch.  [default: 250]")
@click.option("--val-iterations", "val_iterations_per_epoch", type=click.IntRange(min=1), default=None, help="Validation batches per epoch.  [default: 50]")
@click.option("--final-validation/--no-final-validation", default=None, help="Predict and score each fold's validation cases after training.  [default: on]")
@click.option("--batch-size", type=click.IntRange(min=1), default=None, help="Patches per batch.  [default: the plan's]")
@click.option("--lr", "initial_lr", type=click.FloatRange(min=0, min_open=True), default=None, help="Initial learning rate (polynomial decay).  [default: 0.01]")
@click.option("--momentum", type=click.FloatRange(min=0, max=1, max_open=True), default=None, help="SGD momentum (Nesterov).  [default: 0.99]")
@click.option("--oversample", "oversample_foreground", type=click.FloatRange(min=0, max=1), default=None, help="Fraction of patches centred on foreground.  [default: 0.33]")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda", "mps"]), default=None, help="Torch device.  [default: auto]")
@click.option("--seed", type=int, default=None, help="Seed of torch, numpy and random.  [default: 0]")
@click.option("--deterministic/--no-deterministic", default=None, help="Deterministic algorithms and reproducible data loading.  [default: off]")
@click.option("--workers", type=click.IntRange(min=0), default=None, help="Data-augmentation worker processes (0: none).  [default: 2]")
@click.option("--threads", type=click.IntRange(min=1), default=None, help="Torch CPU threads.")
@click.option("--keep-freed-memory/--release-freed-memory", default=None, help="On the CPU, reuse freed memory instead of returning it to the system (glibc; faster).  [default: keep]")
@click.option("--network", default=None, help="Network plugin.  [default: plain-unet]")
@click.option("--network-option", "network_options", multiple=True, metavar="KEY=VALUE", help="Option of the network plugin (JSON value); repeatable.")
@click.option("--loss", default=None, help="Loss plugin.  [default: dice-ce]")
@click.option("--loss-option", "loss_options", multiple=True, metavar="KEY=VALUE", help="Option of the loss plugin (JSON value); repeatable.")
@click.option("--resume", is_flag=True, help="Continue each fold from its latest checkpoint.")
@click.option("--gpus", type=click.IntRange(min=1), default=1, show_default=True, help="CUDA devices per fold (more than 1 uses nnU-Net's DDP).")
@click.option("--postprocessing/--no-postprocessing", default=True, show_default=True, help="Decide keep-largest-component post-processing on the validated folds.")
def train_command(
    dataset: str, configuration: str, plans_identifier: str, folds: tuple[str, ...], k: int | None,
    options_file: str | None, network_options: tuple[str, ...], loss_options: tuple[str, ...], resume: bool,
    gpus: int, postprocessing: bool, **flags: Any,
) -> None:
    """Train DATASET (name or id) with nnU-Net and medrep's network, loss and augmentations.

    A CPU smoke test of under a minute, after `medrep seg plan 501 --folds 4` and
    `medrep seg preprocess 501`:

    \b
        medrep seg train 501 --fold 0 --epochs 1 --iterations 3 --val-iterations 1 --no-final-validation
    """
    from medrep_seg.nnunet.training import train

    options = load_options_file(options_file)
    # A run configuration's [train] table also names the folds and whether to resume.
    file_folds = options.pop("fold", None)
    resume = resume or bool(options.pop("resume", False))
    if not folds and file_folds is not None:
        folds = tuple(file_folds) if isinstance(file_folds, list) else (file_folds,)
    names = {"network": flags.pop("network"), "loss": flags.pop("loss")}
    extras = {"network": network_options, "loss": loss_options}
    options.update({key: value for key, value in flags.items() if value is not None})
    if k is not None:
        options["folds"] = k
    for kind, default in (("network", "plain-unet"), ("loss", "dice-ce")):
        spec = dict(options.get(kind, {}))
        if names[kind] is not None:
            spec["name"] = names[kind]
        if extras[kind]:
            spec["options"] = {**spec.get("options", {}), **_pairs(extras[kind], f"--{kind}-option")}
        if spec:
            spec.setdefault("name", default)
            options[kind] = spec

    result = train(
        dataset, configuration=configuration, folds=list(folds) or None, options=options,
        plans_identifier=plans_identifier, resume=resume, gpus=gpus, postprocessing=postprocessing,
    )
    for fold in result.folds:
        dice = f"{fold.validation_dice:.4f}" if fold.validation_dice is not None else "-"
        click.echo(f"fold {fold.fold}: {count(fold.epochs, 'epoch')}, validation Dice {dice}, {fold.folder}")
    click.echo(f"model: {result.model_folder}")
