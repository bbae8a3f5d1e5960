"""``medrep seg convert | check | plan | preprocess | show``: the data side of the track."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click

from medrep_seg.cli import seg

LAYOUTS = ["auto", "case-folder", "brats2021", "brats2023", "msd", "nnunet", "glob"]


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    """Parse repeated ``KEY=VALUE`` options, keeping their order."""
    parsed = {}
    for value in values:
        key, separator, text = value.partition("=")
        if not separator or not key or not text:
            raise click.BadParameter(f"expected KEY=VALUE, got {value!r}", param_hint=option)
        parsed[key.strip()] = text.strip()
    return parsed


def _labels(value: str | None) -> str | list[int] | None:
    if value is None or not value.replace(",", "").replace(" ", "").isdigit():
        return value
    return [int(part) for part in value.split(",") if part.strip()]


def source_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the options that describe a source dataset (its layout, channels, labels, tolerances)."""
    options = [
        click.option("--layout", type=click.Choice(LAYOUTS), default="auto", show_default=True, help="Source layout; 'auto' recognises all but 'glob'."),
        click.option("--channels", default=None, help="Case-folder and BraTS layouts: channel suffixes in order, comma-separated (default: fld; BraTS: all four)."),
        click.option("--modality", "modalities", multiple=True, metavar="SUFFIX=NAME", help="Channel name for a suffix (default table: fld=FLAIR, t1c=T1c, ...); repeatable."),
        click.option("--channel-glob", "channel_globs", multiple=True, metavar="NAME=PATTERN", help="Glob layout: pattern of one channel inside each case folder; repeatable, in channel order."),
        click.option("--label-glob", default=None, help="Glob layout: pattern of the label file."),
        click.option("--mask-glob", default=None, help="Glob layout: pattern of the brain mask file."),
        click.option("--label-suffix", default="seg", show_default=True, help="Case-folder layout: suffix of the label file."),
        click.option("--mask-suffix", default="brainmask", show_default=True, help="Case-folder layout: suffix of the brain mask file (used when present)."),
        click.option("--labels", default=None, help="Declared source labels: binary, brats2015, brats2021, brats2023, or values such as 0,1,2 (default: a BraTS layout's release, a dataset.json's labels, else binary)."),
        click.option("--tolerance-mm", type=click.FloatRange(min=0), default=1e-3, show_default=True, help="Tolerance on spacings and origins, in mm."),
        click.option("--direction-tolerance", type=click.FloatRange(min=0), default=1e-4, show_default=True, help="Tolerance on direction cosines."),
        click.option("--resample-to-label", is_flag=True, help="Resample channels on another grid onto the label's grid (cubic spline)."),
        click.option("--copy-image-geometry", is_flag=True, help="Give a label with the image's shape but another affine the image's affine."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def build_spec(options: dict[str, Any], target: str = "whole-tumour") -> Any:
    """Return the DatasetSpec that the source options describe."""
    from medrep_seg.dataset import DatasetSpec

    channels = [part.strip() for part in options["channels"].split(",") if part.strip()] if options["channels"] else None
    return DatasetSpec(
        layout=options["layout"],
        channels=channels,
        modality_names=_pairs(options["modalities"], "--modality"),
        channel_globs=_pairs(options["channel_globs"], "--channel-glob"),
        label_glob=options["label_glob"],
        mask_glob=options["mask_glob"],
        label_suffix=options["label_suffix"],
        mask_suffix=options["mask_suffix"] or None,
        labels=_labels(options["labels"]),
        target=target,
        tolerance_mm=options["tolerance_mm"],
        direction_tolerance=options["direction_tolerance"],
        resample_to_label=options["resample_to_label"],
        copy_image_geometry=options["copy_image_geometry"],
    )


@seg.command("convert")
@click.argument("source", type=click.Path(exists=True, file_okay=False))
@click.argument("destination")
@source_options
@click.option("--target", type=click.Choice(["whole-tumour", "regions", "classes"]), default="whole-tumour", show_default=True, help="What the labels become: one foreground class, BraTS regions, or one class per declared value.")
@click.option("--overwrite", is_flag=True, help="Replace an existing dataset folder.")
def convert(source: str, destination: str, target: str, overwrite: bool, **options: Any) -> None:
    """Check SOURCE and convert it to the nnU-Net v2 raw dataset DESTINATION (DatasetNNN_Name or a path)."""
    from medrep_seg.dataset import convert_dataset

    result = convert_dataset(source, destination, build_spec(options, target), overwrite=overwrite)
    dataset = result.report.dataset
    click.echo(f"converted {result.num_cases} case(s) ({dataset.layout} layout, channels: {', '.join(dataset.channel_names)}) to {result.path}")


@seg.command("check")
@click.argument("source", type=click.Path(exists=True, file_okay=False))
@source_options
def check(source: str, **options: Any) -> None:
    """Check every case of SOURCE (any layout convert reads, or an nnU-Net raw dataset); exit 1 if any fails."""
    from medrep_seg.dataset import check_dataset

    report = check_dataset(source, build_spec(options))
    dataset = report.dataset
    for problem in report.problems:
        click.echo(str(problem))
    failed = len(report.failed_cases)
    click.echo(f"{len(dataset.cases) - failed} of {len(dataset.cases)} case(s) passed ({dataset.layout} layout, channels: {', '.join(dataset.channel_names)})")
    if failed:
        click.echo(f"hint: {report.hint}")
        sys.exit(1)


def _settings(values: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Parse ``--set NAME.OPTION=VALUE`` into options per preprocessor (values read as JSON, else text)."""
    parsed: dict[str, dict[str, Any]] = {}
    for key, text in _pairs(values, "--set").items():
        name, separator, option = key.partition(".")
        if not separator or not option:
            raise click.BadParameter(f"expected NAME.OPTION=VALUE, got {key!r}", param_hint="--set")
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = text
        parsed.setdefault(name, {})[option] = value
    return parsed


@seg.command("plan")
@click.argument("dataset")
@click.option("--memory-budget", type=click.FloatRange(min=0, min_open=True), default=8.0, show_default=True, help="Memory (GB) nnU-Net sizes patches and batches for; 0.5 to 1 suits CPU training.")
@click.option("-k", "--folds", type=click.IntRange(min=0), default=5, show_default=True, help="Cross-validation folds written to splits_final.json (train's default k); 0 for none.")
@click.option("--preprocessors", default="crop,zscore,resample", show_default=True, help="Preprocessor chain: registered names, comma-separated, in order.")
@click.option("--set", "settings", multiple=True, metavar="NAME.OPTION=VALUE", help="Option of a preprocessor in the chain (value read as JSON), e.g. crop.margin=2; repeatable.")
@click.option("--target-spacing", default=None, help="3-D target spacing in mm, comma-separated (default: nnU-Net's choice).")
@click.option("--planner", type=click.Choice(["plain", "resenc"]), default="plain", show_default=True, help="nnU-Net planner: plain U-Net or residual-encoder U-Net.")
@click.option("--processes", type=click.IntRange(min=1), default=None, help="Worker processes for the fingerprint (default: the medrep nnU-Net option).")
def plan(dataset: str, memory_budget: float, folds: int, preprocessors: str, settings: tuple[str, ...], target_spacing: str | None, planner: str, processes: int | None) -> None:
    """Fingerprint and plan DATASET (name or id), then print the plans as a table."""
    from medrep_seg.nnunet.planning import format_plan_table, plan_dataset

    names = [name.strip() for name in preprocessors.split(",") if name.strip()]
    options = _settings(settings)
    unknown = sorted(set(options) - set(names))
    if unknown:
        raise click.BadParameter(f"{', '.join(unknown)} not in the chain {names}", param_hint="--set")
    spacing = [float(value) for value in target_spacing.split(",")] if target_spacing else None
    plans = plan_dataset(
        dataset,
        memory_budget_gb=memory_budget,
        folds=folds,
        preprocessors=[{"name": name, "options": options.get(name, {})} for name in names],
        target_spacing=spacing,
        planner=planner,
        num_processes=processes,
    )
    click.echo(format_plan_table(plans))


@seg.command("preprocess")
@click.argument("dataset")
@click.option("--configuration", "configurations", multiple=True, default=["3d_fullres"], show_default=True, help="Plans configuration to preprocess; repeatable.")
@click.option("--processes", type=click.IntRange(min=1), default=None, help="nnU-Net worker processes (default: the medrep nnU-Net option).")
def preprocess(dataset: str, configurations: tuple[str, ...], processes: int | None) -> None:
    """Preprocess the planned DATASET with the preprocessor chain stored in its plans."""
    from medrep_seg.nnunet.preprocessing import preprocess_dataset

    output = preprocess_dataset(dataset, configurations=configurations, num_processes=processes)
    click.echo(f"preprocessed {', '.join(configurations)} into {output}")


@seg.command("show")
@click.argument("case", type=click.Path(exists=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="PNG file to write.")
@click.option("--label", type=click.Path(exists=True, dir_okay=False), default=None, help="Label file (default: the case's own label).")
@click.option("--channel", type=click.IntRange(min=0), default=0, show_default=True, help="Index of the channel shown.")
@click.option("--slices", type=click.IntRange(min=1), default=12, show_default=True, help="Number of axial slices.")
@click.option("--columns", type=click.IntRange(min=1), default=6, show_default=True, help="Slices per row.")
@click.option("--percentiles", default="1,99", show_default=True, help="Intensity window: two percentiles of the brain voxels.")
@click.option("--overlay", type=click.Choice(["outline", "fill"]), default="outline", show_default=True, help="Draw the label as outlines or filled in colour.")
@source_options
def show(case: str, output: str, label: str | None, channel: int, slices: int, columns: int, percentiles: str, overlay: str, **options: Any) -> None:
    """Write a montage of evenly spaced axial slices of CASE (a case folder or image file), label in colour."""
    from medrep_seg.figures import save_case_montage

    try:
        window = [float(value) for value in percentiles.split(",")]
    except ValueError:
        raise click.BadParameter(f"expected two numbers such as 1,99, got {percentiles!r}", param_hint="--percentiles") from None
    if len(window) != 2:
        raise click.BadParameter(f"expected two numbers such as 1,99, got {percentiles!r}", param_hint="--percentiles")
    written = save_case_montage(
        case, output, spec=build_spec(options), channel=channel, label=label, slices=slices, columns=columns, percentiles=window, overlay=overlay
    )
    click.echo(f"wrote {written}")
