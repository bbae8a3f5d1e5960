"""``medrep seg``: the brain MRI segmentation commands.

Each command lives in its own module, which adds itself to :data:`seg` when imported
below; heavy libraries are imported inside the command functions.
"""

import click


@click.group("seg")
def seg() -> None:
    """Brain MRI segmentation on nnU-Net v2: convert, check, plan, train, predict, evaluate."""


from medrep_seg.cli import _data  # noqa: E402,F401
from medrep_seg.cli import _evaluate, _export, _predict, _run, _train  # noqa: E402,F401
