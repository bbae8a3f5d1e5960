"""Fixtures for core tests: a clean registry and throwaway plugin distributions."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from medrep._registry import registry


@pytest.fixture
def fresh_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Rediscover entry points before and after the test, with plugin settings reset."""
    import medrep

    for variable in ("MEDREP_STRICT_PLUGINS", "MEDREP_PLUGIN_AUTOLOAD", "MEDREP_PREFER"):
        monkeypatch.delenv(variable, raising=False)
    medrep.configure()
    registry.reset()
    yield
    registry.reset()


MakeDistribution = Callable[..., Path]


@pytest.fixture
def make_distribution(tmp_path: Path, fresh_registry: None, monkeypatch: pytest.MonkeyPatch) -> MakeDistribution:
    """Return a function that installs a plugin distribution with real entry-point metadata.

    ``make(name, module, source)`` writes ``module.py`` and a ``<name>-1.0.dist-info``
    folder whose ``entry_points.txt`` lists the module in the ``medrep`` group, then puts
    the folder on ``sys.path``, as ``pip install --target`` would.
    """

    def make(name: str, module: str, source: str, *, version: str = "1.0", site: Path | None = None) -> Path:
        site = site or tmp_path / f"site-{name}"
        site.mkdir(parents=True, exist_ok=True)
        (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        info = site / f"{name.replace('-', '_')}-{version}.dist-info"
        info.mkdir(exist_ok=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8")
        (info / "entry_points.txt").write_text(f"[medrep]\n{module} = {module}\n", encoding="utf-8")
        monkeypatch.syspath_prepend(str(site))
        monkeypatch.delitem(sys.modules, module, raising=False)
        importlib.invalidate_caches()
        registry.reset()
        return site

    return make
