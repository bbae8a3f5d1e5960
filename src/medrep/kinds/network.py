"""The ``network`` kind: builds the torch module that a trainer optimises."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

from medrep.kinds._base import Plugin


class Network(Plugin):
    """Build a segmentation network.

    Contract: ``build(architecture, in_channels, out_channels, deep_supervision)`` returns
    a ``torch.nn.Module``. ``architecture`` is the plan's description of the topology (a
    dictionary as nnU-Net plans store it). The module maps a float32 tensor of shape
    ``(B, in_channels, X, Y, Z)`` to logits of shape ``(B, out_channels, X, Y, Z)``; with
    deep supervision it returns a list of logits, full resolution first. The trainer
    turns deep supervision off for inference by setting ``module.decoder.deep_supervision``
    when the module has that attribute (dynamic_network_architectures' U-Nets do); other
    modules should honour the ``deep_supervision`` argument alone. A network may provide
    ``example_architecture()`` returning a small topology for contract tests.
    """

    kind: ClassVar[str] = "network"

    @abstractmethod
    def build(
        self,
        architecture: dict[str, Any],
        in_channels: int,
        out_channels: int,
        deep_supervision: bool = True,
    ) -> Any:
        """Return the network module."""
