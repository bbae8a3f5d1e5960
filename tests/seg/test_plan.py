"""Fingerprint, plans and preprocessing through nnunetv2 in-process, on a tiny synthetic dataset."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import click
import nibabel as nib
import numpy as np
import pytest
from click.testing import CliRunner
from pydantic import Field

import medrep
from medrep.config import PluginConfig
from medrep.errors import DataError
from medrep.kinds import ImageCase, Preprocessor
from medrep_seg.dataset import DatasetSpec, convert_dataset

SHAPE = (20, 22, 18)


class AddOffset(Preprocessor):
    """Add a constant to every voxel: a stand-in for a third-party preprocessor."""

    class Config(PluginConfig):
        offset: float = Field(default=100.0, description="value added")

    def __call__(self, case: ImageCase) -> ImageCase:
        return dataclasses.replace(case, image=case.image + np.float32(self.config.offset))


class ConstantNormaliser(Preprocessor):
    """Replace every image voxel by 7: a stand-in for a third-party replacement of zscore."""

    def __call__(self, case: ImageCase) -> ImageCase:
        return dataclasses.replace(case, image=np.full_like(case.image, 7.0))


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    medrep.configure(workdir=tmp_path / "work")
    yield tmp_path / "work"
    medrep.configure()


def write_source(root: Path, cases: int, seed: int = 0) -> Path:
    """Write case folders: a noisy brain box on a constant -1 background, a bright lesion, a brain mask."""
    rng = np.random.default_rng(seed)
    affine = np.diag([1.0, 1.0, 1.0, 1.0])
    for index in range(cases):
        folder = root / f"case{index}"
        folder.mkdir(parents=True)
        image = np.full(SHAPE, -1.0, dtype=np.float32)
        image[3:17, 4:18, 2 + index : 16] = rng.normal(1.0, 0.2, (14, 14, 14 - index))
        label = np.zeros(SHAPE, dtype=np.uint8)
        label[8:12, 8:12, 8:12] = 1
        image[label == 1] += 2.0
        brain = np.zeros(SHAPE, dtype=np.float32)
        brain[3:17, 4:18, 2 + index : 16] = 0.99999997
        for name, data in (("fld", image), ("seg", label), ("brainmask", brain)):
            nib.save(nib.Nifti1Image(data, affine), folder / f"case{index}_{name}.nii.gz")
    return root


def converted(tmp_path: Path, name: str, cases: int) -> str:
    convert_dataset(write_source(tmp_path / f"src-{name}", cases), name, DatasetSpec())
    return name


def load_preprocessed(workdir: Path, dataset: str) -> dict[str, tuple[np.ndarray, np.ndarray, dict]]:
    from medrep_seg.nnunet.paths import ensure_environment

    ensure_environment()
    from nnunetv2.training.dataloading.nnunet_dataset import nnUNetDatasetBlosc2

    folder = workdir / "nnunet" / "nnUNet_preprocessed" / dataset / "medrepPlans_3d_fullres"
    loaded = nnUNetDatasetBlosc2(str(folder))
    result = {}
    for identifier in loaded.identifiers:
        data, seg, _, properties = loaded.load_case(identifier)
        result[identifier] = (np.asarray(data), np.asarray(seg), properties)
    return result


def test_five_folds_with_two_cases_rejected(tmp_path: Path, workdir: Path) -> None:
    from medrep_seg.nnunet.planning import plan_dataset

    dataset = converted(tmp_path, "Dataset041_Two", 2)

    with pytest.raises(DataError) as error:
        plan_dataset(dataset, folds=5)

    assert error.value.message == "5-fold cross-validation needs at least 5 training cases, and Dataset041_Two has 2"
    assert error.value.hint == "add cases, set folds to 2 or fewer, or set folds to 0 to train on every case without cross-validation"
    assert not (workdir / "nnunet" / "nnUNet_preprocessed" / "Dataset041_Two" / "medrepPlans.json").exists()


@pytest.mark.parametrize("folds", [1, -1], ids=["one", "negative"])
def test_invalid_fold_count_rejected(tmp_path: Path, workdir: Path, folds: int) -> None:
    from medrep_seg.nnunet.planning import plan_dataset

    dataset = converted(tmp_path, "Dataset042_Folds", 2)

    with pytest.raises(DataError, match=f"invalid number of cross-validation folds: {folds}"):
        plan_dataset(dataset, folds=folds)


def test_plan_and_preprocess_default_chain(tmp_path: Path, workdir: Path) -> None:
    from medrep_seg.nnunet.planning import format_plan_table, plan_dataset
    from medrep_seg.nnunet.preprocessing import CHAIN_KEY, preprocess_dataset

    dataset = converted(tmp_path, "Dataset043_Plan", 3)

    plans = plan_dataset(dataset, memory_budget_gb=0.5, folds=3, num_processes=1)
    preprocess_dataset(dataset, num_processes=1)

    preprocessed = workdir / "nnunet" / "nnUNet_preprocessed" / dataset
    fingerprint = json.loads((preprocessed / "dataset_fingerprint.json").read_text())
    # nnU-Net's nibabel reader reverses the axes (x, y, z -> z, y, x), as its SimpleITK reader does.
    assert fingerprint["shapes_after_crop"] == [[14, 14, 14], [13, 14, 14], [12, 14, 14]]
    fullres = plans["configurations"]["3d_fullres"]
    assert fullres["preprocessor_name"] == "MedrepPreprocessor"
    assert fullres[CHAIN_KEY] == [{"name": "crop", "options": {}}, {"name": "zscore", "options": {}}, {"name": "resample", "options": {}}]
    assert fullres["patch_size"] == [14, 14, 14]
    assert fullres["spacing"] == [1.0, 1.0, 1.0]
    splits = json.loads((preprocessed / "splits_final.json").read_text())
    assert len(splits) == 3
    assert sorted(case for split in splits for case in split["val"]) == ["case0", "case1", "case2"]
    table = format_plan_table(plans)
    assert "median shape after cropping: 13 x 14 x 14" in table
    assert "patch size (voxels)    14 x 14                     14 x 14 x 14" in table
    assert "preprocessors          crop -> zscore -> resample" in table

    cases = load_preprocessed(workdir, dataset)
    data, seg, properties = cases["case1"]
    assert data.shape == (1, 13, 14, 14)
    assert seg.shape == (1, 13, 14, 14)
    assert properties["bbox_used_for_cropping"] == [[3, 16], [4, 18], [3, 17]]
    assert sorted(np.unique(seg).tolist()) == [0, 1]
    assert float(data.mean()) == pytest.approx(0.0, abs=1e-5)
    assert float(data.std()) == pytest.approx(1.0, rel=1e-4)
    assert len(properties["class_locations"][1]) == 64
    assert (preprocessed / "gt_segmentations" / "case1.nii.gz").is_file()
    assert (preprocessed / "medrep_runs" / "preprocess-3d_fullres" / "run.json").is_file()


def test_inference_matches_training_preprocessing(tmp_path: Path, workdir: Path) -> None:
    from batchgenerators.utilities.file_and_folder_operations import load_json

    from medrep_seg.nnunet.planning import plan_dataset, plans_path
    from medrep_seg.nnunet.preprocessing import MedrepPlansManager, MedrepPreprocessor, preprocess_case, preprocess_dataset

    dataset = converted(tmp_path, "Dataset044_Infer", 2)
    plan_dataset(dataset, memory_budget_gb=0.5, folds=2, num_processes=1)
    preprocess_dataset(dataset, num_processes=1)
    plans_manager = MedrepPlansManager(str(plans_path(dataset)))
    configuration = plans_manager.get_configuration("3d_fullres")
    raw = workdir / "nnunet" / "nnUNet_raw" / dataset
    dataset_json = load_json(str(raw / "dataset.json"))

    data, properties = preprocess_case([str(raw / "imagesTr" / "case0_0000.nii.gz")], plans_manager, configuration, dataset_json)

    training, _, training_properties = load_preprocessed(workdir, dataset)["case0"]
    np.testing.assert_array_equal(data, training)
    assert properties["bbox_used_for_cropping"] == training_properties["bbox_used_for_cropping"]
    assert configuration.preprocessor_class is MedrepPreprocessor


def test_third_party_preprocessor_takes_effect(tmp_path: Path, workdir: Path) -> None:
    from medrep_seg.nnunet.planning import plan_dataset
    from medrep_seg.nnunet.preprocessing import preprocess_dataset

    dataset = converted(tmp_path, "Dataset045_Offset", 2)
    medrep.register("preprocessor", "add-offset-test", AddOffset)
    try:
        chain = ["crop", "zscore", {"name": "add-offset-test", "options": {"offset": 100.0}}, "resample"]
        plan_dataset(dataset, memory_budget_gb=0.5, folds=2, preprocessors=chain, num_processes=1)
        preprocess_dataset(dataset, num_processes=2)
    finally:
        medrep.unregister("preprocessor", "add-offset-test")

    for data, _, _ in load_preprocessed(workdir, dataset).values():
        assert float(data.min()) > 90.0
        assert float(data.mean()) == pytest.approx(100.0, abs=1e-4)


def test_replaced_builtin_takes_effect(tmp_path: Path, workdir: Path) -> None:
    from medrep_seg.nnunet.planning import plan_dataset
    from medrep_seg.nnunet.preprocessing import preprocess_dataset

    dataset = converted(tmp_path, "Dataset046_Replace", 2)
    plan_dataset(dataset, memory_budget_gb=0.5, folds=0, num_processes=1)
    medrep.register("preprocessor", "zscore", ConstantNormaliser, replace=True)
    try:
        preprocess_dataset(dataset, num_processes=1)
    finally:
        medrep.unregister("preprocessor", "zscore")

    for data, _, _ in load_preprocessed(workdir, dataset).values():
        assert np.unique(data).tolist() == [7.0]
    assert not (workdir / "nnunet" / "nnUNet_preprocessed" / dataset / "splits_final.json").exists()


def test_unknown_preprocessor_rejected_before_planning(tmp_path: Path, workdir: Path) -> None:
    from medrep_seg.nnunet.planning import plan_dataset

    dataset = converted(tmp_path, "Dataset047_Unknown", 2)

    with pytest.raises(medrep.UnknownPluginError, match="cropp"):
        plan_dataset(dataset, folds=2, preprocessors=["cropp", "zscore"])
    assert not (workdir / "nnunet" / "nnUNet_preprocessed" / dataset / "dataset_fingerprint.json").exists()


def test_dataset_not_found_lists_datasets(tmp_path: Path, workdir: Path) -> None:
    from medrep_seg.nnunet.planning import plan_dataset

    converted(tmp_path, "Dataset048_There", 2)

    with pytest.raises(DataError, match="dataset '049' not found in .*; datasets there: Dataset048_There"):
        plan_dataset("049")


def test_preprocess_needs_plans(tmp_path: Path, workdir: Path) -> None:
    from medrep_seg.nnunet.preprocessing import preprocess_dataset

    dataset = converted(tmp_path, "Dataset050_NoPlans", 2)

    with pytest.raises(DataError, match="no plans 'medrepPlans' for Dataset050_NoPlans"):
        preprocess_dataset(dataset)


@pytest.fixture
def cli() -> click.Group:
    from medrep.cli import cli as root
    from medrep_seg.cli import seg

    root.add_command(seg)
    return root


def test_cli_plan_prints_table(tmp_path: Path, workdir: Path, cli: click.Group) -> None:
    dataset = converted(tmp_path, "Dataset051_Cli", 2)

    result = CliRunner().invoke(
        cli,
        ["-q", "--workdir", str(workdir), "seg", "plan", "51", "--memory-budget", "0.5", "--folds", "2",
         "--set", "crop.margin=1", "--processes", "1"],
    )

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"dataset: {dataset}    plans: medrepPlans"
    assert "patch size (voxels)" in result.output
    plans = json.loads((workdir / "nnunet" / "nnUNet_preprocessed" / dataset / "medrepPlans.json").read_text())
    assert plans["configurations"]["3d_fullres"]["medrep_preprocessors"][0] == {"name": "crop", "options": {"margin": 1}}


def test_cli_plan_rejects_option_of_missing_step(tmp_path: Path, workdir: Path, cli: click.Group) -> None:
    converted(tmp_path, "Dataset052_Set", 2)

    result = CliRunner().invoke(cli, ["--workdir", str(workdir), "seg", "plan", "52", "--set", "resample.order=1", "--preprocessors", "crop,zscore"])

    assert result.exit_code == 2
    assert "resample not in the chain ['crop', 'zscore']" in result.output
