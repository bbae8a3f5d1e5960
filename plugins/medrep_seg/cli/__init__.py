"""``medrep seg``: the brain MRI segmentation commands.

Each command lives in its own module, which adds itself to :data:`seg` when imported
below; heavy libraries are imported inside the command functions.
"""

import click


@click.group("seg")
def seg() -> None:
    """Brain MRI segmentation on nnU-Net v2: check, convert, show, plan, preprocess, train, predict, evaluate, export, import, run.

    check, convert and show read source cases. plan, preprocess and train build a model,
    which predict, evaluate, export and import use. run does every step from one TOML file.
    """


from medrep_seg.cli import _data  # noqa: E402,F401
from medrep_seg.cli import _evaluate, _export, _predict, _run, _train  # noqa: E402,F401
