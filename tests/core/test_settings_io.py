"""Settings, atomic writes and run records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import medrep
from medrep.io import atomic_directory, atomic_write, write_run_record


def test_environment_overrides_workdir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MEDREP_WORKDIR", str(tmp_path))
    settings = medrep.configure()

    assert settings.workdir == tmp_path
    assert settings.cache_path == tmp_path / "cache"
    assert settings.nnunet_path == tmp_path / "nnunet"


def test_configure_beats_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MEDREP_WORKDIR", str(tmp_path / "env"))
    settings = medrep.configure(workdir=tmp_path / "flag", cache_dir=tmp_path / "cache")

    assert settings.workdir == tmp_path / "flag"
    assert settings.cache_path == tmp_path / "cache"
    assert medrep.get_settings() is settings
    medrep.configure()


def test_unknown_setting_is_rejected() -> None:
    with pytest.raises(ValueError, match="workdri"):
        medrep.configure(workdri="/tmp")


def test_atomic_write_keeps_old_file_on_error(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")

    with pytest.raises(RuntimeError):
        with atomic_write(target) as stream:
            stream.write("half")
            raise RuntimeError("killed")

    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_atomic_write_binary(tmp_path: Path) -> None:
    with atomic_write(tmp_path / "nested" / "a.bin", "wb") as stream:
        stream.write(b"\x00\x01")

    assert (tmp_path / "nested" / "a.bin").read_bytes() == b"\x00\x01"


def test_atomic_directory_leaves_nothing_on_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        with atomic_directory(tmp_path / "dataset") as folder:
            (folder / "case.txt").write_text("x", encoding="utf-8")
            raise ValueError("a case failed")

    assert list(tmp_path.iterdir()) == []


def test_atomic_directory_replaces_existing(tmp_path: Path) -> None:
    (tmp_path / "dataset").mkdir()
    (tmp_path / "dataset" / "stale.txt").write_text("x", encoding="utf-8")

    with atomic_directory(tmp_path / "dataset") as folder:
        (folder / "fresh.txt").write_text("y", encoding="utf-8")

    assert [p.name for p in (tmp_path / "dataset").iterdir()] == ["fresh.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset"]


def test_run_record_has_config_seed_versions(tmp_path: Path) -> None:
    path = write_run_record(tmp_path, step="embed", config={"dim": 50, "path": Path("/x")}, seed=7)

    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["step"] == "embed"
    assert record["config"] == {"dim": 50, "path": "/x"}
    assert record["seed"] == 7
    assert record["versions"]["medrep"] == medrep.__version__
    assert "python" in record["versions"]


def test_silent_bar_counts_without_threads() -> None:
    import threading

    from medrep import progress

    progress.enable(False)
    before = threading.active_count()
    with progress.bar(total=10, desc="x") as bar:
        bar.update(3)
        bar.update(4)

    assert bar.n == 7
    assert threading.active_count() == before
