"""The seven plugin kinds and their interfaces."""

from medrep.kinds._base import KINDS, Plugin
from medrep.kinds.augmentation import Augmentation
from medrep.kinds.embedder import Embedder
from medrep.kinds.explorer import Exploration, Explorer
from medrep.kinds.loss import Loss
from medrep.kinds.network import Network
from medrep.kinds.preprocessor import ImageCase, Preprocessor
from medrep.kinds.tokenizer import Tokenizer

#: The interface class of each kind, keyed by kind name.
KIND_CLASSES: dict[str, type[Plugin]] = {
    "preprocessor": Preprocessor,
    "augmentation": Augmentation,
    "network": Network,
    "loss": Loss,
    "tokenizer": Tokenizer,
    "embedder": Embedder,
    "explorer": Explorer,
}

__all__ = [
    "KINDS",
    "KIND_CLASSES",
    "Plugin",
    "Preprocessor",
    "ImageCase",
    "Augmentation",
    "Network",
    "Loss",
    "Tokenizer",
    "Embedder",
    "Explorer",
    "Exploration",
]
