"""The plain-unet network plugin: topology from the plan, options, contract."""

from __future__ import annotations

import pytest
import torch

import medrep
from medrep.errors import DataError, PluginConfigError
from medrep.testing import check_plugin


def architecture() -> dict:
    return medrep.get("network", "plain-unet").example_architecture()


def test_plain_unet_passes_contract() -> None:
    assert check_plugin("network", "plain-unet")


def test_deep_supervision_outputs_per_level() -> None:
    network = medrep.get("network", "plain-unet").build(architecture(), 2, 3, deep_supervision=True)

    with torch.no_grad():
        outputs = network(torch.randn(1, 2, 32, 32, 32))

    assert [tuple(output.shape) for output in outputs] == [(1, 3, 32, 32, 32), (1, 3, 16, 16, 16)]


def test_topology_follows_plan() -> None:
    network = medrep.get("network", "plain-unet").build(architecture(), 1, 2, deep_supervision=False)

    assert len(network.encoder.stages) == 3
    assert network.encoder.output_channels == [8, 16, 32]
    assert isinstance(network.encoder.stages[0][0].convs[0].norm, torch.nn.InstanceNorm3d)
    assert isinstance(network.encoder.stages[0][0].convs[0].nonlin, torch.nn.LeakyReLU)


def test_options_change_blocks_and_features() -> None:
    plugin = medrep.get("network", "plain-unet", norm="batch", nonlinearity="relu", base_features=4, max_features=12)
    network = plugin.build(architecture(), 1, 2, deep_supervision=False)

    assert network.encoder.output_channels == [4, 8, 12]
    assert isinstance(network.encoder.stages[0][0].convs[0].norm, torch.nn.BatchNorm3d)
    assert isinstance(network.encoder.stages[0][0].convs[0].nonlin, torch.nn.ReLU)


def test_two_dimensional_plan() -> None:
    plan = {
        "arch_kwargs": {
            "n_stages": 2,
            "features_per_stage": [4, 8],
            "kernel_sizes": [[3, 3], [3, 3]],
            "strides": [[1, 1], [2, 2]],
            "n_conv_per_stage": [1, 1],
            "n_conv_per_stage_decoder": [1],
        }
    }
    network = medrep.get("network", "plain-unet").build(plan, 1, 2, deep_supervision=False)

    assert tuple(network(torch.randn(1, 1, 16, 16)).shape) == (1, 2, 16, 16)


def test_plan_without_topology_raises() -> None:
    with pytest.raises(DataError, match="lacks n_stages"):
        medrep.get("network", "plain-unet").build({"arch_kwargs": {}}, 1, 2)


def test_invalid_norm_rejected() -> None:
    with pytest.raises(PluginConfigError, match="norm"):
        medrep.get("network", "plain-unet", norm="group")
