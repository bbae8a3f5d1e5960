"""Augmentation plugins and the pipeline that merges the spatial ones into one resampling."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import medrep
from medrep.errors import PluginConfigError
from medrep.testing import check_plugin
from medrep_seg.augmentations import BUILTINS
from medrep_seg.augmentations.pipeline import NNUNET_DEFAULT_PIPELINE, AugmentationPipeline

PATCH = (16, 16, 16)


def sample(seed: int = 0) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    segmentation = torch.zeros(1, *PATCH, dtype=torch.int16)
    segmentation[:, 4:12, 4:12, 4:12] = 1
    return {"image": torch.randn(2, *PATCH, generator=generator), "segmentation": segmentation}


def run(transforms: list, data: dict) -> dict:
    for transform in transforms:
        data = transform(**data)
    return data


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_augmentation_passes_contract(name: str) -> None:
    assert check_plugin("augmentation", name)


@pytest.mark.parametrize("name", sorted(set(BUILTINS) - {"rotation", "scaling", "elastic"}))
def test_probability_zero_leaves_sample(name: str) -> None:
    data = sample()
    output = medrep.get("augmentation", name, probability=0.0).build(PATCH)(**{k: v.clone() for k, v in data.items()})

    assert torch.equal(output["image"], data["image"])
    assert torch.equal(output["segmentation"], data["segmentation"])


@pytest.mark.parametrize("name", ["gaussian-noise", "gaussian-blur", "brightness", "contrast", "gamma"])
def test_probability_one_changes_image(name: str) -> None:
    torch.manual_seed(3)
    np.random.seed(3)
    data = sample()
    output = medrep.get("augmentation", name, probability=1.0).build(PATCH)(**{k: v.clone() for k, v in data.items()})

    assert not torch.equal(output["image"], data["image"])
    assert torch.equal(output["segmentation"], data["segmentation"])


def test_seeded_pipeline_replays() -> None:
    pipeline = AugmentationPipeline(NNUNET_DEFAULT_PIPELINE)
    outputs = []
    for _ in range(2):
        torch.manual_seed(7)
        np.random.seed(7)
        outputs.append(run(pipeline.transforms(PATCH), sample()))

    assert torch.equal(outputs[0]["image"], outputs[1]["image"])
    assert torch.equal(outputs[0]["segmentation"], outputs[1]["segmentation"])


def test_spatial_plugins_merge_into_one_transform() -> None:
    from batchgeneratorsv2.transforms.spatial.spatial import SpatialTransform

    pipeline = AugmentationPipeline(
        [
            {"name": "rotation", "options": {"probability": 0.5, "degrees": 15}},
            {"name": "gaussian-noise"},
            {"name": "scaling", "options": {"range": [0.9, 1.1]}},
            {"name": "elastic", "options": {"probability": 0.3}},
        ]
    )
    transforms = pipeline.transforms(PATCH)
    spatial = [t for t in transforms if isinstance(t, SpatialTransform)]

    assert len(spatial) == 1
    assert transforms[0] is spatial[0]
    assert spatial[0].p_rotation == 0.5
    assert spatial[0].rotation == pytest.approx((-math.radians(15), math.radians(15)))
    assert spatial[0].scaling == (0.9, 1.1)
    assert spatial[0].p_elastic_deform == 0.3
    assert len(transforms) == 2


def test_spatial_transform_crops_larger_patch() -> None:
    pipeline = AugmentationPipeline([])
    data = {"image": torch.randn(1, 24, 24, 24), "segmentation": torch.zeros(1, 24, 24, 24, dtype=torch.int16)}

    output = run(pipeline.transforms(PATCH), data)

    assert tuple(output["image"].shape) == (1, *PATCH)
    assert torch.allclose(output["image"], data["image"][:, 4:20, 4:20, 4:20], atol=1e-5)


def test_duplicate_spatial_plugin_rejected() -> None:
    with pytest.raises(PluginConfigError, match="both set"):
        AugmentationPipeline([{"name": "rotation"}, {"name": "rotation"}])


def test_mirror_axes_for_test_time() -> None:
    assert AugmentationPipeline(NNUNET_DEFAULT_PIPELINE).mirror_axes(3) == (0, 1, 2)
    assert AugmentationPipeline([{"name": "mirror", "options": {"axes": [1, 2]}}]).mirror_axes(3) == (1, 2)
    assert AugmentationPipeline([{"name": "rotation"}]).mirror_axes(3) is None


def test_mirror_flips_image_and_label_together() -> None:
    torch.manual_seed(0)
    data = sample()
    data["segmentation"][:, 0:2] = 2
    output = medrep.get("augmentation", "mirror", axes=[0]).build(PATCH)(**{k: v.clone() for k, v in data.items()})
    flipped = not torch.equal(output["image"], data["image"])

    assert torch.equal(output["image"], torch.flip(data["image"], [1]) if flipped else data["image"])
    assert torch.equal(output["segmentation"], torch.flip(data["segmentation"], [1]) if flipped else data["segmentation"])


def test_invalid_range_rejected() -> None:
    with pytest.raises(PluginConfigError, match="minimum 1.5 is larger than maximum 0.5"):
        medrep.get("augmentation", "scaling", range=[1.5, 0.5])
