"""Integrity checks: tolerances, one line per problem, nnU-Net raw datasets and the CLI's exit status."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import click
import nibabel as nib
import numpy as np
import pytest
from click.testing import CliRunner

import medrep
from medrep.errors import DataError
from medrep_seg.dataset import DatasetSpec, check_dataset, convert_dataset, detect_layout

AFFINE = np.array([[-1.0, 0, 0, 90.0], [0, -1.0, 0, 126.0], [0, 0, 1.0, -72.0], [0, 0, 0, 1]])


@pytest.fixture
def cli() -> click.Group:
    """The root ``medrep`` command with the ``seg`` group added, as ``medrep``'s entry point does."""
    from medrep.cli import cli as root
    from medrep_seg.cli import seg

    root.add_command(seg)
    return root


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    medrep.configure(workdir=tmp_path / "work")
    yield tmp_path / "work"
    medrep.configure()


def save(path: Path, data: np.ndarray, affine: np.ndarray = AFFINE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nib.save(nib.Nifti1Image(data, affine), path)


def write_case(root: Path, case: str, *, label_affine: np.ndarray = AFFINE, label_value: int = 1) -> None:
    image = np.ones((8, 9, 10), dtype=np.float32)
    label = np.zeros((8, 9, 10), dtype=np.uint8)
    label[2:4, 2:4, 2:4] = label_value
    save(root / case / f"{case}_fld.nii.gz", image)
    save(root / case / f"{case}_seg.nii.gz", label, label_affine)


def shifted(offset: float) -> np.ndarray:
    affine = AFFINE.copy()
    affine[0, 3] += offset
    return affine


@pytest.mark.parametrize(("offset", "ok"), [(5e-4, True), (5e-3, False)], ids=["within-tolerance", "beyond-tolerance"])
def test_origin_tolerance(tmp_path: Path, offset: float, ok: bool) -> None:
    write_case(tmp_path, "case_a", label_affine=shifted(offset))

    report = check_dataset(tmp_path, DatasetSpec(tolerance_mm=1e-3))

    assert report.ok is ok


def test_tolerance_is_configurable(tmp_path: Path) -> None:
    write_case(tmp_path, "case_a", label_affine=shifted(5e-3))

    assert check_dataset(tmp_path, DatasetSpec(tolerance_mm=1e-2)).ok


def test_direction_difference_reported(tmp_path: Path) -> None:
    flipped = AFFINE.copy()
    flipped[1, 1] = 1.0
    write_case(tmp_path, "case_a", label_affine=flipped)

    report = check_dataset(tmp_path)

    assert [str(problem) for problem in report.problems] == [
        "case_a: case_a_seg.nii.gz: direction LAS (-1, 0, 0, 0, 1, 0, 0, 0, 1) differs from the direction "
        "LPS (-1, 0, 0, 0, -1, 0, 0, 0, 1) of case_a_fld.nii.gz"
    ]


def test_problems_one_per_line(tmp_path: Path) -> None:
    write_case(tmp_path, "case_a", label_affine=shifted(1.0), label_value=7)
    write_case(tmp_path, "case_b")

    report = check_dataset(tmp_path)

    assert report.failed_cases == ["case_a"]
    assert [str(problem) for problem in report.problems] == [
        "case_a: case_a_seg.nii.gz: origin (91, 126, -72) differs from the origin (90, 126, -72) of case_a_fld.nii.gz",
    ]
    with pytest.raises(DataError, match="1 of 2 case"):
        report.raise_if_failed()


def test_label_values_checked_after_geometry(tmp_path: Path) -> None:
    write_case(tmp_path, "case_a", label_value=7)

    report = check_dataset(tmp_path)

    assert [str(problem) for problem in report.problems] == [
        "case_a: case_a_seg.nii.gz: label values [7] are not among the declared labels [0, 1]"
    ]


def test_missing_label_file_reported(tmp_path: Path) -> None:
    write_case(tmp_path, "case_a")
    (tmp_path / "case_a" / "case_a_seg.nii.gz").unlink()

    report = check_dataset(tmp_path)

    assert [str(problem) for problem in report.problems] == ["case_a: -: label: no file ending in _seg.nii[.gz]"]


def test_four_d_image_rejected_outside_msd(tmp_path: Path) -> None:
    write_case(tmp_path, "case_a")
    save(tmp_path / "case_a" / "case_a_fld.nii.gz", np.ones((8, 9, 10, 2), np.float32))

    report = check_dataset(tmp_path)

    assert [str(problem) for problem in report.problems] == [
        "case_a: case_a_fld.nii.gz: image has shape (8, 9, 10, 2); a 3-D image is expected"
    ]


def test_nnunet_raw_dataset_checked(tmp_path: Path, workdir: Path) -> None:
    write_case(tmp_path / "src", "case_a")
    write_case(tmp_path / "src", "case_b")
    result = convert_dataset(tmp_path / "src", "Dataset031_Raw", DatasetSpec())
    assert detect_layout(result.path) == "nnunet"
    label = np.zeros((8, 9, 10), dtype=np.uint8)
    label[0, 0, 0] = 2
    save(result.path / "labelsTr" / "case_b.nii.gz", label)

    report = check_dataset(result.path)

    assert report.dataset.layout == "nnunet"
    assert report.dataset.channel_names == ["FLAIR"]
    assert [str(problem) for problem in report.problems] == [
        "case_b: case_b.nii.gz: label values [2] are not among the declared labels [0, 1]"
    ]


def test_unknown_layout_needs_globs(tmp_path: Path) -> None:
    save(tmp_path / "p1" / "FLAIR.nii.gz", np.ones((4, 4, 4), np.float32))

    with pytest.raises(DataError, match="cannot tell the layout"):
        check_dataset(tmp_path)


def test_cli_check_exit_status(tmp_path: Path, cli: click.Group) -> None:
    write_case(tmp_path / "good", "case_a")
    write_case(tmp_path / "bad", "case_a", label_value=3)
    runner = CliRunner()

    good = runner.invoke(cli, ["-q", "seg", "check", str(tmp_path / "good")])
    bad = runner.invoke(cli, ["-q", "seg", "check", str(tmp_path / "bad")])
    declared = runner.invoke(cli, ["-q", "seg", "check", str(tmp_path / "bad"), "--labels", "0,1,3"])

    assert good.exit_code == 0, good.output
    assert "1 of 1 case(s) passed (case-folder layout, channels: FLAIR)" in good.output
    assert bad.exit_code == 1
    assert bad.output.splitlines()[0] == "case_a: case_a_seg.nii.gz: label values [3] are not among the declared labels [0, 1]"
    assert "0 of 1 case(s) passed" in bad.output
    assert bad.output.splitlines()[-1] == (
        "hint: the label files contain the values 0, 3, which the presets brats2023, brats2015 include: "
        "pass the one that describes the source (--labels brats2023, say), or declare the values with --labels 0,3"
    )
    assert declared.exit_code == 0, declared.output


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        pytest.param(
            {0, 1, 2, 3, 4},
            "the label files contain the values 0, 1, 2, 3, 4, the values of the preset brats2015 (1 necrosis, 2 oedema, "
            "3 non-enhancing tumour, 4 enhancing tumour): if that is what they mean, pass --labels brats2015; "
            "otherwise declare the values with --labels 0,1,2,3,4",
            id="one-preset",
        ),
        pytest.param(
            {0, 1, 4},
            "the label files contain the values 0, 1, 4, which the presets brats2021, brats2015 include: "
            "pass the one that describes the source (--labels brats2021, say), or declare the values with --labels 0,1,4",
            id="smallest-preset-first",
        ),
        pytest.param(
            {0, 7}, "the label files contain the values 0, 7, which no preset includes: declare them with --labels 0,7", id="no-preset"
        ),
    ],
)
def test_labels_hint_names_matching_presets(found: set[int], expected: str) -> None:
    from medrep_seg.dataset.labels import labels_hint

    assert labels_hint(found) == expected


def test_cli_convert_reports_one_line_error(tmp_path: Path, workdir: Path, cli: click.Group) -> None:
    write_case(tmp_path / "src", "case_a", label_value=3)

    result = CliRunner().invoke(cli, ["-q", "seg", "convert", str(tmp_path / "src"), "Dataset032_Cli"])

    assert result.exit_code == 1
    assert "error: 1 of 1 case(s) failed the integrity check:" in result.output
    assert "case_a: case_a_seg.nii.gz: label values [3] are not among the declared labels [0, 1]" in result.output


def test_real_brats_needs_its_preset(data_dir: Path) -> None:
    source = data_dir / "brain-tumour" / "train"

    binary = check_dataset(source, DatasetSpec(channels=["fld", "t1c"]))
    brats = check_dataset(source, DatasetSpec(channels=["fld", "t1c"], labels="brats2015"))

    assert binary.failed_cases == ["brats_2013_pat0001_1", "brats_2013_pat0002_1", "brats_2013_pat0003_1", "brats_2013_pat0004_1"]
    assert binary.problems[0].message == "label values [2, 3, 4] are not among the declared labels [0, 1]"
    assert binary.hint.startswith("the label files contain the values 0, 1, 2, 3, 4, the values of the preset brats2015 ")
    assert binary.hint.endswith("pass --labels brats2015; otherwise declare the values with --labels 0,1,2,3,4")
    assert brats.ok
    assert brats.dataset.channel_names == ["FLAIR", "T1c"]
    assert [case.mask.name for case in brats.dataset.cases][0] == "brats_2013_pat0001_1_brainmask.nii.gz"


def test_msd_json_labels_declared(tmp_path: Path) -> None:
    save(tmp_path / "imagesTr" / "case.nii.gz", np.ones((4, 4, 4, 2), np.float32))
    label = np.zeros((4, 4, 4), np.uint8)
    label[0, 0, 0] = 2
    save(tmp_path / "labelsTr" / "case.nii.gz", label)
    (tmp_path / "dataset.json").write_text(json.dumps({"modality": {"0": "T1", "1": "T2"}, "labels": {"0": "background", "1": "a"}}))

    report = check_dataset(tmp_path)

    assert report.dataset.layout == "msd"
    assert [str(problem) for problem in report.problems] == ["case: case.nii.gz: label values [2] are not among the declared labels [0, 1]"]
