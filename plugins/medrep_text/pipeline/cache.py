"""The stage cache: each stage's output stored under a hash of its inputs and configuration.

A stage's *key* is the SHA-256 of a JSON description of everything that determines its
output: the stage name, the key of the stage it reads from, the plugin's registered name,
distribution and version, and the plugin's full validated configuration (defaults
included). Input files enter the key by the SHA-256 of their *content*, not by their
size or modification time, and so do files or folders that a plugin option names (a
vocabulary, benchmark files). Touching a file reuses the cache, and editing it recomputes. A rerun with one changed step therefore recomputes that step and
every step after it, and reuses the rest.

NOTE: plugin code enters the key only through its distribution's version, so code edited
in place (an editable install) without a version change reuses older entries. Pass another
cache folder, or delete this one, after such an edit.

Entries live in ``<root>/words/<stage>/<key prefix>/``, written with
:func:`medrep.io.atomic_directory`, so an interrupted stage leaves no entry. Each entry
contains the stage's files and ``stage.json`` (key, description, seconds taken, summary).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medrep.io import atomic_directory, write_json

__all__ = ["StageCache", "StageResult", "file_digest", "referenced_files", "stage_key", "STAGE_RECORD"]

logger = logging.getLogger(__name__)

STAGE_RECORD = "stage.json"

#: Hex digits of the key used as the entry's folder name (64 bits; collisions are not a concern at cache sizes).
_FOLDER_DIGITS = 16


@dataclass
class StageResult:
    """One stage of a run: where its output is, and whether this run computed or reused it."""

    stage: str
    label: str
    key: str
    path: Path
    cached: bool
    seconds: float
    summary: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """Return the JSON-ready description written into report.json and run.json."""
        return {
            "stage": self.stage,
            "label": self.label,
            "key": self.key,
            "path": str(self.path),
            "cached": self.cached,
            "seconds": self.seconds,
        }


def file_digest(path: Path) -> str:
    """Return the SHA-256 of a file's content, read in chunks."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def referenced_files(options: Any) -> dict[str, str]:
    """Return the content digest of every existing file or folder that a string in ``options`` names.

    Plugin options name files (a vocabulary, benchmark folders, an entity table), and a
    stage must be recomputed when one of them is edited in place, so their content enters
    the key. A folder's digest covers the relative path and content of every file below it.
    """
    found: dict[str, str] = {}
    for value in _strings(options):
        path = Path(value).expanduser()
        if path.is_file():
            found[value] = _cached_digest(str(path.resolve()), *_signature(path))
        elif path.is_dir():
            found[value] = _folder_digest(path)
    return found


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in _strings(item)]
    return []


def _signature(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


@functools.lru_cache(maxsize=256)
def _cached_digest(path: str, size: int, modified_ns: int) -> str:
    # Keyed by size and modification time only to avoid hashing one file once per stage
    # within a process; the digest itself is of the content.
    return file_digest(Path(path))


def _folder_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(item for item in folder.rglob("*") if item.is_file()):
        digest.update(str(path.relative_to(folder)).encode("utf-8") + b"\0")
        digest.update(_cached_digest(str(path.resolve()), *_signature(path)).encode("ascii"))
    return digest.hexdigest()


def stage_key(description: dict[str, Any]) -> str:
    """Return the SHA-256 of ``description`` as canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(description, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class StageCache:
    """Stage outputs under ``root``, reused when a stage's key is unchanged."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root) / "words"

    def entry(self, stage: str, key: str) -> Path:
        """Return the folder of a stage's entry (which may not exist yet)."""
        return self.root / stage / key[:_FOLDER_DIGITS]

    def run(
        self,
        stage: str,
        label: str,
        description: dict[str, Any],
        compute: Callable[[Path], dict[str, Any]],
    ) -> StageResult:
        """Return the cached entry for ``description``, or call ``compute(folder)`` to make it.

        ``compute`` writes its files into the folder it is given and returns a JSON-ready
        summary, which is stored and handed back on later cache hits.
        """
        key = stage_key({"stage": stage, **description})
        path = self.entry(stage, key)
        record_path = path / STAGE_RECORD

        if record_path.is_file():
            record = json.loads(record_path.read_text(encoding="utf-8"))
            if record.get("key") == key:
                logger.info("%s %s: reusing the cached result in %s", stage, label, path)
                return StageResult(stage, label, key, path, True, record["seconds"], record["summary"])

        logger.info("%s %s: computing", stage, label)
        start = time.perf_counter()
        with atomic_directory(path) as folder:
            summary = compute(folder)
            seconds = time.perf_counter() - start
            write_json(
                folder / STAGE_RECORD,
                {"stage": stage, "label": label, "key": key, "description": description, "seconds": seconds, "summary": summary},
            )
        logger.info("%s %s: done in %.1f s", stage, label, seconds)
        return StageResult(stage, label, key, path, False, seconds, summary)
