"""Conversion to an nnU-Net v2 raw dataset: layouts, label presets and the inputs that must fail."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

import medrep
from medrep.errors import DataError
from medrep_seg.dataset import DatasetSpec, convert_dataset, label_mapping

REAL_ORIGIN = np.array([[1.0, 0, 0, -90.0], [0, 1.0, 0, 126.0], [0, 0, 1.0, -72.0], [0, 0, 0, 1]])


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    """A medrep work directory of its own, so nnU-Net's raw folder starts empty."""
    medrep.configure(workdir=tmp_path / "work")
    yield tmp_path / "work"
    medrep.configure()


def save(path: Path, data: np.ndarray, affine: np.ndarray = REAL_ORIGIN) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nib.save(nib.Nifti1Image(data, affine), path)
    return path


def case_folder(root: Path, case: str, *, shape=(10, 12, 14), label: np.ndarray | None = None, label_affine=REAL_ORIGIN,
                channels=("fld",), mask: np.ndarray | None = None) -> Path:
    """Write one case of the case-folder layout; the image holds a bright block, the label marks it."""
    folder = root / case
    image = np.full(shape, -0.8, dtype=np.float32)
    image[2:8, 3:9, 4:10] = 1.5
    for index, suffix in enumerate(channels):
        save(folder / f"{case}_{suffix}.nii.gz", image + index)
    if label is None:
        label = np.zeros(shape, dtype=np.float32)
        label[3:6, 4:7, 5:8] = 2.0
    save(folder / f"{case}_seg.nii.gz", label, label_affine)
    if mask is not None:
        save(folder / f"{case}_brainmask.nii.gz", mask)
    return folder


def raw_folder(workdir: Path) -> Path:
    return workdir / "nnunet" / "nnUNet_raw"


def test_case_folder_converts_to_nnunet(tmp_path: Path, workdir: Path) -> None:
    mask = np.zeros((10, 12, 14), dtype=np.float64)
    mask[1:9, 2:10, 3:11] = 0.99999997
    for case in ("case_a", "case_b"):
        case_folder(tmp_path / "src", case, channels=("fld", "t1c"), mask=mask)

    result = convert_dataset(tmp_path / "src", "Dataset010_Cases", DatasetSpec(channels=["fld", "t1c"], labels="brats2015"))

    folder = raw_folder(workdir) / "Dataset010_Cases"
    assert result.path == folder
    assert sorted(path.name for path in (folder / "imagesTr").iterdir()) == [
        "case_a_0000.nii.gz", "case_a_0001.nii.gz", "case_b_0000.nii.gz", "case_b_0001.nii.gz",
    ]
    info = json.loads((folder / "dataset.json").read_text())
    assert info["channel_names"] == {"0": "FLAIR", "1": "T1c"}
    assert info["labels"] == {"background": 0, "whole tumour": 1}
    assert info["numTraining"] == 2
    assert info["file_ending"] == ".nii.gz"
    label = nib.load(folder / "labelsTr" / "case_a.nii.gz")
    assert label.get_data_dtype() == np.uint8
    assert int(np.asanyarray(label.dataobj).sum()) == 27
    brain = np.asanyarray(nib.load(folder / "masksTr" / "case_a.nii.gz").dataobj)
    assert brain.dtype == np.uint8
    assert int(brain.sum()) == 8 * 8 * 8
    second = np.asanyarray(nib.load(folder / "imagesTr" / "case_a_0001.nii.gz").dataobj)
    assert float(second[0, 0, 0]) == pytest.approx(0.2)


def test_mismatched_shapes_name_case_and_shapes(tmp_path: Path, workdir: Path) -> None:
    case_folder(tmp_path / "src", "case_a", shape=(10, 12, 14), label=np.zeros((12, 12, 14), np.float32))

    with pytest.raises(DataError) as error:
        convert_dataset(tmp_path / "src", "Dataset011_Bad", DatasetSpec())

    message = str(error.value)
    assert "case_a: case_a_seg.nii.gz: shape (12, 12, 14) differs from the shape (10, 12, 14) of case_a_fld.nii.gz" in message
    assert not (raw_folder(workdir) / "Dataset011_Bad").exists()
    assert list(raw_folder(workdir).iterdir()) == []


def test_one_failing_case_writes_nothing(tmp_path: Path, workdir: Path) -> None:
    case_folder(tmp_path / "src", "case_a")
    case_folder(tmp_path / "src", "case_b", label=np.zeros((12, 12, 14), np.float32))

    with pytest.raises(DataError, match="1 of 2 case"):
        convert_dataset(tmp_path / "src", "Dataset012_Half", DatasetSpec(labels="brats2015"))

    assert list(raw_folder(workdir).iterdir()) == []


def test_identity_label_affine_names_both_origins(tmp_path: Path, workdir: Path) -> None:
    case_folder(tmp_path / "src", "case_a", label_affine=np.eye(4))

    with pytest.raises(DataError) as error:
        convert_dataset(tmp_path / "src", "Dataset013_Origin", DatasetSpec(labels="brats2015"))

    assert "case_a: case_a_seg.nii.gz: origin (0, 0, 0) differs from the origin (-90, 126, -72) of case_a_fld.nii.gz" in str(error.value)


def test_copy_image_geometry_fixes_label_and_logs(tmp_path: Path, workdir: Path, caplog: pytest.LogCaptureFixture) -> None:
    case_folder(tmp_path / "src", "case_a", label_affine=np.eye(4))
    spec = DatasetSpec(labels="brats2015", copy_image_geometry=True)

    with caplog.at_level(logging.INFO, logger="medrep_seg.dataset.checks"):
        result = convert_dataset(tmp_path / "src", "Dataset014_Copied", spec)

    assert "case case_a: copied the geometry of case_a_fld.nii.gz onto the label case_a_seg.nii.gz" in caplog.text
    assert "origin (0, 0, 0) -> (-90, 126, -72)" in caplog.text
    label = nib.load(result.path / "labelsTr" / "case_a.nii.gz")
    np.testing.assert_allclose(label.affine, REAL_ORIGIN)


@pytest.mark.parametrize(
    ("values", "labels", "undeclared"),
    [([0, 2, 3, 4, 5], "brats2015", [5]), ([0, 255], "brats2015", [255]), ([0, 255], "binary", [255]), ([0, 3], "brats2021", [3])],
    ids=["brats2015-5", "brats2015-255", "binary-255", "brats2021-3"],
)
def test_undeclared_label_values_listed(tmp_path: Path, workdir: Path, values: list[int], labels: str, undeclared: list[int]) -> None:
    label = np.zeros((10, 12, 14), dtype=np.float32)
    label.flat[: len(values)] = values
    case_folder(tmp_path / "src", "case_a", label=label)

    with pytest.raises(DataError) as error:
        convert_dataset(tmp_path / "src", "Dataset015_Labels", DatasetSpec(labels=labels))

    assert f"case_a: case_a_seg.nii.gz: label values {undeclared} are not among the declared labels" in str(error.value)


def test_non_integral_float_labels_rejected(tmp_path: Path, workdir: Path) -> None:
    label = np.zeros((10, 12, 14), dtype=np.float32)
    label[0, 0, 0] = 1.5
    case_folder(tmp_path / "src", "case_a", label=label)

    with pytest.raises(DataError, match=r"label values \[1.5\] are not integers"):
        convert_dataset(tmp_path / "src", "Dataset016_Float", DatasetSpec(labels="brats2015"))


def test_nan_voxels_rejected(tmp_path: Path, workdir: Path) -> None:
    folder = case_folder(tmp_path / "src", "case_a")
    image = np.zeros((10, 12, 14), dtype=np.float32)
    image[0, 0, :3] = np.nan
    save(folder / "case_a_fld.nii.gz", image)

    with pytest.raises(DataError, match=r"case_a: case_a_fld.nii.gz: 3 voxel\(s\) are NaN or infinite"):
        convert_dataset(tmp_path / "src", "Dataset017_NaN", DatasetSpec(labels="brats2015"))


def write_msd(root: Path, image_shape: tuple[int, ...], label_shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(0)
    affine = np.diag([1.2, 1.2, 2.5, 1.0])
    affine[:3, 3] = [10.0, -20.0, 5.0]
    save(root / "imagesTr" / "BRATS_001.nii.gz", rng.normal(size=image_shape).astype(np.float32), affine)
    label = np.zeros(label_shape, dtype=np.uint8)
    label[2:4, 2:4, 1:3] = 3
    save(root / "labelsTr" / "BRATS_001.nii.gz", label, affine)
    info = {"modality": {"0": "FLAIR", "1": "T1w", "2": "t1gd", "3": "T2w"},
            "labels": {"0": "background", "1": "edema", "2": "non-enhancing tumor", "3": "enhancing tumour"}}
    (root / "dataset.json").write_text(json.dumps(info))


def test_msd_four_d_splits_into_channels(tmp_path: Path, workdir: Path) -> None:
    write_msd(tmp_path / "msd", (8, 8, 6, 4), (8, 8, 6))

    result = convert_dataset(tmp_path / "msd", "Dataset018_MSD", DatasetSpec(target="classes"))

    channels = [nib.load(result.path / "imagesTr" / f"BRATS_001_{index:04d}.nii.gz") for index in range(4)]
    assert [channel.shape for channel in channels] == [(8, 8, 6)] * 4
    for channel in channels:
        np.testing.assert_array_equal(channel.affine, channels[0].affine)
    np.testing.assert_allclose(channels[0].affine[:3, 3], [10.0, -20.0, 5.0])
    source = np.asanyarray(nib.load(tmp_path / "msd" / "imagesTr" / "BRATS_001.nii.gz").dataobj)
    np.testing.assert_array_equal(np.asanyarray(channels[2].dataobj), source[..., 2])
    info = json.loads((result.path / "dataset.json").read_text())
    assert info["channel_names"] == {"0": "FLAIR", "1": "T1w", "2": "t1gd", "3": "T2w"}
    assert info["labels"] == {"background": 0, "label 1": 1, "label 2": 2, "label 3": 3}


def test_msd_four_d_label_rejected(tmp_path: Path, workdir: Path) -> None:
    write_msd(tmp_path / "msd", (8, 8, 6, 4), (8, 8, 6, 2))

    with pytest.raises(DataError, match=r"BRATS_001: BRATS_001.nii.gz: label has shape \(8, 8, 6, 2\); a 3-D label is expected"):
        convert_dataset(tmp_path / "msd", "Dataset019_MSD4D", DatasetSpec())


@pytest.mark.parametrize(
    ("release", "separator", "suffixes", "values"),
    [
        ("brats2021", "_", ["flair", "t1", "t1ce", "t2"], [0, 1, 2, 4]),
        ("brats2023", "-", ["t2f", "t1n", "t1c", "t2w"], [0, 1, 2, 3]),
    ],
    ids=["brats2021", "brats2023"],
)
def test_brats_naming_regions(tmp_path: Path, workdir: Path, release: str, separator: str, suffixes: list[str], values: list[int]) -> None:
    folder = tmp_path / "src" / "BraTS-000"
    for suffix in suffixes:
        save(folder / f"BraTS-000{separator}{suffix}.nii.gz", np.ones((6, 6, 6), np.int16))
    label = np.zeros((6, 6, 6), dtype=np.uint8)
    label.flat[: len(values)] = values
    save(folder / f"BraTS-000{separator}seg.nii.gz", label)

    result = convert_dataset(tmp_path / "src", "Dataset020_BraTS", DatasetSpec(target="regions"))

    info = json.loads((result.path / "dataset.json").read_text())
    assert info["channel_names"] == {"0": "FLAIR", "1": "T1", "2": "T1c", "3": "T2"}
    assert info["labels"] == {"background": 0, "whole tumour": [1, 2, 3], "tumour core": [2, 3], "enhancing tumour": [3]}
    assert info["regions_class_order"] == [1, 2, 3]
    converted = np.asanyarray(nib.load(result.path / "labelsTr" / "BraTS-000.nii.gz").dataobj)
    # necrotic core -> 2 (core, not enhancing), oedema -> 1, enhancing -> 3
    assert converted.flat[:4].tolist() == [0, 2, 1, 3]


@pytest.mark.parametrize(
    ("preset", "target", "expected"),
    [
        ("brats2015", "whole-tumour", [0, 1, 1, 1, 1]),
        ("brats2015", "regions", [0, 2, 1, 2, 3]),
        ("brats2015", "classes", [0, 1, 2, 3, 4]),
        ("brats2021", "classes", [0, 1, 2, 0, 3]),
    ],
    ids=["2015-whole", "2015-regions", "2015-classes", "2021-classes"],
)
def test_label_mapping_presets(preset: str, target: str, expected: list[int]) -> None:
    mapping = label_mapping(preset, target)

    values = np.array([0, 1, 2, 3, 4]) if preset == "brats2015" else np.array([0, 1, 2, 0, 4])
    assert mapping.apply(values).tolist() == expected


def test_regions_need_brats_preset() -> None:
    with pytest.raises(DataError, match="label target 'regions' needs a BraTS preset, got 'binary'"):
        label_mapping("binary", "regions")


def test_glob_layout_real_ms_cases(data_dir: Path, workdir: Path) -> None:
    spec = DatasetSpec(layout="glob", channel_globs={"FLAIR": "FLAIR*.nii.gz"}, label_glob="GOLD_STANDARD*.nii.gz")

    result = convert_dataset(data_dir / "brain-lesion" / "ms-lesjak", "Dataset021_MS", spec)

    assert result.num_cases == 3
    assert sorted(path.name for path in (result.path / "labelsTr").iterdir()) == [
        "patient07.nii.gz", "patient19.nii.gz", "patient26.nii.gz",
    ]
    label = nib.load(result.path / "labelsTr" / "patient19.nii.gz")
    assert label.shape == (182, 218, 182)
    assert int(np.asanyarray(label.dataobj).sum()) == 49769  # 49.8 ml at 1 mm


ISLES_SPEC = {
    "layout": "glob",
    "channel_globs": {"DWI": "*_dwi.nii.gz", "ADC": "*_adc.nii.gz", "FLAIR": "*_flair.nii.gz"},
    "label_glob": "*_msk.nii.gz",
}


def test_isles_flair_grid_rejected(data_dir: Path, workdir: Path) -> None:
    with pytest.raises(DataError) as error:
        convert_dataset(data_dir / "brain-lesion" / "isles22", "Dataset022_ISLES", DatasetSpec(**ISLES_SPEC))

    message = str(error.value)
    assert (
        "sub-strokecase0009: sub-strokecase0009_ses-0001_flair.nii.gz: shape (512, 512, 29) differs from the shape "
        "(112, 112, 73) of sub-strokecase0009_ses-0001_dwi.nii.gz"
    ) in message
    assert "spacing (0.4492, 0.4492, 5) differs from the spacing (2, 2, 2)" in message
    assert list(raw_folder(workdir).iterdir()) == []


def test_isles_flair_resampled_to_label_grid(data_dir: Path, workdir: Path) -> None:
    spec = DatasetSpec(**ISLES_SPEC, resample_to_label=True)

    result = convert_dataset(data_dir / "brain-lesion" / "isles22", "Dataset022_ISLES", spec)

    label = nib.load(result.path / "labelsTr" / "sub-strokecase0009.nii.gz")
    flair = nib.load(result.path / "imagesTr" / "sub-strokecase0009_0002.nii.gz")
    assert flair.shape == label.shape == (112, 112, 73)
    np.testing.assert_allclose(flair.affine, label.affine)
    assert int(np.asanyarray(label.dataobj).sum()) == 523


def test_existing_destination_needs_overwrite(tmp_path: Path, workdir: Path) -> None:
    case_folder(tmp_path / "src", "case_a")
    spec = DatasetSpec(labels="brats2015")
    convert_dataset(tmp_path / "src", "Dataset023_Twice", spec)

    with pytest.raises(DataError, match="already exists"):
        convert_dataset(tmp_path / "src", "Dataset023_Twice", spec)
    with pytest.raises(DataError, match="dataset id 023 is already used by Dataset023_Twice"):
        convert_dataset(tmp_path / "src", "Dataset023_Other", spec)
    assert convert_dataset(tmp_path / "src", "Dataset023_Twice", spec, overwrite=True).num_cases == 1


@pytest.mark.parametrize("name", ["Cases", "Dataset1_Cases", "Dataset0123_Cases", "Dataset012-Cases"], ids=["no-prefix", "short-id", "long-id", "dash"])
def test_invalid_dataset_name(tmp_path: Path, workdir: Path, name: str) -> None:
    case_folder(tmp_path / "src", "case_a")

    with pytest.raises(DataError, match="invalid nnU-Net dataset name"):
        convert_dataset(tmp_path / "src", name, DatasetSpec(labels="brats2015"))
