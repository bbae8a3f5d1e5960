"""Export and import of a trained model: self-describing manifest, checksums, plugins, round trip."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from medrep.errors import DataError
from tests.seg.synthetic_nnunet import prepare_dataset, sphere_case

OPTIONS = {"epochs": 1, "iterations_per_epoch": 1, "val_iterations_per_epoch": 1, "workers": 0, "threads": 2, "final_validation": False}


@pytest.fixture(scope="module")
def model() -> Path:
    from medrep_seg.nnunet.training import train

    dataset = prepare_dataset(941, "ExportSpheres", cases=2, folds=0)
    return train(dataset, folds="all", options=OPTIONS).model_folder


def test_manifest_describes_model(model: Path, tmp_path: Path) -> None:
    from medrep_seg.export import MANIFEST, export_model

    exported = export_model(model, tmp_path / "exported")
    manifest = json.loads((exported / MANIFEST).read_text(encoding="utf-8"))
    kinds = {(entry["kind"], entry["name"]) for entry in manifest["plugins"]}

    assert manifest["format"] == "medrep-seg-model"
    assert manifest["channels"] == ["FLAIR"]
    assert manifest["folds"] == ["all"]
    assert manifest["network"]["name"] == "plain-unet"
    assert ("loss", "dice-ce") in kinds
    assert ("preprocessor", "zscore") in kinds
    assert {"medrep", "nnunetv2", "torch"} <= set(manifest["versions"])
    assert "fold_all/checkpoint_final.pth" in manifest["files"]
    assert (exported / "dataset_fingerprint.json").is_file()


def test_weights_only_checkpoint(model: Path, tmp_path: Path) -> None:
    import torch

    from medrep_seg.export import export_model

    exported = export_model(model, tmp_path / "exported")
    checkpoint = torch.load(exported / "fold_all" / "checkpoint_final.pth", weights_only=True)

    assert "optimizer_state" not in checkpoint
    assert "network_weights" in checkpoint


def test_zip_round_trip_predicts(model: Path, tmp_path: Path) -> None:
    from medrep_seg.export import export_model, import_model
    from medrep_seg.nnunet.predictor import predict

    archive = export_model(model, tmp_path / "model.zip")
    backup = tmp_path / "original"
    shutil.move(model, backup)
    try:
        imported = import_model(archive)
        image, _ = sphere_case(np.random.default_rng(7))
        (tmp_path / "in" / "case").mkdir(parents=True)
        nib.save(nib.Nifti1Image(image, np.eye(4)), tmp_path / "in" / "case" / "case_fld.nii.gz")
        result = predict(imported, tmp_path / "in", tmp_path / "out", mirroring=False)

        assert zipfile.is_zipfile(archive)
        assert imported == model
        assert nib.load(result.files[0]).shape == image.shape
        with pytest.raises(DataError, match="already exists"):
            import_model(archive)
    finally:
        shutil.rmtree(model, ignore_errors=True)
        shutil.move(backup, model)


def test_tampered_file_rejected(model: Path, tmp_path: Path) -> None:
    from medrep_seg.export import export_model, import_model

    exported = export_model(model, tmp_path / "exported")
    with (exported / "plans.json").open("a", encoding="utf-8") as stream:
        stream.write(" ")

    with pytest.raises(DataError, match="plans.json .* does not match its checksum"):
        import_model(exported, overwrite=True)


def test_missing_plugin_rejected(model: Path, tmp_path: Path) -> None:
    from medrep_seg.export import MANIFEST, export_model, import_model

    exported = export_model(model, tmp_path / "exported")
    manifest = json.loads((exported / MANIFEST).read_text(encoding="utf-8"))
    manifest["plugins"].append({"kind": "loss", "name": "focal-tversky", "distribution": "medrep-extra", "version": "9.9"})
    (exported / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")

    with pytest.raises(DataError, match="loss 'focal-tversky' \\(from medrep-extra 9.9\\)"):
        import_model(exported, overwrite=True)
