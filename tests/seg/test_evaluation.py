"""Folder evaluation: case matching, label and region structures, the JSON and CSV report."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from medrep.errors import DataError
from medrep_seg.evaluation import evaluate_folder


def write(folder: Path, name: str, data: np.ndarray, spacing: tuple[float, ...] = (1.0, 1.0, 1.0)) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    image = nib.Nifti1Image(data.astype(np.uint8), np.diag([*spacing, 1.0]))
    image.header.set_zooms(spacing[: data.ndim])
    nib.save(image, folder / f"{name}.nii.gz")


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    reference = np.zeros((64, 64), dtype=np.uint8)  # a 2-D image, 1 mm pixels
    reference[20:28, 20:28] = 1
    write(tmp_path / "ref", "square", reference)
    write(tmp_path / "pred", "square", np.zeros_like(reference))
    write(tmp_path / "ref", "both_empty", np.zeros_like(reference))
    write(tmp_path / "pred", "both_empty", np.zeros_like(reference))
    write(tmp_path / "ref", "perfect", reference)
    write(tmp_path / "pred", "perfect", reference)
    return tmp_path / "pred", tmp_path / "ref"


def test_empty_mask_policy_in_means(folders: tuple[Path, Path], tmp_path: Path) -> None:
    result = evaluate_folder(*folders, tmp_path / "out", labels={"tumour": [1]})
    scores = {case["case_id"]: case["structures"]["tumour"] for case in result.cases}
    summary = result.summary["tumour"]

    assert scores["square"]["dice"] == 0.0
    assert scores["square"]["hd95"] == pytest.approx(90.51, abs=0.005)
    assert scores["both_empty"] == {"dice": 1.0, "hd95": 0.0, "worst_case": False, "reference_empty": True, "prediction_empty": True}
    assert summary["dice"]["n"] == 3
    assert summary["dice"]["mean"] == pytest.approx(2 / 3)
    assert summary["hd95"]["mean"] == pytest.approx(math.sqrt(2 * 64**2) / 3)
    assert summary["n_worst_case"] == 1


def test_report_files_written(folders: tuple[Path, Path], tmp_path: Path) -> None:
    evaluate_folder(*folders, tmp_path / "out", labels={"tumour": [1]})
    with (tmp_path / "out" / "per_case.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text(encoding="utf-8"))

    assert [row["case_id"] for row in rows] == ["both_empty", "perfect", "square"]
    assert rows[2]["tumour_worst_case"] == "true"
    assert metrics["policy"]["one_empty"]["counted_in_means"] is True
    assert (tmp_path / "out" / "summary.csv").read_text(encoding="utf-8").startswith("structure,n_cases,dice_mean")


def test_brats_regions_added(tmp_path: Path) -> None:
    reference = np.zeros((12, 12, 12), dtype=np.uint8)
    reference[2:5, 2:5, 2:5] = 2  # oedema
    reference[6:9, 6:9, 6:9] = 4  # enhancing tumour
    prediction = reference.copy()
    prediction[6:9, 6:9, 6:9] = 1  # necrosis where the reference has enhancing tumour
    write(tmp_path / "ref", "case", reference)
    write(tmp_path / "pred", "case", prediction)

    result = evaluate_folder(tmp_path / "pred", tmp_path / "ref", regions="brats2015")
    scores = result.cases[0]["structures"]

    assert set(scores) == {"label_2", "label_4", "whole_tumour", "tumour_core", "enhancing_tumour"}
    assert scores["whole_tumour"]["dice"] == 1.0
    assert scores["tumour_core"]["dice"] == 1.0
    assert scores["enhancing_tumour"]["dice"] == 0.0
    assert scores["enhancing_tumour"]["worst_case"]


def test_labels_from_dataset_json(tmp_path: Path) -> None:
    data = np.zeros((6, 6, 6), dtype=np.uint8)
    data[1:3, 1:3, 1:3] = 1
    write(tmp_path / "ref", "case", data)
    write(tmp_path / "pred", "case", data)
    (tmp_path / "dataset.json").write_text(json.dumps({"labels": {"background": 0, "whole tumour": 1}}), encoding="utf-8")

    result = evaluate_folder(tmp_path / "pred", tmp_path / "ref", dataset_json=tmp_path / "dataset.json")

    assert list(result.structures) == ["whole_tumour"]


def test_spacing_from_header(tmp_path: Path) -> None:
    reference = np.zeros((10, 10, 10), dtype=np.uint8)
    prediction = np.zeros((10, 10, 10), dtype=np.uint8)
    reference[5, 5, 2] = 1
    prediction[5, 5, 5] = 1
    write(tmp_path / "ref", "case", reference, spacing=(1.0, 1.0, 2.0))
    write(tmp_path / "pred", "case", prediction, spacing=(1.0, 1.0, 2.0))

    result = evaluate_folder(tmp_path / "pred", tmp_path / "ref", labels={"voxel": [1]})

    assert result.cases[0]["structures"]["voxel"]["hd95"] == pytest.approx(6.0)


def test_missing_prediction_raises(folders: tuple[Path, Path]) -> None:
    (folders[0] / "perfect.nii.gz").unlink()

    with pytest.raises(DataError, match="1 reference case\\(s\\) have no prediction.*perfect"):
        evaluate_folder(*folders)


def test_geometry_mismatch_raises(tmp_path: Path) -> None:
    write(tmp_path / "ref", "case", np.zeros((4, 4, 4)))
    write(tmp_path / "pred", "case", np.zeros((4, 4, 5)))

    with pytest.raises(DataError, match="case case: prediction shape"):
        evaluate_folder(tmp_path / "pred", tmp_path / "ref", labels={"x": [1]})


def _raw_brats_and_binary(tmp_path: Path) -> tuple[Path, Path]:
    """Write references with BraTS 2021 labels 1, 2 and 4, and a whole-tumour prediction that marks them all 1."""
    reference = np.zeros((12, 12, 12), dtype=np.uint8)
    reference[2:9, 2:9, 2:9] = 2  # oedema
    reference[4:7, 4:7, 4:7] = 1  # necrotic core
    reference[5, 5, 5] = 4  # enhancing tumour
    write(tmp_path / "ref", "case", reference)
    write(tmp_path / "pred", "case", (reference > 0).astype(np.uint8))
    return tmp_path / "pred", tmp_path / "ref"


def test_binary_prediction_against_source_labels_warns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    result = evaluate_folder(*_raw_brats_and_binary(tmp_path), tmp_path / "out")

    assert result.warnings == [
        "the references contain label(s) 2,4 that no prediction contains (the predictions contain 1); "
        "structure(s) label_2, label_4 score only labels that no prediction contains. If the model was "
        "trained on merged labels (a whole-tumour model writes 1 for every tumour label), score the merged "
        "structure instead: --label whole_tumour=1,2,4"
    ]
    assert result.warnings[0] in caplog.text
    assert json.loads((tmp_path / "out" / "metrics.json").read_text(encoding="utf-8"))["warnings"] == result.warnings


def test_model_labels_against_source_labels_warn(tmp_path: Path) -> None:
    # The model's dataset.json declares whole tumour = 1, but the references keep labels 1, 2, 4:
    # only the necrotic core would be scored as whole tumour.
    (tmp_path / "dataset.json").write_text(json.dumps({"labels": {"background": 0, "whole tumour": 1}}), encoding="utf-8")

    result = evaluate_folder(*_raw_brats_and_binary(tmp_path), dataset_json=tmp_path / "dataset.json")

    assert result.summary["whole_tumour"]["dice"]["mean"] < 0.2
    assert len(result.warnings) == 1
    assert "label(s) 2,4 that no prediction contains" in result.warnings[0]
    assert "no structure scores them" in result.warnings[0]


def test_merged_structure_does_not_warn(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    result = evaluate_folder(*_raw_brats_and_binary(tmp_path), labels={"whole_tumour": [1, 2, 4]})

    assert result.summary["whole_tumour"]["dice"]["mean"] == 1.0
    assert result.warnings == []
    assert "no prediction contains" not in caplog.text


def test_empty_predictions_warn_plainly(folders: tuple[Path, Path], tmp_path: Path) -> None:
    prediction_dir, reference_dir = folders
    write(prediction_dir, "perfect", np.zeros((64, 64), dtype=np.uint8))

    result = evaluate_folder(prediction_dir, reference_dir, labels={"tumour": [1]})

    assert result.warnings == ["no prediction contains a foreground label, while the references contain label(s) 1"]


def test_report_lists_evaluation_warnings(tmp_path: Path) -> None:
    from medrep_seg.report import ReportContent, write_report

    evaluation = evaluate_folder(*_raw_brats_and_binary(tmp_path))
    content = ReportContent(title="run", settings={}, stage_seconds={}, evaluation=evaluation)

    write_report(content, tmp_path / "report", ["markdown", "html"])

    markdown = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert "## Evaluation warnings" in markdown
    assert "--label whole_tumour=1,2,4" in markdown
    assert "score the merged structure instead" in (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
