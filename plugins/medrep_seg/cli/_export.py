"""``medrep seg export`` and ``medrep seg import``: move a trained model between machines."""

from __future__ import annotations

import click

from medrep_seg.cli import seg
from medrep_seg.cli._predict import resolve_model


@seg.command("export")
@click.argument("model")
@click.argument("destination", type=click.Path())
@click.option("--configuration", default="3d_fullres", show_default=True, help="Configuration, when MODEL is a dataset name or id.")
@click.option("--plans", "plans_identifier", default="medrepPlans", show_default=True, help="Plans identifier, when MODEL is a dataset name or id.")
@click.option("--fold", "folds", multiple=True, help="Fold to export; repeatable.  [default: every trained fold]")
def export_command(model: str, destination: str, configuration: str, plans_identifier: str, folds: tuple[str, ...]) -> None:
    """Export MODEL (a model folder, or a dataset name or id) to DESTINATION, a folder or a .zip file."""
    from medrep_seg.export import export_model

    written = export_model(resolve_model(model, configuration, plans_identifier), destination, folds=list(folds) or None)
    click.echo(f"wrote {written}")


@seg.command("import")
@click.argument("source", type=click.Path(exists=True))
@click.option("--overwrite", is_flag=True, help="Replace a model already in the results folder.")
def import_command(source: str, overwrite: bool) -> None:
    """Import an exported model (folder or .zip) into medrep's nnU-Net results folder."""
    from medrep_seg.export import import_model

    click.echo(f"imported to {import_model(source, overwrite=overwrite)}")
