"""``medrep seg predict``: segment new scans with a trained model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from medrep_seg.cli import seg


def resolve_model(model: str, configuration: str, plans_identifier: str) -> Path:
    """Return a model folder: ``model`` itself when it is a folder, else the dataset's medrep model."""
    path = Path(model)
    if path.is_dir():
        return path
    from medrep_seg.nnunet.paths import resolve_dataset
    from medrep_seg.nnunet.training import model_folder

    return model_folder(resolve_dataset(model), configuration, plans_identifier)


@seg.command("predict")
@click.argument("model")
@click.argument("source", type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--output", type=click.Path(file_okay=False), required=True, help="Folder for <case>.nii.gz label maps.")
@click.option("--configuration", default="3d_fullres", show_default=True, help="Configuration, when MODEL is a dataset name or id.")
@click.option("--plans", "plans_identifier", default="medrepPlans", show_default=True, help="Plans identifier, when MODEL is a dataset name or id.")
@click.option("--fold", "folds", multiple=True, help="Fold to ensemble (a number or 'all'); repeatable.  [default: every trained fold]")
@click.option("--mirroring/--no-mirroring", default=True, show_default=True, help="Test-time mirroring along the axes mirrored in training.")
@click.option("--step", "tile_step_size", type=click.FloatRange(min=0, max=1, min_open=True), default=0.5, show_default=True, help="Sliding-window step as a fraction of the patch.")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda", "mps"]), default="auto", show_default=True, help="Torch device.")
@click.option("--postprocessing/--no-postprocessing", default=True, show_default=True, help="Apply the post-processing decided on cross-validation.")
@click.option("--keep-largest", is_flag=True, help="Keep only the largest foreground component, whatever cross-validation decided.")
@click.option("--modality", "modalities", multiple=True, metavar="SUFFIX=NAME", help="Channel name for a file suffix, beside the built-in table (fld=FLAIR, t2f=FLAIR, t1c=T1c, ...); repeatable.")
def predict_command(model: str, source: str, output: str, configuration: str, plans_identifier: str, folds: tuple[str, ...], modalities: tuple[str, ...], **options: Any) -> None:
    """Segment every case in SOURCE with MODEL (a model folder, or a dataset name or id).

    SOURCE is a folder of case folders, one case folder, or nnU-Net `_0000` files. Files are
    matched to the model's channels by modality name. Outputs keep each input's geometry.
    """
    from medrep_seg.nnunet.predictor import predict

    names = {}
    for value in modalities:
        key, separator, name = value.partition("=")
        if not separator:
            raise click.BadParameter(f"expected SUFFIX=NAME, got {value!r}", param_hint="--modality")
        names[key.strip()] = name.strip()
    result = predict(
        resolve_model(model, configuration, plans_identifier), source, output,
        folds=list(folds) or None, modality_names=names, **options,
    )
    for path in result.files:
        click.echo(f"wrote {path} ({result.seconds_per_case[path.name.split('.nii')[0]]:.1f} s)")
