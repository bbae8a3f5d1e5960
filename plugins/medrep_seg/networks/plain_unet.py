"""The ``plain-unet`` network: nnU-Net's default U-Net with its topology taken from the plan."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from medrep.config import PluginConfig
from medrep.errors import DataError
from medrep.kinds import Network

#: Keys of a plan's ``architecture.arch_kwargs`` that define the U-Net topology.
TOPOLOGY_KEYS = ("n_stages", "features_per_stage", "kernel_sizes", "strides", "n_conv_per_stage", "n_conv_per_stage_decoder")


class PlainUNet(Network):
    """U-Net of plain convolution blocks (dynamic_network_architectures' PlainConvUNet).

    The number of stages, kernel sizes, strides and features per stage come from the plan,
    so the network fits the planned patch size. Each block is convolution, normalisation
    and a nonlinearity; the decoder returns one output per resolution with deep
    supervision. Weights are initialised with He initialisation (negative slope 1e-2), as
    nnU-Net does. The options below change the blocks, never the topology, except
    ``base_features`` and ``max_features``, which rescale the feature counts.
    """

    class Config(PluginConfig):
        norm: Literal["instance", "batch"] = Field(
            default="instance", description="normalisation layer: instance norm (nnU-Net default) or batch norm"
        )
        nonlinearity: Literal["leaky-relu", "relu"] = Field(
            default="leaky-relu", description="activation after each normalisation"
        )
        negative_slope: float = Field(default=0.01, ge=0.0, le=1.0, description="slope of LeakyReLU for x < 0")
        dropout: float = Field(default=0.0, ge=0.0, lt=1.0, description="dropout probability after each block (0: none)")
        base_features: int | None = Field(
            default=None, ge=1, description="features of the first stage, doubled per stage; default: the plan's"
        )
        max_features: int | None = Field(
            default=None, ge=1, description="cap on the features of any stage; default: the plan's largest stage"
        )

    def build(
        self,
        architecture: dict[str, Any],
        in_channels: int,
        out_channels: int,
        deep_supervision: bool = True,
    ) -> Any:
        """Return a PlainConvUNet for the plan's ``architecture`` (``{"arch_kwargs": {...}}``)."""
        import torch
        from dynamic_network_architectures.architectures.unet import PlainConvUNet

        kwargs = architecture.get("arch_kwargs", architecture)
        missing = [key for key in TOPOLOGY_KEYS if key not in kwargs]
        if missing:
            raise DataError(
                f"the plan's architecture lacks {', '.join(missing)} needed by plain-unet",
                hint="plan with a U-Net planner (nnU-Net's default or ResEnc plans) or choose another network",
            )
        dimension = len(kwargs["kernel_sizes"][0])
        if dimension not in (2, 3):
            raise DataError(f"plain-unet supports 2-D and 3-D kernels, the plan has {dimension}-D kernels")

        conv_op = torch.nn.Conv3d if dimension == 3 else torch.nn.Conv2d
        norm_ops = {
            ("instance", 3): torch.nn.InstanceNorm3d,
            ("instance", 2): torch.nn.InstanceNorm2d,
            ("batch", 3): torch.nn.BatchNorm3d,
            ("batch", 2): torch.nn.BatchNorm2d,
        }
        dropout_op = (torch.nn.Dropout3d if dimension == 3 else torch.nn.Dropout2d) if self.config.dropout else None
        if self.config.nonlinearity == "leaky-relu":
            nonlin, nonlin_kwargs = torch.nn.LeakyReLU, {"negative_slope": self.config.negative_slope, "inplace": True}
        else:
            nonlin, nonlin_kwargs = torch.nn.ReLU, {"inplace": True}

        n_stages = int(kwargs["n_stages"])
        network = PlainConvUNet(
            input_channels=in_channels,
            n_stages=n_stages,
            features_per_stage=self._features(list(kwargs["features_per_stage"]), n_stages),
            conv_op=conv_op,
            kernel_sizes=kwargs["kernel_sizes"],
            strides=kwargs["strides"],
            n_conv_per_stage=kwargs["n_conv_per_stage"],
            num_classes=out_channels,
            n_conv_per_stage_decoder=kwargs["n_conv_per_stage_decoder"],
            conv_bias=bool(kwargs.get("conv_bias", True)),
            norm_op=norm_ops[(self.config.norm, dimension)],
            norm_op_kwargs={"eps": 1e-5, "affine": True},
            dropout_op=dropout_op,
            dropout_op_kwargs={"p": self.config.dropout, "inplace": True} if dropout_op else None,
            nonlin=nonlin,
            nonlin_kwargs=nonlin_kwargs,
            deep_supervision=deep_supervision,
        )
        network.apply(network.initialize)
        return network

    def _features(self, planned: list[int], n_stages: int) -> list[int]:
        cap = self.config.max_features or max(planned)
        if self.config.base_features is None:
            return [min(value, cap) for value in planned]
        return [min(self.config.base_features * 2**stage, cap) for stage in range(n_stages)]

    @staticmethod
    def example_architecture() -> dict[str, Any]:
        """Return a small three-stage 3-D topology (for 32^3 inputs), as a plan stores it."""
        return {
            "network_class_name": "dynamic_network_architectures.architectures.unet.PlainConvUNet",
            "arch_kwargs": {
                "n_stages": 3,
                "features_per_stage": [8, 16, 32],
                "kernel_sizes": [[3, 3, 3]] * 3,
                "strides": [[1, 1, 1], [2, 2, 2], [2, 2, 2]],
                "n_conv_per_stage": [2, 2, 2],
                "n_conv_per_stage_decoder": [2, 2],
                "conv_bias": True,
            },
        }

