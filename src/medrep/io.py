"""Atomic writes and run records, the conventions every medrep artefact follows.

- Artefacts are written to a temporary sibling and renamed into place, so a killed run
  never leaves a file (or directory) that looks complete.
- Every run writes ``run.json`` beside its outputs: configuration, seed, and the versions
  of Python, medrep and every plugin distribution involved.
- Files medrep reads back are data formats (JSON, text, ``.npy``, safetensors, torch files
  loaded with ``weights_only=True``), never pickles of arbitrary objects.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_write", "atomic_directory", "write_json", "write_run_record", "RUN_RECORD"]

RUN_RECORD = "run.json"


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO[Any]]:
    """Open a temporary file next to ``path`` and rename it to ``path`` on success.

    On an exception the temporary file is removed and ``path`` is left untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    binary = "b" in mode
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, mode, encoding=None if binary else encoding) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


@contextlib.contextmanager
def atomic_directory(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary directory that replaces ``path`` when the block succeeds.

    An existing ``path`` is replaced only after the new content is complete.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield temporary
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
            os.replace(temporary, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(temporary, target)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def write_json(path: str | os.PathLike[str], data: Any) -> Path:
    """Write ``data`` as indented UTF-8 JSON, atomically; return the path."""
    with atomic_write(path) as stream:
        json.dump(data, stream, indent=2, ensure_ascii=False, default=_json_default)
        stream.write("\n")
    return Path(path)


def _json_default(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return value.tolist()
    if hasattr(value, "model_dump"):  # pydantic models
        return value.model_dump(mode="json")
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def environment_versions() -> dict[str, str]:
    """Return the versions of Python, medrep and every distribution with medrep plugins."""
    from importlib import metadata

    from medrep import __version__

    versions = {"python": platform.python_version(), "medrep": __version__}
    for entry_point in metadata.entry_points(group="medrep"):
        dist = getattr(entry_point, "dist", None)
        if dist is not None:
            versions[dist.metadata["Name"]] = dist.version
    for name in ("numpy", "torch", "nnunetv2", "transformers", "peft", "gensim", "tokenizers"):
        if name in sys.modules:
            versions[name] = str(getattr(sys.modules[name], "__version__", "unknown"))
    return versions


def write_run_record(
    directory: str | os.PathLike[str],
    *,
    step: str,
    config: Any,
    seed: int | None = None,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Write ``run.json`` into ``directory``: what ran, with which configuration and versions."""
    record = {
        "step": step,
        "config": config,
        "seed": seed,
        "versions": environment_versions(),
        "platform": platform.platform(),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": sys.argv,
    }
    if extra:
        record.update(extra)
    return write_json(Path(directory) / RUN_RECORD, record)
