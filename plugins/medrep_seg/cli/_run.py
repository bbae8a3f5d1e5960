"""``medrep seg run``: the whole segmentation pipeline from one configuration file."""

from __future__ import annotations

import click

from medrep_seg.cli import seg


@seg.command("run")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False), required=True, help="TOML run configuration (see examples/configs/seg_*.toml).")
@click.option("-o", "--output", type=click.Path(file_okay=False), default=None, help="Report folder, replacing the configuration's `output`.")
def run_command(config_file: str, output: str | None) -> None:
    """Run convert -> check -> plan -> preprocess -> train -> predict -> evaluate -> report."""
    from medrep_seg.pipeline import load_config, run_seg

    config = load_config(config_file, {"output": output} if output else None)
    result = run_seg(config)
    click.echo(f"model: {result.model_folder}")
    for name, path in result.reports.items():
        click.echo(f"{name:>8}: {path}")
