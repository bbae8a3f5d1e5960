"""Montages of axial MRI slices with the label outlined or filled in colour.

Slices are shown in radiological orientation whatever the file's axis codes. The volume
is first reordered to RAS with nibabel's orientation tools. Each axial slice is then
drawn with the patient's right on the viewer's left and anterior at the top. Intensities
are windowed between two percentiles of the voxels that differ from the background.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from medrep.errors import DataError
from medrep.io import atomic_write

__all__ = ["axial_slices", "montage_figure", "radiological_slice", "save_case_montage", "save_montage", "to_ras", "window"]

logger = logging.getLogger(__name__)

#: Label colours (matplotlib's tab10 order, starting at red for the first foreground label).
LABEL_COLOURS = ["#d62728", "#2ca02c", "#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]


def to_ras(image: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return the data of a nibabel image with axes reordered and flipped to RAS, and its voxel sizes."""
    from nibabel.orientations import apply_orientation, io_orientation

    orientation = io_orientation(image.affine)
    data = apply_orientation(np.asanyarray(image.dataobj), orientation)
    zooms = np.asarray(image.header.get_zooms()[:3], dtype=float)[orientation[:, 0].astype(int)]
    return data, zooms


def radiological_slice(volume: np.ndarray, index: int) -> np.ndarray:
    """Return axial slice ``index`` of a RAS volume as rows (anterior at the top) by columns (patient's right on the left)."""
    # In RAS, x grows towards the patient's right and y towards anterior, so both axes are reversed.
    return volume[:, :, index].T[::-1, ::-1]


def axial_slices(volume: np.ndarray, count: int, foreground: np.ndarray | None = None) -> list[int]:
    """Return ``count`` evenly spaced axial slice indices (``np.linspace``) over the foreground's extent."""
    depth = volume.shape[2]
    first, last = 0, depth - 1
    if foreground is not None and foreground.any():
        occupied = np.flatnonzero(foreground.any(axis=(0, 1)))
        first, last = int(occupied[0]), int(occupied[-1])
    if count >= last - first + 1:
        return list(range(first, last + 1))
    # Both ends are dropped: the outermost slices of the extent hold little but the edge.
    indices = np.linspace(first, last, num=count + 2)[1:-1]
    return sorted({int(round(value)) for value in indices})


def window(volume: np.ndarray, foreground: np.ndarray, percentiles: Sequence[float]) -> tuple[float, float]:
    """Return the display range: the given percentiles of the foreground voxels (all voxels if none)."""
    values = volume[foreground] if foreground.any() else volume.ravel()
    low, high = np.percentile(values, list(percentiles))
    return float(low), float(high if high > low else low + 1.0)


def _foreground(volume: np.ndarray) -> np.ndarray:
    from medrep_seg.preprocessors.crop import background_value

    return np.abs(volume - background_value(volume)) > 1e-6


def save_montage(
    image: str | Path | Any,
    output: str | Path,
    *,
    label: str | Path | Any | None = None,
    label_names: dict[int, str] | None = None,
    slices: int = 12,
    columns: int = 6,
    percentiles: Sequence[float] = (1.0, 99.0),
    overlay: Literal["outline", "fill"] = "outline",
    title: str | None = None,
) -> Path:
    """Write a PNG montage of evenly spaced axial slices of ``image`` with ``label`` drawn on top.

    ``image`` and ``label`` are NIfTI paths or nibabel images. A label on another grid is
    resampled onto the image's grid (nearest neighbour) for display. ``label_names`` names
    label values in the legend (``label 2`` otherwise). Returns ``output``.
    """
    figure = montage_figure(
        image, label=label, label_names=label_names, slices=slices, columns=columns,
        percentiles=percentiles, overlay=overlay, title=title,
    )
    output = Path(output)
    with atomic_write(output, mode="wb") as stream:
        figure.savefig(stream, format="png", dpi=110, facecolor="black")
    logger.info("wrote montage of %d axial slices to %s", len(figure.axes), output)
    return output


def montage_figure(
    image: str | Path | Any,
    *,
    label: str | Path | Any | None = None,
    label_names: dict[int, str] | None = None,
    slices: int = 12,
    columns: int = 6,
    percentiles: Sequence[float] = (1.0, 99.0),
    overlay: Literal["outline", "fill"] = "outline",
    title: str | None = None,
) -> Any:
    """Return the matplotlib figure that :func:`save_montage` writes."""
    import nibabel as nib

    if not 0.0 <= percentiles[0] < percentiles[1] <= 100.0:
        raise DataError(f"invalid percentiles {list(percentiles)}", hint="pass two values with 0 <= low < high <= 100")
    image = nib.load(str(image)) if isinstance(image, (str, Path)) else image
    if image.ndim != 3:
        raise DataError(f"the montage needs a 3-D image, got shape {tuple(image.shape)}", hint="pick one channel of a 4-D image")
    volume, zooms = to_ras(image)
    volume = volume.astype(np.float32, copy=False)
    labels = _label_volume(label, image) if label is not None else None

    foreground = _foreground(volume)
    low, high = window(volume, foreground, percentiles)
    indices = axial_slices(volume, slices, foreground)
    figure = _draw(volume, labels, indices, zooms, (low, high), columns, overlay, label_names or {})
    figure.suptitle(title or f"{_name(image)}   window {low:.3g} to {high:.3g} (percentiles {percentiles[0]:g}-{percentiles[1]:g})", fontsize=9, color="white")
    return figure


def _name(image: Any) -> str:
    filename = image.get_filename() if hasattr(image, "get_filename") else None
    return Path(filename).name if filename else "image"


def _label_volume(label: Any, image: Any) -> np.ndarray:
    import nibabel as nib

    label = nib.load(str(label)) if isinstance(label, (str, Path)) else label
    if label.ndim != 3:
        raise DataError(f"the label must be 3-D, got shape {tuple(label.shape)}", hint="pass a 3-D label file")
    if label.shape != image.shape or not np.allclose(label.affine, image.affine, atol=1e-3):
        from nibabel.processing import resample_from_to

        logger.info("resampling the label onto the image grid for display (nearest neighbour)")
        label = resample_from_to(label, image, order=0)
    values, _ = to_ras(label)
    return np.rint(values).astype(np.int32)


def _draw(
    volume: np.ndarray,
    labels: np.ndarray | None,
    indices: list[int],
    zooms: np.ndarray,
    limits: tuple[float, float],
    columns: int,
    overlay: str,
    label_names: dict[int, str],
) -> Any:
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure

    columns = max(1, min(columns, len(indices)))
    rows = -(-len(indices) // columns)
    figure = Figure(figsize=(2.2 * columns, 2.2 * rows * volume.shape[1] * zooms[1] / (volume.shape[0] * zooms[0]) + 0.4))
    figure.patch.set_facecolor("black")
    present = sorted(int(value) for value in np.unique(labels) if value > 0) if labels is not None else []
    colours = {value: LABEL_COLOURS[(value - 1) % len(LABEL_COLOURS)] for value in present}

    for position, index in enumerate(indices):
        axes = figure.add_subplot(rows, columns, position + 1)
        axes.imshow(radiological_slice(volume, index), cmap="gray", vmin=limits[0], vmax=limits[1], aspect=zooms[1] / zooms[0], interpolation="nearest")
        if labels is not None:
            plane = radiological_slice(labels, index)
            for value in present:
                region = plane == value
                if not region.any():
                    continue
                if overlay == "fill":
                    layer = np.ma.masked_where(~region, region)
                    axes.imshow(layer, cmap=ListedColormap([colours[value]]), alpha=0.45, aspect=zooms[1] / zooms[0], interpolation="nearest")
                else:
                    axes.contour(region.astype(float), levels=[0.5], colors=[colours[value]], linewidths=0.9)
        axes.set_title(f"z={index}", color="white", fontsize=7, pad=2)
        axes.set_axis_off()
        # Every panel gets its own markers: on a black figure, a single pair on the first
        # panel reads as if its "L" belonged to the second panel.
        height, width = volume.shape[1], volume.shape[0]
        axes.text(1, height / 2, "R", color="yellow", fontsize=6, va="center", ha="left")
        axes.text(width - 2, height / 2, "L", color="yellow", fontsize=6, va="center", ha="right")
    if present:
        from matplotlib.patches import Patch

        handles = [Patch(color=colours[value], label=label_names.get(value, f"label {value}")) for value in present]
        figure.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=7, frameon=False, labelcolor="white")
    figure.subplots_adjust(left=0.01, right=0.99, top=0.92, bottom=0.06, wspace=0.03, hspace=0.12)
    return figure


def save_case_montage(
    case: str | Path,
    output: str | Path,
    *,
    spec: Any = None,
    channel: int = 0,
    label: str | Path | None = None,
    **options: Any,
) -> Path:
    """Write the montage of one case: a case folder of any layout ``convert`` reads, or an image file.

    For a case folder, the channel at index ``channel`` and the case's label are found
    with ``spec`` (a :class:`~medrep_seg.dataset.DatasetSpec`), and the legend names the
    structures of the declared label preset. For an image file, ``label`` names the label;
    an image in an nnU-Net ``imagesTr`` folder finds its label in ``labelsTr``. A ``label``
    given explicitly (a prediction, say) keeps numbered legend entries, because its values
    need not be the source's. ``options`` go to :func:`save_montage`.
    """
    import nibabel as nib

    from medrep_seg.dataset.layouts import DatasetSpec, discover
    from medrep_seg.dataset.volumes import nifti_suffix

    path = Path(case)
    if path.is_dir():
        dataset = discover(path.parent, spec or DatasetSpec())
        found = next((item for item in dataset.cases if item.case_id == path.name), None)
        if found is None or not found.images:
            problems = "; ".join(found.problems) if found else "not a case folder of the detected layout"
            raise DataError(f"cannot read case {path}: {problems}", hint="pass the layout options used for convert")
        if dataset.four_d:
            image_file, index = found.images[0], channel
        else:
            if not 0 <= channel < len(found.images):
                raise DataError(f"channel {channel} does not exist; the case has {len(found.images)}", hint="pass --channel 0 or higher")
            image_file, index = found.images[channel], None
        if label is None and found.label is not None:
            label = found.label
            options.setdefault("label_names", _preset_names(dataset.declared_labels))
    elif path.is_file() and nifti_suffix(path):
        image_file, index = path, channel
        label = label or _nnunet_label_for(path)
    else:
        raise DataError(f"{path} is neither a case folder nor a NIfTI file", hint="pass a case folder or an image file")

    image = nib.load(str(image_file))
    if image.ndim == 4:
        volumes = nib.funcs.four_to_three(image)
        if index is None or not 0 <= index < len(volumes):
            raise DataError(f"channel {index} does not exist in {image_file.name} ({len(volumes)} channels)", hint="pass a valid --channel")
        image = volumes[index]
    options.setdefault("title", f"{path.name}: {Path(image_file).name}")
    return save_montage(image, output, label=label, **options)


def _preset_names(declared: str | list[int]) -> dict[int, str] | None:
    from medrep_seg.dataset.labels import PRESETS

    if isinstance(declared, str) and declared in PRESETS:
        return dict(PRESETS[declared].names)
    return None


def _nnunet_label_for(image_file: Path) -> Path | None:
    """Return ``labelsTr/<case>.nii.gz`` for ``imagesTr/<case>_0000.nii.gz``, if it exists."""
    from medrep_seg.dataset.volumes import nifti_suffix, strip_nifti_suffix

    if not image_file.parent.name.startswith("images"):
        return None
    stem = strip_nifti_suffix(image_file)
    identifier = stem[:-5] if len(stem) > 5 and stem[-5] == "_" and stem[-4:].isdigit() else stem
    candidate = image_file.parent.parent / ("labels" + image_file.parent.name[len("images"):]) / f"{identifier}{nifti_suffix(image_file)}"
    return candidate if candidate.is_file() else None
