"""Tiny synthetic datasets for trainer and predictor tests, planned and preprocessed by medrep.

Each case is a 24^3 volume at 1 mm: a noisy "brain" ball on a constant background of -1
(like z-scored MRI) holding one bright sphere, the label. A network learns it in a few
iterations.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

SHAPE = (24, 24, 24)


def sphere_case(rng: np.random.Generator, shape: tuple[int, ...] = SHAPE) -> tuple[np.ndarray, np.ndarray]:
    """Return an image and the binary label of the bright sphere in it."""
    grid = np.indices(shape).astype(float)
    middle = np.array(shape, dtype=float)[:, None, None, None] / 2 - 0.5
    brain = ((grid - middle) ** 2).sum(0) < (min(shape) / 2 - 1) ** 2
    centre = rng.uniform(9, min(shape) - 9, 3)
    radius = rng.uniform(3.5, 5)
    label = ((((grid - centre[:, None, None, None]) ** 2).sum(0) < radius**2) & brain).astype(np.uint8)
    image = np.where(brain, rng.normal(0, 0.3, shape) + 2.0 * label, -1.0)
    return image.astype(np.float32), label


def write_raw_dataset(
    raw: Path, dataset_id: int, name: str, *, cases: int = 4, empty_cases: tuple[int, ...] = (), seed: int = 0
) -> str:
    """Write ``DatasetNNN_name`` with ``cases`` sphere cases (labels of ``empty_cases`` all zero)."""
    import nibabel as nib

    folder = raw / f"Dataset{dataset_id:03d}_{name}"
    (folder / "imagesTr").mkdir(parents=True, exist_ok=True)
    (folder / "labelsTr").mkdir(exist_ok=True)
    rng = np.random.default_rng(seed)
    for index in range(cases):
        image, label = sphere_case(rng)
        if index in empty_cases:
            label[:] = 0
        affine = np.eye(4)
        nib.save(nib.Nifti1Image(image, affine), folder / "imagesTr" / f"case{index:02d}_0000.nii.gz")
        nib.save(nib.Nifti1Image(label, affine), folder / "labelsTr" / f"case{index:02d}.nii.gz")
    dataset_json = {
        "channel_names": {"0": "FLAIR"},
        "labels": {"background": 0, "tumour": 1},
        "numTraining": cases,
        "file_ending": ".nii.gz",
        "overwrite_image_reader_writer": "NibabelIOWithReorient",
    }
    (folder / "dataset.json").write_text(json.dumps(dataset_json), encoding="utf-8")
    return folder.name


def prepare_dataset(dataset_id: int, name: str, *, folds: int = 2, preprocessors: list | None = None, **options: object) -> str:
    """Write, plan and preprocess (3d_fullres) a synthetic dataset with medrep's API; return its name."""
    from medrep_seg.nnunet.paths import ensure_environment

    folders = ensure_environment()
    dataset = write_raw_dataset(folders.raw, dataset_id, name, **options)

    from medrep_seg.nnunet.planning import plan_dataset
    from medrep_seg.nnunet.preprocessing import preprocess_dataset

    plan_dataset(dataset, memory_budget_gb=0.5, folds=folds, preprocessors=preprocessors, num_processes=1)
    preprocess_dataset(dataset, configurations=["3d_fullres"], num_processes=1)
    return dataset
