"""Tiny synthetic nnU-Net datasets for trainer and predictor tests, prepared with nnunetv2's own API.

Each case is a 24^3 volume at 1 mm holding one bright sphere (the label) in Gaussian noise,
so a network learns it in a few iterations.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

SHAPE = (24, 24, 24)


def sphere_case(rng: np.random.Generator, shape: tuple[int, ...] = SHAPE) -> tuple[np.ndarray, np.ndarray]:
    """Return a noisy image and the binary label of the bright sphere in it."""
    grid = np.indices(shape).astype(float)
    centre = rng.uniform(8, min(shape) - 8, 3)
    radius = rng.uniform(4, 6)
    label = (((grid - centre[:, None, None, None]) ** 2).sum(0) < radius**2).astype(np.uint8)
    image = rng.normal(0, 0.3, shape) + 2.0 * label
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
    }
    (folder / "dataset.json").write_text(json.dumps(dataset_json), encoding="utf-8")
    return folder.name


def prepare_dataset(dataset_id: int, name: str, **options: object) -> str:
    """Write, fingerprint, plan and preprocess (3d_fullres) a synthetic dataset; return its name."""
    from medrep_seg.nnunet.paths import ensure_environment

    folders = ensure_environment()
    dataset = write_raw_dataset(folders.raw, dataset_id, name, **options)

    from nnunetv2.experiment_planning.plan_and_preprocess_api import (
        extract_fingerprint_dataset,
        plan_experiment_dataset,
        preprocess_dataset,
    )

    extract_fingerprint_dataset(dataset_id, num_processes=1, check_dataset_integrity=False, clean=True, verbose=False)
    _, plans_identifier = plan_experiment_dataset(dataset_id)
    preprocess_dataset(dataset_id, plans_identifier, configurations=["3d_fullres"], num_processes=[1], verbose=False)
    return dataset
