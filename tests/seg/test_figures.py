"""Montages: radiological orientation whatever the axis codes, slice choice, windowing, overlay."""

from __future__ import annotations

from pathlib import Path

import click
import nibabel as nib
import numpy as np
import pytest
from click.testing import CliRunner

from medrep_seg.figures import axial_slices, montage_figure, radiological_slice, save_montage, to_ras, window


def marked_ras_volume() -> np.ndarray:
    """A 20x16x12 RAS volume: a brain box, a marker at the patient's right, anterior, and a top slice."""
    volume = np.zeros((20, 16, 12), dtype=np.float32)
    volume[2:18, 2:14, 2:10] = 1.0
    volume[15:18, 11:14, 5] = 5.0  # high x = right, high y = anterior
    return volume


def as_lps(volume: np.ndarray) -> nib.Nifti1Image:
    """Store a RAS volume with LPS axis codes: flip x and y, and flip their affine columns."""
    affine = np.diag([-1.0, -1.0, 1.0, 1.0])
    affine[:3, 3] = [volume.shape[0] - 1, volume.shape[1] - 1, 0]
    return nib.Nifti1Image(volume[::-1, ::-1, :].copy(), affine)


def test_to_ras_undoes_axis_codes() -> None:
    volume = marked_ras_volume()

    ras, zooms = to_ras(nib.Nifti1Image(volume, np.eye(4)))
    from_lps, _ = to_ras(as_lps(volume))

    assert nib.aff2axcodes(as_lps(volume).affine) == ("L", "P", "S")
    np.testing.assert_array_equal(ras, volume)
    np.testing.assert_array_equal(from_lps, volume)
    assert zooms.tolist() == [1.0, 1.0, 1.0]


def test_radiological_slice_right_on_left_anterior_on_top() -> None:
    plane = radiological_slice(marked_ras_volume(), 5)

    rows, columns = np.nonzero(plane == 5.0)
    assert plane.shape == (16, 20)
    assert sorted(set(rows.tolist())) == [2, 3, 4]  # anterior rows at the top
    assert sorted(set(columns.tolist())) == [2, 3, 4]  # the patient's right on the viewer's left


def test_axial_slices_linspace_over_foreground() -> None:
    volume = np.zeros((4, 4, 40), dtype=np.float32)
    foreground = np.zeros_like(volume, dtype=bool)
    foreground[:, :, 10:30] = True

    assert axial_slices(volume, 4, foreground) == [14, 18, 21, 25]
    assert axial_slices(volume, 50, foreground) == list(range(10, 30))


def test_window_uses_foreground_percentiles() -> None:
    volume = np.full((10, 10, 1), -3.0, dtype=np.float32)
    volume[:, :, 0].flat[:50] = np.arange(50, dtype=np.float32)

    low, high = window(volume, volume != -3.0, (2.0, 98.0))

    assert low == pytest.approx(0.98)
    assert high == pytest.approx(48.02)


def test_montage_same_for_lps_and_ras(tmp_path: Path) -> None:
    from matplotlib.image import imread

    volume = marked_ras_volume()
    label = np.zeros_like(volume, dtype=np.uint8)
    label[15:18, 11:14, 5] = 1

    ras = save_montage(nib.Nifti1Image(volume, np.eye(4)), tmp_path / "ras.png", label=nib.Nifti1Image(label, np.eye(4)), title="t")
    lps = save_montage(as_lps(volume), tmp_path / "lps.png", label=as_lps(label), title="t")

    np.testing.assert_array_equal(imread(ras), imread(lps))


def test_montage_fill_overlay_in_colour(tmp_path: Path) -> None:
    from matplotlib.image import imread

    volume = marked_ras_volume()
    label = np.zeros_like(volume, dtype=np.uint8)
    label[4:16, 4:12, 2:10] = 1

    output = save_montage(nib.Nifti1Image(volume, np.eye(4)), tmp_path / "fill.png", label=nib.Nifti1Image(label, np.eye(4)), overlay="fill", slices=4)

    pixels = imread(output)[..., :3]
    reddish = (pixels[..., 0] > 0.6) & (pixels[..., 1] < 0.45) & (pixels[..., 2] < 0.45)
    assert int(reddish.sum()) > 100


def test_montage_rejects_bad_percentiles(tmp_path: Path) -> None:
    from medrep.errors import DataError

    with pytest.raises(DataError, match="invalid percentiles"):
        save_montage(nib.Nifti1Image(marked_ras_volume(), np.eye(4)), tmp_path / "x.png", percentiles=(99.0, 1.0))


def marker_texts(axes: object) -> list[tuple[str, float]]:
    return sorted((text.get_text(), text.get_position()[0]) for text in axes.texts)


def test_montage_marks_every_panel() -> None:
    """Each panel carries its own R (viewer's left) and L (viewer's right), so no marker reads as a neighbour's."""
    figure = montage_figure(nib.Nifti1Image(marked_ras_volume(), np.eye(4)), slices=3, columns=3)

    assert len(figure.axes) == 3
    for axes in figure.axes:
        assert marker_texts(axes) == [("L", 18.0), ("R", 1.0)]


def test_montage_legend_names() -> None:
    volume = marked_ras_volume()
    label = np.zeros(volume.shape, dtype=np.uint8)
    label[4:8, 4:8, 4:6] = 2
    label[10:12, 4:8, 4:6] = 4
    image, label_image = nib.Nifti1Image(volume, np.eye(4)), nib.Nifti1Image(label, np.eye(4))

    named = montage_figure(image, label=label_image, label_names={2: "oedema", 4: "enhancing tumour"})
    numbered = montage_figure(image, label=label_image)

    assert [text.get_text() for text in named.legends[0].texts] == ["oedema", "enhancing tumour"]
    assert [text.get_text() for text in numbered.legends[0].texts] == ["label 2", "label 4"]


def test_case_montage_names_preset_only_for_own_label(data_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import medrep_seg.figures as figures
    from medrep_seg.dataset import DatasetSpec

    received: list[dict | None] = []
    monkeypatch.setattr(figures, "save_montage", lambda image, output, **options: received.append(options.get("label_names")))
    case = data_dir / "brain-tumour" / "train" / "brats_2013_pat0001_1"
    spec = DatasetSpec(channels=["fld", "t1c"], labels="brats2015")

    figures.save_case_montage(case, tmp_path / "own.png", spec=spec)
    figures.save_case_montage(case, tmp_path / "given.png", spec=spec, label=case / "brats_2013_pat0001_1_seg.nii.gz")

    assert received[0] == {1: "necrosis", 2: "oedema", 3: "non-enhancing tumour", 4: "enhancing tumour"}
    assert received[1] is None


@pytest.fixture
def cli() -> click.Group:
    from medrep.cli import cli as root
    from medrep_seg.cli import seg

    root.add_command(seg)
    return root


@pytest.mark.parametrize(
    ("case", "options"),
    [
        ("brain-tumour/train/brats_2013_pat0001_1", ["--channels", "fld,t1c", "--labels", "brats2015", "--channel", "1"]),
        ("brain-lesion/ms-lesjak/patient07", ["--layout", "glob", "--channel-glob", "FLAIR=FLAIR*", "--label-glob", "GOLD*", "--overlay", "fill"]),
        ("brain-lesion/isles22/sub-strokecase0009", ["--layout", "glob", "--channel-glob", "FLAIR=*_flair.nii.gz", "--label-glob", "*_msk.nii.gz"]),
    ],
    ids=["brats", "ms", "isles-flair"],
)
def test_cli_show_real_case(data_dir: Path, tmp_path: Path, cli: click.Group, case: str, options: list[str]) -> None:
    from matplotlib.image import imread

    output = tmp_path / "montage.png"

    result = CliRunner().invoke(cli, ["-q", "seg", "show", str(data_dir / case), "-o", str(output), *options])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"wrote {output}"
    pixels = imread(output)
    assert pixels.shape[1] == 1452
    assert float(pixels[..., :3].mean()) > 0.05
