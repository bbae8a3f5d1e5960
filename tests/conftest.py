"""Shared fixtures: the real data folder and an isolated medrep work directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def medrep_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Point medrep's work directory at a temporary folder for the whole session."""
    import medrep

    workdir = tmp_path_factory.mktemp("medrep-workdir")
    os.environ["MEDREP_WORKDIR"] = str(workdir)
    medrep.configure()
    return workdir


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The real data folder named by MEDREP_DATA_DIR; tests that need it fail without it."""
    value = os.environ.get("MEDREP_DATA_DIR")
    if not value:
        pytest.fail("MEDREP_DATA_DIR is not set: export it as the absolute path of the shared data folder")
    path = Path(value)
    if not path.is_dir():
        pytest.fail(f"MEDREP_DATA_DIR={value} is not a directory")
    return path


@pytest.fixture(autouse=True)
def cli_state_reset() -> None:
    """Undo the process-wide state that a CLI invocation leaves: progress bars and log levels."""
    import logging

    from medrep import progress

    progress.enable(False)
    for name in ("medrep", "medrep_text", "medrep_seg"):
        logging.getLogger(name).setLevel(logging.NOTSET)
