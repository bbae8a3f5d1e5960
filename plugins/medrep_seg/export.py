"""Export and import of a trained model as a self-describing folder or zip file.

An exported model contains:

- ``medrep_model.json``: what the model is and what made it (dataset, configuration,
  channels, labels, folds, the network, loss, augmentation and preprocessor plugins with
  their options and the distributions that provide them, the post-processing decision, and
  the versions of medrep, nnunetv2, torch and every medrep plugin distribution), plus a
  SHA-256 checksum of every other file;
- ``plans.json``, ``dataset.json``, ``dataset_fingerprint.json`` and ``postprocessing.json``;
- ``fold_<k>/checkpoint_final.pth`` for each fold: the network weights and what inference
  needs, without optimizer state, loadable with ``torch.load(weights_only=True)`` and by
  nnU-Net's predictor.

Importing checks the format, the checksums and that every plugin the model names is
installed, then places the model in nnU-Net's results folder, where ``medrep seg predict``
finds it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from medrep.errors import DataError
from medrep.io import atomic_directory, environment_versions, write_json

__all__ = ["MANIFEST", "export_model", "import_model", "read_manifest"]

logger = logging.getLogger(__name__)

MANIFEST = "medrep_model.json"
FORMAT = "medrep-seg-model"
FORMAT_VERSION = 1
COPIED_FILES = ("plans.json", "dataset.json", "dataset_fingerprint.json", "postprocessing.json")
INFERENCE_KEYS = ("network_weights", "trainer_name", "inference_allowed_mirroring_axes", "current_epoch", "init_args")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _plugin_record(kind: str, name: str) -> dict[str, str]:
    from medrep._registry import registry

    info = registry.active(kind, name)
    return {"kind": kind, "name": name, "distribution": info.distribution, "version": info.version}


def _describe(folder: Path, folds: list[str]) -> dict[str, Any]:
    from medrep_seg.nnunet.options import TRAINER_NAME
    from medrep_seg.nnunet.postprocessing import load_decision
    from medrep_seg.nnunet.preprocessing import CHAIN_KEY
    from medrep_seg.nnunet.trainer import trainer_options

    trainer, plans_identifier, configuration = folder.name.split("__")
    plans = json.loads((folder / "plans.json").read_text(encoding="utf-8"))
    dataset_json = json.loads((folder / "dataset.json").read_text(encoding="utf-8"))
    options = trainer_options(plans)
    chain = plans["configurations"][configuration].get(CHAIN_KEY, [])
    plugins = [_plugin_record("network", options.network.name), _plugin_record("loss", options.loss.name)]
    plugins += [_plugin_record("augmentation", spec.name) for spec in options.augmentations]
    plugins += [_plugin_record("preprocessor", step["name"]) for step in chain]
    unique = {(entry["kind"], entry["name"]): entry for entry in plugins}
    if trainer != TRAINER_NAME:
        logger.warning("exporting a model trained by %s, not %s", trainer, TRAINER_NAME)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "dataset": plans["dataset_name"],
        "trainer": trainer,
        "plans_identifier": plans_identifier,
        "configuration": configuration,
        "channels": [dataset_json["channel_names"][key] for key in sorted(dataset_json["channel_names"], key=int)],
        "labels": dataset_json["labels"],
        "folds": folds,
        "patch_size": plans["configurations"][configuration].get("patch_size"),
        "spacing": plans["configurations"][configuration].get("spacing"),
        "network": options.network.model_dump(),
        "loss": options.loss.model_dump(),
        "augmentations": [spec.model_dump() for spec in options.augmentations],
        "preprocessors": chain,
        "plugins": list(unique.values()),
        "postprocessing": load_decision(folder),
        "versions": environment_versions(),
    }


def export_model(model_folder: str | Path, destination: str | Path, *, folds: list[int | str] | None = None) -> Path:
    """Export a trained model folder to ``destination`` (a folder, or a ``.zip`` file).

    ``folds`` defaults to every fold with ``checkpoint_final.pth``. Returns the written path.
    """
    import torch

    from medrep_seg.nnunet.trainer import load_checkpoint_file

    folder = Path(model_folder)
    if not (folder / "plans.json").is_file() or folder.name.count("__") != 2:
        raise DataError(f"{folder} is not a trained model folder", hint="pass the folder that `medrep seg train` reported")
    names = [str(fold) for fold in folds] if folds is not None else sorted(
        path.name[len("fold_"):] for path in folder.glob("fold_*") if (path / "checkpoint_final.pth").is_file()
    )
    if not names:
        raise DataError(f"no fold of {folder} has finished training (checkpoint_final.pth)", hint="train the model first")

    destination = Path(destination)
    with tempfile.TemporaryDirectory(prefix="medrep-export-") as scratch:
        staging = Path(scratch) / folder.name
        staging.mkdir()
        for name in COPIED_FILES:
            if (folder / name).is_file():
                shutil.copyfile(folder / name, staging / name)
        for fold in names:
            source = folder / f"fold_{fold}" / "checkpoint_final.pth"
            if not source.is_file():
                raise DataError(f"fold {fold} of {folder} has no checkpoint_final.pth", hint="train it or leave it out")
            checkpoint = load_checkpoint_file(source)
            (staging / f"fold_{fold}").mkdir()
            torch.save({key: checkpoint[key] for key in INFERENCE_KEYS if key in checkpoint}, staging / f"fold_{fold}" / "checkpoint_final.pth")

        manifest = _describe(folder, names)
        manifest["files"] = {
            str(path.relative_to(staging)): _sha256(path) for path in sorted(staging.rglob("*")) if path.is_file()
        }
        write_json(staging / MANIFEST, manifest)

        if destination.suffix == ".zip":
            destination.parent.mkdir(parents=True, exist_ok=True)
            archive = shutil.make_archive(str(destination.with_suffix("")) + ".partial", "zip", staging.parent, folder.name)
            Path(archive).replace(destination)
        else:
            with atomic_directory(destination) as target:
                shutil.copytree(staging, target, dirs_exist_ok=True)
    logger.info("exported %s (folds %s) to %s", folder.name, ", ".join(names), destination)
    return destination


def read_manifest(path: str | Path) -> dict[str, Any]:
    """Return the manifest of an exported model folder or zip file."""
    path = Path(path)
    if path.is_file() and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [name for name in archive.namelist() if name.endswith("/" + MANIFEST) or name == MANIFEST]
            if not members:
                raise DataError(f"{path} contains no {MANIFEST}", hint="export the model with `medrep seg export`")
            return json.loads(archive.read(members[0]).decode("utf-8"))
    if not (path / MANIFEST).is_file():
        raise DataError(f"{path} contains no {MANIFEST}", hint="export the model with `medrep seg export`")
    return json.loads((path / MANIFEST).read_text(encoding="utf-8"))


def _extract(archive_path: Path, target: Path) -> Path:
    with zipfile.ZipFile(archive_path) as archive:
        for member in archive.namelist():
            resolved = (target / member).resolve()
            if not resolved.is_relative_to(target.resolve()):
                raise DataError(f"{archive_path} contains an unsafe path {member!r}", hint="only import archives you trust")
        archive.extractall(target)
    manifests = list(target.rglob(MANIFEST))
    if len(manifests) != 1:
        raise DataError(f"{archive_path} must contain exactly one {MANIFEST}", hint="export the model with `medrep seg export`")
    return manifests[0].parent


def _check(folder: Path, manifest: dict[str, Any]) -> None:
    import medrep

    if manifest.get("format") != FORMAT or manifest.get("format_version", 0) > FORMAT_VERSION:
        raise DataError(
            f"{folder} is not a medrep model of format version {FORMAT_VERSION} or older "
            f"(format {manifest.get('format')!r}, version {manifest.get('format_version')!r})",
            hint="upgrade medrep to import models from newer versions",
        )
    for name, expected in manifest.get("files", {}).items():
        path = folder / name
        if not path.is_file() or _sha256(path) != expected:
            raise DataError(f"{name} in {folder} is missing or does not match its checksum", hint="export the model again")
    missing = []
    for plugin in manifest.get("plugins", []):
        if plugin["name"] not in medrep.available(plugin["kind"]):
            missing.append(f"{plugin['kind']} {plugin['name']!r} (from {plugin['distribution']} {plugin['version']})")
    if missing:
        raise DataError(
            f"the model needs plugins that are not installed: {'; '.join(missing)}",
            hint="install the distributions named, then import again",
        )


def import_model(source: str | Path, *, overwrite: bool = False) -> Path:
    """Import an exported model (folder or zip) into nnU-Net's results folder; return the model folder."""
    from medrep_seg.nnunet.paths import ensure_environment

    source = Path(source)
    if not source.exists():
        raise DataError(f"model not found: {source}", hint="pass an exported model folder or .zip file")
    with tempfile.TemporaryDirectory(prefix="medrep-import-") as scratch:
        folder = _extract(source, Path(scratch)) if source.is_file() else source
        manifest = read_manifest(folder)
        _check(folder, manifest)

        name = f"{manifest['trainer']}__{manifest['plans_identifier']}__{manifest['configuration']}"
        target = ensure_environment().results / manifest["dataset"] / name
        if target.exists() and not overwrite:
            raise DataError(f"a model already exists at {target}", hint="pass overwrite=True (--overwrite) to replace it")
        with atomic_directory(target) as staging:
            shutil.copytree(folder, staging, dirs_exist_ok=True)
    logger.info("imported %s (folds %s) to %s", name, ", ".join(manifest["folds"]), target)
    return target
