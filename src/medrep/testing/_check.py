"""``check_plugin``: run the contract of a plugin's kind against it."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from medrep.errors import PluginConfigError
from medrep.kinds import KIND_CLASSES, Plugin

__all__ = ["ContractError", "check_plugin"]


class ContractError(AssertionError):
    """A plugin that breaks its kind's contract; the message lists every failed check."""


class _Checks:
    """Runs named checks, collecting failures instead of stopping at the first."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.passed: list[str] = []
        self.failed: list[str] = []

    def run(self, name: str, check: Callable[[], None]) -> None:
        try:
            check()
        except Exception as exc:  # every failure is reported, whatever its type
            self.failed.append(f"{name}: {type(exc).__name__}: {exc}")
        else:
            self.passed.append(name)

    def finish(self) -> list[str]:
        if self.failed:
            lines = "\n".join(f"  - {line}" for line in self.failed)
            raise ContractError(f"{self.label} breaks its contract:\n{lines}")
        return self.passed


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def check_plugin(kind: str | Plugin, name: str | None = None, **config: Any) -> list[str]:
    """Check a plugin against its kind's contract and return the names of the checks run.

    Call it as ``check_plugin(kind, name, **config)`` to build through the registry (the
    plugin's :meth:`~medrep.kinds.Plugin.contract_config` fills in options not given),
    or as ``check_plugin(instance)``. Raises :class:`ContractError` listing every failure.
    """
    import medrep

    if isinstance(kind, Plugin):
        plugin = kind
        build: Callable[[], Any] = lambda: type(plugin)(plugin.config)  # noqa: E731
        kind_name, label = plugin.kind, repr(type(plugin).__name__)
    else:
        assert name is not None, "pass the plugin name after its kind"
        from medrep._registry import registry

        factory = registry.resolve_factory(registry.active(kind, name))
        defaults = factory.contract_config() if hasattr(factory, "contract_config") else {}
        options = {**defaults, **config}
        build = lambda: medrep.get(kind, name, **options)  # noqa: E731
        plugin = build()
        kind_name, label = kind, f"{kind} {name!r}"

    checks = _Checks(label)
    checks.run("is an instance of its kind's interface", lambda: _check_interface(plugin, kind_name))
    checks.run("constructor stores configuration only", lambda: _check_params(plugin, build))
    checks.run("rejects unknown options", lambda: _check_unknown_option(plugin))
    for check_name, check in _KIND_CHECKS.get(kind_name, {}).items():
        checks.run(check_name, lambda check=check: check(plugin, build))
    return checks.finish()


def _check_interface(plugin: Any, kind: str) -> None:
    interface = KIND_CLASSES[kind]
    _expect(isinstance(plugin, interface), f"{type(plugin).__name__} does not derive from {interface.__name__}")


def _check_params(plugin: Plugin, build: Callable[[], Any]) -> None:
    params = plugin.get_params()
    json.dumps(params)
    again = build().get_params()
    _expect(params == again, f"two builds with the same options differ: {params} != {again}")
    _expect(set(vars(plugin)) <= {"config", "plugin_name"}, f"constructor set state beyond the configuration: {sorted(vars(plugin))}")


def _check_unknown_option(plugin: Plugin) -> None:
    try:
        type(plugin)(**plugin.get_params(), this_option_does_not_exist=1)
    except PluginConfigError:
        return
    raise AssertionError("an unknown option was accepted")


# -- text kinds ------------------------------------------------------------------------


def _tokenizer_ready(plugin: Any, build: Callable[[], Any]) -> Any:
    from medrep.testing._samples import SAMPLE_TEXTS

    fresh = build()
    if getattr(fresh, "trainable", False):
        fresh.fit(list(SAMPLE_TEXTS) * 20)
    return fresh


def _check_tokenize_types(plugin: Any, build: Callable[[], Any]) -> None:
    from medrep.testing._samples import SAMPLE_TEXTS

    tokenizer = _tokenizer_ready(plugin, build)
    _expect(tokenizer.tokenize("") == [], "tokenize('') must return []")
    for text in SAMPLE_TEXTS:
        tokens = tokenizer.tokenize(text)
        _expect(isinstance(tokens, list), f"tokenize returned {type(tokens).__name__}, not list")
        for token in tokens:
            _expect(isinstance(token, str) and token != "", f"empty or non-str token {token!r}")
            _expect(not any(ch.isspace() for ch in token), f"token {token!r} contains whitespace")
    streamed = list(tokenizer.iter_tokenize(SAMPLE_TEXTS))
    _expect(streamed == [tokenizer.tokenize(text) for text in SAMPLE_TEXTS], "iter_tokenize differs from tokenize")


def _check_tokenize_deterministic(plugin: Any, build: Callable[[], Any]) -> None:
    from medrep.testing._samples import SAMPLE_TEXTS

    first, second = _tokenizer_ready(plugin, build), _tokenizer_ready(plugin, build)
    for text in SAMPLE_TEXTS:
        _expect(first.tokenize(text) == second.tokenize(text), f"two tokenizers disagree on {text!r}")


def _check_tokenizer_round_trip(plugin: Any, build: Callable[[], Any]) -> None:
    from medrep.testing._samples import SAMPLE_TEXTS

    tokenizer = _tokenizer_ready(plugin, build)
    if not getattr(tokenizer, "trainable", False):
        return
    with tempfile.TemporaryDirectory() as directory:
        tokenizer.save(directory)
        loaded = type(tokenizer).load(directory)
    for text in SAMPLE_TEXTS:
        _expect(loaded.tokenize(text) == tokenizer.tokenize(text), f"loaded tokenizer differs on {text!r}")


def _check_embedder_output(plugin: Any, build: Callable[[], Any]) -> None:
    import numpy as np

    from medrep.testing._samples import sample_documents

    vectors = build().fit(sample_documents())
    matrix = np.asarray(vectors.vectors)
    _expect(matrix.ndim == 2, f"vectors must be 2-D, got shape {matrix.shape}")
    _expect(matrix.dtype == np.float32, f"vectors must be float32, got {matrix.dtype}")
    _expect(len(vectors.index_to_key) == matrix.shape[0], "index_to_key and vectors disagree in length")
    for index, word in enumerate(vectors.index_to_key):
        _expect(vectors.key_to_index[word] == index, f"key_to_index[{word!r}] != {index}")
    _expect(bool(np.isfinite(matrix).all()), "vectors contain NaN or infinity")
    word = vectors.index_to_key[0]
    _expect(np.allclose(vectors[word], matrix[0]), "v[word] differs from its row in vectors")
    _expect(isinstance(vectors.most_similar(word, topn=2), list), "most_similar must return a list")


def _check_embedder_deterministic(plugin: Any, build: Callable[[], Any]) -> None:
    import numpy as np

    from medrep.testing._samples import sample_documents

    first, second = build().fit(sample_documents()), build().fit(sample_documents())
    _expect(first.index_to_key == second.index_to_key, "vocabularies differ between two seeded runs")
    _expect(np.allclose(first.vectors, second.vectors, atol=1e-5), "vectors differ between two seeded runs")


def _check_vectors_round_trip(plugin: Any, build: Callable[[], Any]) -> None:
    import numpy as np

    from medrep.testing._samples import sample_documents

    vectors = build().fit(sample_documents())
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "vectors"
        vectors.save(path)
        loaded = type(vectors).load(path)
    _expect(loaded.index_to_key == vectors.index_to_key, "loaded vocabulary differs")
    _expect(np.allclose(loaded.vectors, vectors.vectors), "loaded vectors differ")


def _check_explorer_output(plugin: Any, build: Callable[[], Any]) -> None:
    from medrep.kinds import Exploration
    from medrep.testing._samples import SampleVectors, sample_documents

    documents = sample_documents()
    vectors = SampleVectors([word for document in documents for word in document])
    result = build().explore(vectors, documents)
    _expect(isinstance(result, Exploration), f"explore returned {type(result).__name__}, not Exploration")
    _expect(isinstance(result.rows, list), "rows must be a list")
    keys = [tuple(row) for row in result.rows]
    _expect(len(set(keys)) <= 1, "every row must have the same keys")
    json.dumps(result.data, default=float)


# -- imaging kinds -----------------------------------------------------------------------


def _sample_case(seed: int = 0) -> Any:
    import numpy as np

    from medrep.kinds import ImageCase

    rng = np.random.default_rng(seed)
    image = np.full((2, 20, 22, 18), -1.0, dtype=np.float32)
    image[:, 4:16, 5:17, 3:15] = rng.standard_normal((2, 12, 12, 12)).astype(np.float32) + 3.0
    seg = np.zeros((1, 20, 22, 18), dtype=np.int16)
    seg[0, 8:12, 8:12, 6:10] = 1
    mask = image[0] > -1.0
    return ImageCase(image=image, spacing=(1.0, 1.0, 1.5), seg=seg, mask=mask, case_id="contract-case")


def _check_preprocessor_output(plugin: Any, build: Callable[[], Any]) -> None:
    import numpy as np

    case = build()(_sample_case())
    image = np.asarray(case.image)
    _expect(image.ndim == 4 and image.shape[0] == 2, f"image must stay (C, X, Y, Z) with C=2, got {image.shape}")
    _expect(image.dtype == np.float32, f"image must be float32, got {image.dtype}")
    _expect(bool(np.isfinite(image).all()), "image contains NaN or infinity")
    _expect(len(case.spacing) == 3, f"spacing must have 3 values, got {case.spacing}")
    if case.seg is not None:
        _expect(np.asarray(case.seg).shape[1:] == image.shape[1:], "seg is no longer aligned with image")


def _check_preprocessor_deterministic(plugin: Any, build: Callable[[], Any]) -> None:
    import numpy as np

    first, second = build()(_sample_case()), build()(_sample_case())
    _expect(np.array_equal(first.image, second.image), "two runs on the same case differ")


def _check_augmentation_output(plugin: Any, build: Callable[[], Any]) -> None:
    torch = __import__("torch")
    patch = (16, 16, 16)
    transform = build().build(patch)
    _expect(transform is not None, "build returned None")
    torch.manual_seed(0)
    sample = {"image": torch.randn(2, *patch), "segmentation": torch.zeros(1, *patch, dtype=torch.int16)}
    output = transform(**sample)
    _expect(tuple(output["image"].shape[1:]) == patch, f"image patch shape changed to {tuple(output['image'].shape)}")
    _expect(bool(torch.isfinite(output["image"]).all()), "augmented image contains NaN or infinity")


def _check_network_output(plugin: Any, build: Callable[[], Any]) -> None:
    torch = __import__("torch")
    network = build()
    architecture = network.example_architecture() if hasattr(network, "example_architecture") else {}
    module = network.build(architecture, in_channels=2, out_channels=3, deep_supervision=False)
    with torch.no_grad():
        output = module(torch.randn(1, 2, 32, 32, 32))
    _expect(tuple(output.shape) == (1, 3, 32, 32, 32), f"logits shape {tuple(output.shape)} != (1, 3, 32, 32, 32)")


def _check_loss_output(plugin: Any, build: Callable[[], Any]) -> None:
    torch = __import__("torch")
    loss = build().build(deep_supervision_weights=None)
    torch.manual_seed(0)
    logits = torch.randn(2, 3, 8, 8, 8, requires_grad=True)
    target = torch.randint(0, 3, (2, 1, 8, 8, 8))
    value = loss(logits, target)
    _expect(value.ndim == 0, f"loss must be a scalar, got shape {tuple(value.shape)}")
    _expect(bool(torch.isfinite(value)), "loss is not finite")
    value.backward()
    _expect(logits.grad is not None, "loss is not differentiable with respect to the logits")


_KIND_CHECKS: dict[str, dict[str, Callable[[Any, Callable[[], Any]], None]]] = {
    "tokenizer": {
        "tokenize returns lists of non-empty tokens": _check_tokenize_types,
        "tokenize is deterministic": _check_tokenize_deterministic,
        "save/load round trip": _check_tokenizer_round_trip,
    },
    "embedder": {
        "fit returns keyed vectors": _check_embedder_output,
        "fit is deterministic under a seed": _check_embedder_deterministic,
        "vectors save/load round trip": _check_vectors_round_trip,
    },
    "explorer": {"explore returns an Exploration": _check_explorer_output},
    "preprocessor": {
        "keeps (C, X, Y, Z) float32 finite and aligned": _check_preprocessor_output,
        "is deterministic": _check_preprocessor_deterministic,
    },
    "augmentation": {"keeps patch shape and finite values": _check_augmentation_output},
    "network": {"maps (B, C, X, Y, Z) to logits": _check_network_output},
    "loss": {"returns a differentiable scalar": _check_loss_output},
}
