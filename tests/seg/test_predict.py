"""Inference: geometry of the outputs, channel matching, padding, ensembling, post-processing."""

from __future__ import annotations

import json
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

import medrep
from medrep.errors import DataError
from medrep.kinds import ImageCase, Preprocessor
from tests.seg.synthetic_nnunet import prepare_dataset, sphere_case

OPTIONS = {
    "epochs": 2,
    "iterations_per_epoch": 3,
    "val_iterations_per_epoch": 1,
    "workers": 0,
    "folds": 2,
    "threads": 2,
    "final_validation": True,
    "validation_mirroring": False,
}


@pytest.fixture(scope="module")
def model() -> Path:
    from medrep_seg.nnunet.training import train

    dataset = prepare_dataset(931, "PredictSpheres", cases=4)
    return train(dataset, folds=[0, 1], options=OPTIONS, postprocessing=False).model_folder


def save(image: np.ndarray, affine: np.ndarray, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nib.save(nib.Nifti1Image(image, affine), path)
    return path


@pytest.fixture(scope="module")
def sample() -> tuple[np.ndarray, np.ndarray]:
    return sphere_case(np.random.default_rng(42))


def test_outputs_in_each_input_geometry(model: Path, sample: tuple, tmp_path: Path) -> None:
    from medrep_seg.nnunet.predictor import predict

    image, _ = sample
    ras = np.eye(4)
    ras[:3, 3] = [10.0, -20.0, 5.0]
    # The same voxels stored with flipped first two axes: an LPS header describing the same world.
    lps = ras @ np.array([[-1, 0, 0, 23], [0, -1, 0, 23], [0, 0, 1, 0], [0, 0, 0, 1]], dtype=float)
    save(image, ras, tmp_path / "in" / "ras_case" / "ras_case_fld.nii.gz")
    save(image[::-1, ::-1].copy(), lps, tmp_path / "in" / "lps_case" / "lps_case-t2f.nii.gz")

    result = predict(model, tmp_path / "in", tmp_path / "out", mirroring=False)
    written = {path.name: nib.load(path) for path in result.files}
    ras_prediction = np.asanyarray(written["ras_case.nii.gz"].dataobj)
    lps_prediction = np.asanyarray(written["lps_case.nii.gz"].dataobj)

    assert nib.aff2axcodes(written["ras_case.nii.gz"].affine) == ("R", "A", "S")
    assert nib.aff2axcodes(written["lps_case.nii.gz"].affine) == ("L", "P", "S")
    assert np.allclose(written["ras_case.nii.gz"].affine, ras)
    assert np.allclose(written["lps_case.nii.gz"].affine, lps)
    assert np.array_equal(ras_prediction, lps_prediction[::-1, ::-1])
    assert ras_prediction.any()


def test_image_smaller_than_patch(model: Path, sample: tuple, tmp_path: Path) -> None:
    from medrep_seg.nnunet.predictor import predict

    image, _ = sample
    small = image[4:20, 5:19, 6:18].copy()
    save(small, np.eye(4), tmp_path / "in" / "small" / "flair.nii.gz")

    result = predict(model, tmp_path / "in" / "small", tmp_path / "out", mirroring=False)

    assert nib.load(result.files[0]).shape == small.shape


def test_channels_matched_by_modality_name(tmp_path: Path) -> None:
    from medrep_seg.nnunet.predictor import find_cases

    folder = tmp_path / "BraTS-GLI-00001-000"
    for suffix in ("t1c", "t2f", "t1n", "inpainting-mask"):
        save(np.zeros((2, 2, 2), np.float32), np.eye(4), folder / f"BraTS-GLI-00001-000-{suffix}.nii.gz")
    save(np.zeros((2, 2, 2), np.float32), np.eye(4), folder / "BraTS-GLI-00001-000-brainmask.nii.gz")

    case = find_cases(folder, ["FLAIR", "T1c"])[0]

    assert [path.name for path in case.images] == ["BraTS-GLI-00001-000-t2f.nii.gz", "BraTS-GLI-00001-000-t1c.nii.gz"]
    assert case.mask is not None and case.mask.name == "BraTS-GLI-00001-000-brainmask.nii.gz"
    assert find_cases(folder, ["T1"], {"t1n": "T1"})[0].images[0].name == "BraTS-GLI-00001-000-t1n.nii.gz"


def test_missing_channel_names_case(tmp_path: Path) -> None:
    from medrep_seg.nnunet.predictor import find_cases

    save(np.zeros((2, 2, 2), np.float32), np.eye(4), tmp_path / "case1" / "case1_fld.nii.gz")

    with pytest.raises(DataError, match="case case1: no file for the model's channel 'T1c'"):
        find_cases(tmp_path, ["FLAIR", "T1c"])


def test_fold_ensemble_averages_logits(model: Path, sample: tuple) -> None:
    import torch

    from medrep_seg.nnunet.predictor import _ensemble_logits, _predictor, load_model

    image, _ = sample
    data = np.ascontiguousarray(image[None, :, :, :])
    both = load_model(model, device="cpu")
    logits = _ensemble_logits(_predictor(both, mirroring=False, tile_step_size=0.5), both, data)
    per_fold = []
    for fold in (0, 1):
        single = load_model(model, folds=[fold], device="cpu")
        per_fold.append(_ensemble_logits(_predictor(single, mirroring=False, tile_step_size=0.5), single, data))

    assert both.folds == ["0", "1"]
    assert torch.allclose(logits, (per_fold[0] + per_fold[1]) / 2, atol=1e-5)
    assert not torch.allclose(per_fold[0], per_fold[1])


class Blackout(Preprocessor):
    """A third-party normaliser that erases the image."""

    def __call__(self, case: ImageCase) -> ImageCase:
        case.image = np.zeros_like(case.image)
        return case


def test_third_party_preprocessor_changes_predictions(model: Path, sample: tuple, tmp_path: Path) -> None:
    from medrep_seg.nnunet.predictor import predict

    image, _ = sample
    save(image, np.eye(4), tmp_path / "in" / "case" / "case_fld.nii.gz")
    default = predict(model, tmp_path / "in", tmp_path / "default", mirroring=False).files[0]
    medrep.register("preprocessor", "zscore", Blackout, replace=True)
    try:
        replaced = predict(model, tmp_path / "in", tmp_path / "replaced", mirroring=False).files[0]
    finally:
        medrep.unregister("preprocessor", "zscore")

    assert not np.array_equal(np.asanyarray(nib.load(default).dataobj), np.asanyarray(nib.load(replaced).dataobj))


def test_postprocessing_decided_on_folds(model: Path) -> None:
    from medrep_seg.nnunet.postprocessing import DECISION_FILE, determine_postprocessing

    decision = determine_postprocessing(model)
    stored = json.loads((model / DECISION_FILE).read_text(encoding="utf-8"))

    assert decision["folds"] == [0, 1]
    assert stored == decision
    assert all(step["operation"] == "keep_largest_component" for step in decision["steps"])
    assert 0.0 <= decision["dice_before"] <= 1.0


def test_no_postprocessing_without_folds(tmp_path: Path) -> None:
    from medrep_seg.nnunet.postprocessing import determine_postprocessing

    decision = determine_postprocessing(tmp_path)

    assert decision["steps"] == []
    assert "fold 'all'" in decision["reason"]


def test_keep_largest_component_applied() -> None:
    from medrep_seg.nnunet.postprocessing import apply_postprocessing

    segmentation = np.zeros((10, 10, 10), dtype=np.uint8)
    segmentation[1:4, 1:4, 1:4] = 1
    segmentation[7, 7, 7] = 1
    decision = {"steps": [{"operation": "keep_largest_component", "labels_or_regions": [1]}]}

    kept = apply_postprocessing(segmentation, decision)

    assert kept.sum() == 27
    assert kept[7, 7, 7] == 0
    assert segmentation[7, 7, 7] == 1
