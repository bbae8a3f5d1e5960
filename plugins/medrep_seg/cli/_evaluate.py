"""``medrep seg evaluate``: Dice and HD95 of predictions against reference labels."""

from __future__ import annotations

import click

from medrep_seg.cli import seg


@seg.command("evaluate")
@click.argument("predictions", type=click.Path(exists=True, file_okay=False))
@click.argument("references", type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--output", type=click.Path(file_okay=False), required=True, help="Folder for metrics.json, per_case.csv and summary.csv.")
@click.option("--label", "labels", multiple=True, metavar="NAME=V[,V...]", help="Structure to score and its label values; repeatable.  [default: the labels in --dataset-json, else every value found]")
@click.option("--regions", type=click.Choice(["brats2015", "brats2021", "brats2023"]), default=None, help="Also score the BraTS regions (whole tumour, tumour core, enhancing) of that release.")
@click.option("--dataset-json", type=click.Path(exists=True, dir_okay=False), default=None, help="nnU-Net dataset.json whose labels (or regions) are scored.")
@click.option("--worst-case-hd95", type=click.FloatRange(min=0), default=None, help="HD95 in mm when exactly one mask is empty.  [default: the image diagonal]")
def evaluate_command(predictions: str, references: str, output: str, labels: tuple[str, ...], regions: str | None, dataset_json: str | None, worst_case_hd95: float | None) -> None:
    """Score every case in REFERENCES against the file of the same name in PREDICTIONS.

    Empty masks: both empty give Dice 1 and HD95 0; exactly one empty gives Dice 0 and the
    worst-case HD95, counted in every mean.
    """
    from medrep_seg.evaluation import evaluate_folder

    structures = None
    if labels:
        structures = {}
        for value in labels:
            name, separator, values = value.partition("=")
            try:
                structures[name.strip()] = [int(part) for part in values.split(",")]
            except ValueError:
                separator = ""
            if not separator or not name.strip():
                raise click.BadParameter(f"expected NAME=V[,V...], got {value!r}", param_hint="--label")
    result = evaluate_folder(
        predictions, references, output, labels=structures, regions=regions, dataset_json=dataset_json,
        worst_case_hd95=worst_case_hd95,
    )
    click.echo(f"{'structure':<20} {'cases':>5} {'Dice mean':>9} {'median':>7} {'HD95 mean':>10} {'median':>7} {'worst':>5}")
    for name, summary in result.summary.items():
        dice, hd95 = summary["dice"], summary["hd95"]
        click.echo(
            f"{name:<20} {dice['n']:>5} {dice['mean']:>9.4f} {dice['median']:>7.4f} "
            f"{hd95['mean']:>10.2f} {hd95['median']:>7.2f} {summary['n_worst_case']:>5}"
        )
    for path in result.files:
        click.echo(f"wrote {path}")
