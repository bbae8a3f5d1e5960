"""The real BraTS, MS and ISLES cases convert, check, plan on a CPU budget and preprocess."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import medrep
from medrep_seg.dataset import DatasetSpec, check_dataset, convert_dataset

SOURCES = {
    "Dataset061_BraTS2015": ("brain-tumour/train", DatasetSpec(channels=["fld", "t1c"], labels="brats2015"), 2),
    "Dataset062_MSLesjak": (
        "brain-lesion/ms-lesjak",
        DatasetSpec(layout="glob", channel_globs={"FLAIR": "FLAIR*.nii.gz"}, label_glob="GOLD_STANDARD*.nii.gz"),
        3,
    ),
    "Dataset063_ISLES22": (
        "brain-lesion/isles22",
        DatasetSpec(
            layout="glob",
            channel_globs={"DWI": "*_dwi.nii.gz", "ADC": "*_adc.nii.gz", "FLAIR": "*_flair.nii.gz"},
            label_glob="*_msk.nii.gz",
            resample_to_label=True,
        ),
        0,
    ),
}


@pytest.fixture(scope="module")
def pipeline(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict]]:
    """Convert, plan (0.5 GB budget) and preprocess (2 processes) the three real datasets once."""
    from medrep_seg.nnunet.planning import plan_dataset
    from medrep_seg.nnunet.preprocessing import preprocess_dataset

    workdir = tmp_path_factory.mktemp("real-pipeline")
    medrep.configure(workdir=workdir)
    plans = {}
    try:
        for name, (source, spec, folds) in SOURCES.items():
            convert_dataset(data_dir / source, name, spec)
            plans[name] = plan_dataset(name, memory_budget_gb=0.5, folds=folds, num_processes=1)
            preprocess_dataset(name, num_processes=2)
        yield workdir, plans
    finally:
        medrep.configure()


def load_case(workdir: Path, dataset: str, identifier: str) -> tuple[np.ndarray, np.ndarray, dict]:
    from medrep_seg.nnunet.paths import ensure_environment

    ensure_environment()
    from nnunetv2.training.dataloading.nnunet_dataset import nnUNetDatasetBlosc2

    folder = workdir / "nnunet" / "nnUNet_preprocessed" / dataset / "medrepPlans_3d_fullres"
    data, seg, _, properties = nnUNetDatasetBlosc2(str(folder)).load_case(identifier)
    return np.asarray(data), np.asarray(seg), properties


def test_converted_datasets_pass_check(pipeline: tuple[Path, dict]) -> None:
    workdir, _ = pipeline
    raw = workdir / "nnunet" / "nnUNet_raw"

    reports = {name: check_dataset(raw / name) for name in SOURCES}

    assert {name: report.ok for name, report in reports.items()} == dict.fromkeys(SOURCES, True)
    assert {name: len(report.dataset.cases) for name, report in reports.items()} == {
        "Dataset061_BraTS2015": 4, "Dataset062_MSLesjak": 3, "Dataset063_ISLES22": 1,
    }
    assert reports["Dataset063_ISLES22"].dataset.channel_names == ["DWI", "ADC", "FLAIR"]


def test_cpu_budget_gives_small_patches(pipeline: tuple[Path, dict]) -> None:
    _, plans = pipeline

    patches = {name: plan["configurations"]["3d_fullres"]["patch_size"] for name, plan in plans.items()}

    assert all(max(patch) <= 64 for patch in patches.values()), patches
    assert patches["Dataset062_MSLesjak"] == [48, 64, 48]
    assert {name: plan["configurations"]["3d_fullres"]["batch_size"] for name, plan in plans.items()} == dict.fromkeys(SOURCES, 2)


def test_brats_cropped_to_brain_mask(pipeline: tuple[Path, dict]) -> None:
    workdir, _ = pipeline

    data, seg, properties = load_case(workdir, "Dataset061_BraTS2015", "brats_2013_pat0001_1")

    # The images are z-scored upstream with a negative background: the brain mask, not
    # nonzero voxels, sets the box (axes in nnU-Net's order: z, y, x after RAS reorientation).
    assert properties["shape_before_cropping"] == (155, 240, 240)
    assert properties["bbox_used_for_cropping"] == [[10, 142], [21, 197], [53, 189]]
    assert data.shape == (2, 132, 176, 136)
    assert sorted(np.unique(seg).tolist()) == [0, 1]
    assert bool(np.isfinite(data).all())


def test_ms_normalised_inside_brain(pipeline: tuple[Path, dict]) -> None:
    workdir, _ = pipeline

    data, seg, _ = load_case(workdir, "Dataset062_MSLesjak", "patient19")

    brain = data[0] != 0
    assert float(data[0][brain].mean()) == pytest.approx(0.0, abs=1e-3)
    assert float(data[0][brain].std()) == pytest.approx(1.0, abs=1e-3)
    assert int((seg == 1).sum()) == 49769


def test_isles_channels_on_label_grid(pipeline: tuple[Path, dict]) -> None:
    workdir, plans = pipeline

    data, seg, properties = load_case(workdir, "Dataset063_ISLES22", "sub-strokecase0009")

    assert plans["Dataset063_ISLES22"]["configurations"]["3d_fullres"]["spacing"] == [2.0, 2.0, 2.0]
    assert properties["shape_before_cropping"] == (73, 112, 112)
    assert data.shape[0] == 3
    assert data.shape[1:] == seg.shape[1:]
    assert int((seg == 1).sum()) == 523
