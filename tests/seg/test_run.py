"""`medrep seg run` end to end on the real BraTS cases: a short CPU training, prediction, evaluation, report."""

from __future__ import annotations

import json
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from click.testing import CliRunner

CONFIG = Path(__file__).resolve().parents[2] / "examples" / "configs" / "seg_quick.toml"


@pytest.fixture(scope="module")
def run(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run the quick configuration through the CLI, under a dataset id no other test uses."""
    from medrep.cli import main  # noqa: F401  (the console entry point adds the track commands)
    from medrep.cli._main import _add_track_commands, cli

    config = tmp_path_factory.mktemp("config") / "seg.toml"
    config.write_text(CONFIG.read_text(encoding="utf-8").replace("Dataset511_BraTSQuick", "Dataset951_BraTSRun"), encoding="utf-8")
    output = tmp_path_factory.mktemp("seg-run")
    _add_track_commands(cli)
    result = CliRunner().invoke(cli, ["-q", "seg", "run", "--config", str(config), "-o", str(output)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return output


def test_report_lists_held_out_case(run: Path) -> None:
    report = (run / "report.md").read_text(encoding="utf-8")

    assert "## Per-case evaluation" in report
    assert "| brats_2013_pat0004_1 |" in report
    assert "figures/training_fold_all.png" in report
    assert (run / "report.html").is_file()
    assert (run / "figures" / "brats_2013_pat0004_1_prediction.png").stat().st_size > 0


def test_evaluation_scores_whole_tumour(run: Path) -> None:
    metrics = json.loads((run / "evaluation" / "metrics.json").read_text(encoding="utf-8"))
    scores = metrics["cases"][0]["structures"]

    assert metrics["cases"][0]["case_id"] == "brats_2013_pat0004_1"
    assert list(scores) == ["whole_tumour"]
    assert scores["whole_tumour"]["hd95"] >= 0.0
    assert 0.0 <= scores["whole_tumour"]["dice"] <= 1.0
    assert (run / "evaluation" / "per_case.csv").read_text(encoding="utf-8").count("\n") == 2


def test_unlabelled_predictions_in_input_geometry(run: Path, data_dir: Path) -> None:
    inputs = {
        "BraTS-GLI-00001-000": data_dir / "brain-mri-unlabelled" / "BraTS-GLI-00001-000" / "BraTS-GLI-00001-000-t2f.nii.gz",
        "brain-metastasis-example": data_dir / "brain-mri-unlabelled" / "brain-metastasis-example" / "flair.nii.gz",
    }
    for case, source in inputs.items():
        prediction = nib.load(run / "predictions" / "brain-mri-unlabelled" / f"{case}.nii.gz")
        image = nib.load(source)

        assert prediction.shape == image.shape, case
        assert np.allclose(prediction.affine, image.affine, atol=1e-4), case
        assert nib.aff2axcodes(prediction.affine) == nib.aff2axcodes(image.affine), case
