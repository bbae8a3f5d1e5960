"""nnU-Net's folders and process counts, derived from medrep's settings.

nnunetv2 takes its configuration from environment variables: ``nnUNet_raw``,
``nnUNet_preprocessed`` and ``nnUNet_results`` for its folders, ``nnUNet_def_n_proc`` for
its default number of worker processes (read once, when ``nnunetv2.configuration`` is
imported), ``nnUNet_n_proc_DA`` for data-augmentation workers and ``nnUNet_compile`` for
``torch.compile``. medrep users never export them: :func:`ensure_environment` sets them
from :func:`medrep.get_settings` and :class:`NnunetOptions`, and every module of
``medrep_seg.nnunet`` calls it (through :func:`import_nnunet`) before it imports nnunetv2.

This module imports nothing heavy, so importing it costs nothing.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from medrep import get_settings
from medrep._deps import require
from medrep.errors import DataError

__all__ = [
    "NnunetFolders",
    "NnunetOptions",
    "DATASET_NAME_PATTERN",
    "configure_nnunet",
    "dataset_folder_name",
    "default_processes",
    "ensure_environment",
    "get_nnunet_options",
    "import_nnunet",
    "nnunet_folders",
    "resolve_dataset",
]

logger = logging.getLogger(__name__)

#: nnU-Net v2 dataset folder names: ``Dataset`` + three digits + ``_`` + a name.
DATASET_NAME_PATTERN = re.compile(r"^Dataset(\d{3})_([A-Za-z0-9][A-Za-z0-9_.-]*)$")


class NnunetOptions(BaseSettings):
    """Process counts and switches that medrep passes on to nnU-Net.

    Each field can be set through an environment variable named ``MEDREP_NNUNET_<FIELD>``,
    for example ``MEDREP_NNUNET_PROCESSES=2``.
    """

    model_config = SettingsConfigDict(env_prefix="MEDREP_NNUNET_", extra="forbid", validate_assignment=True)

    processes: int | None = Field(
        default=None,
        ge=1,
        description="worker processes for fingerprint extraction and preprocessing; default: half the CPU cores, at most 8",
    )
    augmentation_workers: int | None = Field(
        default=None,
        ge=0,
        description="data-augmentation worker processes of a training run (nnUNet_n_proc_DA); default: the same as processes",
    )
    torch_compile: bool = Field(
        default=False,
        description="let nnU-Net's trainer and predictor call torch.compile (nnUNet_compile); nnU-Net skips it on CPU anyway",
    )


_options: NnunetOptions | None = None


def get_nnunet_options() -> NnunetOptions:
    """Return the nnU-Net options, reading ``MEDREP_NNUNET_*`` variables on first use."""
    global _options
    if _options is None:
        _options = NnunetOptions()
    return _options


def configure_nnunet(**overrides: object) -> NnunetOptions:
    """Replace nnU-Net options for this process (``None`` values are ignored) and apply them."""
    global _options
    values = {key: value for key, value in overrides.items() if value is not None}
    _options = NnunetOptions(**values)
    ensure_environment()
    return _options


def default_processes() -> int:
    """Return the number of worker processes for fingerprinting and preprocessing."""
    configured = get_nnunet_options().processes
    if configured is not None:
        return configured
    return max(1, min(8, (os.cpu_count() or 2) // 2))


@dataclass(frozen=True)
class NnunetFolders:
    """The three folders nnU-Net works in."""

    raw: Path
    preprocessed: Path
    results: Path


def nnunet_folders() -> NnunetFolders:
    """Return nnU-Net's folders under ``get_settings().nnunet_path``."""
    root = get_settings().nnunet_path
    return NnunetFolders(raw=root / "nnUNet_raw", preprocessed=root / "nnUNet_preprocessed", results=root / "nnUNet_results")


def ensure_environment() -> NnunetFolders:
    """Create nnU-Net's folders and set its environment variables from medrep's settings.

    Safe to call repeatedly; later calls follow changed settings. nnunetv2 2.8 reads the
    folder variables at each use, so a changed work directory takes effect at once, but
    ``nnUNet_def_n_proc`` is read only at nnunetv2's import: medrep therefore passes its
    process counts to nnU-Net explicitly as well.
    """
    folders = nnunet_folders()
    for folder in (folders.raw, folders.preprocessed, folders.results):
        folder.mkdir(parents=True, exist_ok=True)
    options = get_nnunet_options()
    processes = default_processes()
    values = {
        "nnUNet_raw": str(folders.raw),
        "nnUNet_preprocessed": str(folders.preprocessed),
        "nnUNet_results": str(folders.results),
        "nnUNet_def_n_proc": str(processes),
        "nnUNet_n_proc_DA": str(options.augmentation_workers if options.augmentation_workers is not None else processes),
        "nnUNet_compile": "true" if options.torch_compile else "false",
    }
    changed = {key: value for key, value in values.items() if os.environ.get(key) != value}
    os.environ.update(values)
    if changed and "nnunetv2.configuration" in sys.modules and "nnUNet_def_n_proc" in changed:
        logger.debug("nnunetv2 is already imported: its default process count stays as it was; medrep passes its own")
    return folders


def import_nnunet(module: str = "nnunetv2") -> ModuleType:
    """Set nnU-Net's environment, then import ``module`` (a nnunetv2 module) and return it."""
    ensure_environment()
    return require(module, extra="seg", package="nnunetv2")


def dataset_folder_name(dataset_id: int, name: str) -> str:
    """Return the nnU-Net folder name ``DatasetNNN_name`` after checking both parts."""
    folder = f"Dataset{dataset_id:03d}_{name}"
    if not 1 <= dataset_id <= 999 or not DATASET_NAME_PATTERN.match(folder):
        raise DataError(
            f"invalid nnU-Net dataset name {folder!r}",
            hint="use an id from 1 to 999 and a name of letters, digits, '_', '.' and '-'",
        )
    return folder


def resolve_dataset(dataset: str | int) -> str:
    """Return the folder name of a dataset in nnU-Net's raw folder, given its name or id.

    ``dataset`` is ``"Dataset501_BraTS2015"``, ``"501"`` or ``501``. Raises
    :class:`~medrep.errors.DataError` listing the datasets that exist when none matches.
    """
    raw = nnunet_folders().raw
    existing = sorted(path.name for path in raw.glob("Dataset*") if path.is_dir()) if raw.is_dir() else []
    text = str(dataset).strip()
    if DATASET_NAME_PATTERN.match(text):
        matches = [text] if text in existing else []
    elif text.isdigit():
        matches = [name for name in existing if name.startswith(f"Dataset{int(text):03d}_")]
    else:
        raise DataError(
            f"invalid dataset {text!r}: expected an nnU-Net dataset name such as Dataset501_BraTS2015 or its id",
            hint="pass the name that `medrep seg convert` created, or its three-digit id",
        )
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise DataError(
            f"dataset id {text} is ambiguous in {raw}: {', '.join(matches)}",
            hint="pass the full dataset name",
        )
    listing = ", ".join(existing) if existing else "(none)"
    raise DataError(
        f"dataset {text!r} not found in {raw}; datasets there: {listing}",
        hint="create it with `medrep seg convert SRC DatasetNNN_Name`, or point --workdir at the right work directory",
    )
