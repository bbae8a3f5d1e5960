"""Inference with a medrep-trained model: same preprocessing, sliding windows, fold ensemble.

For each input case, :func:`predict`:

1. matches the case's files to the model's channels by modality name (``_fld``, ``-t2f`` and
   ``flair`` are all FLAIR), never by file order, and finds its brain mask if present;
2. runs the preprocessor chain stored in the plans, exactly as for the training data;
3. predicts with nnunetv2's Gaussian-weighted sliding windows (half-patch overlap by
   default), optionally mirrored along the axes the model was trained to mirror, and averages
   the logits of every requested fold; images smaller than the patch are padded and
   cropped back;
4. undoes resampling and cropping, applies the post-processing decided on
   cross-validation, and writes the label map with the input's own affine and shape. The
   dataset's reader (nibabel with reorientation to RAS) writes back in the input's axis
   codes, whether RAS or LPS.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from medrep import progress
from medrep.errors import DataError
from medrep.io import write_run_record
from medrep_seg.nnunet.paths import ensure_environment

__all__ = ["InputCase", "LoadedModel", "PredictionResult", "find_cases", "load_model", "predict"]

logger = logging.getLogger(__name__)

NIFTI = re.compile(r"^(?P<stem>.+?)\.nii(\.gz)?$")
NNUNET_CHANNEL = re.compile(r"^(?P<case>.+)_(?P<index>\d{4})$")
MASK_NAMES = ("brainmask", "brain_mask", "brain-mask")


@dataclass
class InputCase:
    """The files of one case to predict, ordered as the model's channels."""

    case_id: str
    images: list[Path]
    mask: Path | None = None


@dataclass
class LoadedModel:
    """A trained model ready for inference."""

    folder: Path
    configuration: str
    plans_manager: Any
    configuration_manager: Any
    dataset_json: dict[str, Any]
    network: Any
    parameters: list[dict[str, Any]]
    folds: list[str]
    mirror_axes: tuple[int, ...] | None
    postprocessing: dict[str, Any]

    @property
    def channel_names(self) -> list[str]:
        """The model's input channels, in order."""
        names = self.dataset_json["channel_names"]
        return [names[key] for key in sorted(names, key=int)]


@dataclass
class PredictionResult:
    """Written label maps and timings."""

    files: list[Path] = field(default_factory=list)
    seconds_per_case: dict[str, float] = field(default_factory=dict)


# -- inputs -----------------------------------------------------------------------------


def _suffix(stem: str, case_id: str) -> str:
    """Return a file stem without its case id: ``case_fld`` -> ``fld``, ``flair`` -> ``flair``."""
    rest = stem[len(case_id):] if stem.startswith(case_id) and stem != case_id else stem
    return rest.strip("_-.").lower()


def _modality(suffix: str) -> str:
    """Return the last ``_``/``-`` separated token of a suffix: ``inpainting-mask`` -> ``mask``."""
    return re.split(r"[_\-.]", suffix)[-1] if suffix else suffix


def _channel_of(key: str, channel_names: list[str], table: dict[str, str]) -> str | None:
    wanted = {name.lower(): name for name in channel_names}
    if key in wanted:
        return wanted[key]
    mapped = table.get(key)
    if mapped is not None and mapped.lower() in wanted:
        return wanted[mapped.lower()]
    return None


def _case_from_folder(folder: Path, channel_names: list[str], table: dict[str, str]) -> InputCase:
    files = sorted(path for path in folder.iterdir() if path.is_file() and NIFTI.match(path.name))
    by_channel: dict[str, list[Path]] = {}
    mask = None
    for path in files:
        suffix = _suffix(NIFTI.match(path.name)["stem"], folder.name)
        if suffix in MASK_NAMES:
            mask = path
            continue
        channel = _channel_of(_modality(suffix), channel_names, table)
        if channel is not None:
            by_channel.setdefault(channel, []).append(path)
    return _ordered(folder.name, by_channel, channel_names, files, mask)


def _ordered(case_id: str, by_channel: dict[str, list[Path]], channel_names: list[str], files: list[Path], mask: Path | None) -> InputCase:
    images = []
    for name in channel_names:
        matches = by_channel.get(name, [])
        if len(matches) != 1:
            found = ", ".join(path.name for path in files) or "(no NIfTI files)"
            problem = "no file" if not matches else f"{len(matches)} files ({', '.join(p.name for p in matches)})"
            raise DataError(
                f"case {case_id}: {problem} for the model's channel {name!r}; files: {found}",
                hint="name each channel file by its modality (for example _fld or -t2f for FLAIR, _t1c for T1c), "
                "or pass modality_names to map other suffixes",
            )
        images.append(matches[0])
    return InputCase(case_id=case_id, images=images, mask=mask)


def _cases_from_nnunet_folder(folder: Path, channel_names: list[str]) -> list[InputCase]:
    grouped: dict[str, dict[int, Path]] = {}
    for path in sorted(folder.iterdir()):
        match = NIFTI.match(path.name)
        channel = NNUNET_CHANNEL.match(match["stem"]) if match else None
        if channel:
            grouped.setdefault(channel["case"], {})[int(channel["index"])] = path
    cases = []
    for case_id, channels in grouped.items():
        if sorted(channels) != list(range(len(channel_names))):
            raise DataError(
                f"case {case_id}: channel files {sorted(channels)} do not match the model's {len(channel_names)} channels",
                hint="nnU-Net-style inputs need one _XXXX file per model channel",
            )
        cases.append(InputCase(case_id, [channels[index] for index in range(len(channel_names))]))
    return cases


def find_cases(source: str | Path, channel_names: list[str], modality_names: dict[str, str] | None = None) -> list[InputCase]:
    """List the cases under ``source``: a folder of case folders, one case folder, or nnU-Net ``_XXXX`` files.

    Files are assigned to the model's channels by modality: the last ``_``/``-`` separated
    token of the file name (after the case id) is looked up in the converter's suffix table
    (``fld``, ``flair`` and ``t2f`` give FLAIR, ``t1c`` and ``t1ce`` give T1c, ...), which
    ``modality_names`` extends, or compared with the channel name itself.
    """
    from medrep_seg.dataset.layouts import MODALITY_NAMES

    table = {**MODALITY_NAMES, **{key.lower(): value for key, value in (modality_names or {}).items()}}
    source = Path(source)
    if not source.is_dir():
        raise DataError(f"input folder not found: {source}", hint="pass a folder of case folders or one case folder")
    subfolders = sorted(path for path in source.iterdir() if path.is_dir() and not path.name.startswith("."))
    has_files = any(NIFTI.match(path.name) for path in source.iterdir() if path.is_file())
    if has_files and any(NNUNET_CHANNEL.match(NIFTI.match(p.name)["stem"]) for p in source.iterdir() if NIFTI.match(p.name)):
        return _cases_from_nnunet_folder(source, channel_names)
    if has_files:
        return [_case_from_folder(source, channel_names, table)]
    if not subfolders:
        raise DataError(f"no NIfTI files or case folders in {source}", hint="check the input path")
    return [_case_from_folder(folder, channel_names, table) for folder in subfolders]


# -- the model --------------------------------------------------------------------------


def _configuration_of(folder: Path) -> str:
    parts = folder.name.split("__")
    if len(parts) != 3:
        raise DataError(
            f"{folder} is not an nnU-Net model folder (expected TRAINER__PLANS__CONFIGURATION)",
            hint="pass the folder that `medrep seg train` reported, or one made by `medrep seg import`",
        )
    return parts[2]


def load_model(
    model_folder: str | Path,
    *,
    folds: list[int | str] | None = None,
    checkpoint: str = "checkpoint_final.pth",
    device: str = "auto",
) -> LoadedModel:
    """Load a model folder: plans, network (built through the registry) and the weights of each fold.

    ``folds`` defaults to every ``fold_*`` folder holding ``checkpoint``.
    """
    ensure_environment()
    import torch

    from medrep_seg.nnunet.allocator import keep_freed_memory
    from medrep_seg.nnunet.postprocessing import load_decision
    from medrep_seg.nnunet.preprocessing import MedrepPlansManager
    from medrep_seg.nnunet.trainer import MedrepTrainer, load_checkpoint_file

    folder = Path(model_folder)
    if not (folder / "plans.json").is_file():
        raise DataError(f"no plans.json in {folder}", hint="pass a trained model folder")
    configuration = _configuration_of(folder)
    names = [str(fold) for fold in folds] if folds is not None else sorted(
        path.name[len("fold_"):] for path in folder.glob("fold_*") if (path / checkpoint).is_file()
    )
    if not names:
        raise DataError(f"no fold of {folder} has {checkpoint}", hint="train the model first, or pass another checkpoint name")

    plans_manager = MedrepPlansManager(json.loads((folder / "plans.json").read_text(encoding="utf-8")))
    configuration_manager = plans_manager.get_configuration(configuration)
    dataset_json = json.loads((folder / "dataset.json").read_text(encoding="utf-8"))
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    target = torch.device(device)
    if target.type == "cpu":
        keep_freed_memory()

    parameters, mirror_axes = [], None
    for name in names:
        path = folder / f"fold_{name}" / checkpoint
        if not path.is_file():
            raise DataError(f"fold {name} has no {checkpoint} in {folder}", hint="train that fold or leave it out")
        state = load_checkpoint_file(path, "cpu")
        parameters.append(state["network_weights"])
        axes = state.get("inference_allowed_mirroring_axes")
        mirror_axes = tuple(axes) if axes is not None else None

    label_manager = plans_manager.get_label_manager(dataset_json)
    network = MedrepTrainer.build_network_architecture(
        plans_manager, configuration_manager, len(dataset_json["channel_names"]),
        label_manager.num_segmentation_heads, enable_deep_supervision=False,
    ).to(target)
    network.eval()
    return LoadedModel(
        folder=folder, configuration=configuration, plans_manager=plans_manager,
        configuration_manager=configuration_manager, dataset_json=dataset_json, network=network,
        parameters=parameters, folds=names, mirror_axes=mirror_axes, postprocessing=load_decision(folder),
    )


# -- prediction -------------------------------------------------------------------------


def _predictor(model: LoadedModel, *, mirroring: bool, tile_step_size: float) -> Any:
    import torch

    from medrep_seg.nnunet.preprocessing import nnunet_output_to_log
    from medrep_seg.nnunet.options import TRAINER_NAME
    from nnunetv2.inference.predict_from_raw_data import nnUNetPredictor

    device = next(model.network.parameters()).device
    with nnunet_output_to_log(logger):
        predictor = nnUNetPredictor(
            tile_step_size=tile_step_size, use_gaussian=True, use_mirroring=mirroring,
            perform_everything_on_device=device.type == "cuda", device=torch.device(device),
            verbose=False, verbose_preprocessing=False, allow_tqdm=False,
        )
        predictor.manual_initialization(
            model.network, model.plans_manager, model.configuration_manager, model.parameters,
            model.dataset_json, TRAINER_NAME, model.mirror_axes if mirroring else None,
        )
    return predictor


def _ensemble_logits(predictor: Any, model: LoadedModel, data: np.ndarray) -> Any:
    import torch

    # nnU-Net averages the folds the same way, but also caps torch threads at its process
    # count (1 on a 2-core machine), so the loop is written here.
    tensor = torch.from_numpy(np.ascontiguousarray(data))
    total = None
    with torch.no_grad():
        for parameters in model.parameters:
            model.network.load_state_dict(parameters)
            logits = predictor.predict_sliding_window_return_logits(tensor).to("cpu")
            total = logits if total is None else total + logits
    return total / len(model.parameters)


def predict_case(model: LoadedModel, predictor: Any, case: InputCase, output_file: Path) -> Path:
    """Predict one case and write its label map to ``output_file`` in the input's geometry."""
    from medrep_seg.nnunet.postprocessing import apply_postprocessing
    from medrep_seg.nnunet.preprocessing import preprocess_case
    from nnunetv2.inference.export_prediction import convert_predicted_logits_to_segmentation_with_correct_shape

    data, properties = preprocess_case(
        [str(path) for path in case.images], model.plans_manager, model.configuration_manager, model.dataset_json,
        mask_file=str(case.mask) if case.mask is not None else None,
    )
    logits = _ensemble_logits(predictor, model, data)
    label_manager = model.plans_manager.get_label_manager(model.dataset_json)
    segmentation = convert_predicted_logits_to_segmentation_with_correct_shape(
        logits, model.plans_manager, model.configuration_manager, label_manager, properties,
        num_threads_torch=max(1, _torch_threads()),
    )
    segmentation = apply_postprocessing(segmentation, model.postprocessing)

    output_file.parent.mkdir(parents=True, exist_ok=True)
    writer = model.plans_manager.image_reader_writer_class()
    writer.write_seg(segmentation, str(output_file), properties)
    _check_geometry(case, output_file)
    return output_file


def _plain_label(value: Any) -> Any:
    return [int(item) for item in value] if isinstance(value, list | tuple) else int(value)


def _torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def _check_geometry(case: InputCase, output_file: Path) -> None:
    import nibabel as nib

    source, written = nib.load(str(case.images[0])), nib.load(str(output_file))
    if source.shape[:3] != written.shape[:3] or not np.allclose(source.affine, written.affine, atol=1e-3):
        raise DataError(
            f"case {case.case_id}: the prediction's grid {written.shape}, {written.affine.round(3).tolist()} differs "
            f"from the input's {source.shape}, {source.affine.round(3).tolist()}",
            hint="report this as a medrep bug, with the input's header (nib-ls)",
        )


def predict(
    model_folder: str | Path,
    source: str | Path,
    output_dir: str | Path,
    *,
    folds: list[int | str] | None = None,
    mirroring: bool = True,
    tile_step_size: float = 0.5,
    device: str = "auto",
    postprocessing: bool = True,
    keep_largest: bool = False,
    modality_names: dict[str, str] | None = None,
    checkpoint: str = "checkpoint_final.pth",
) -> PredictionResult:
    """Predict every case under ``source`` into ``output_dir`` as ``<case_id>.nii.gz``.

    ``folds`` selects which trained folds to ensemble (default: all), ``mirroring``
    switches test-time mirroring, ``tile_step_size`` is the sliding-window step as a
    fraction of the patch (0.5: half-patch overlap), ``postprocessing=False`` skips the
    stored post-processing decision. ``keep_largest=True`` keeps only the largest connected
    foreground component whatever the stored decision: a user's choice for models without
    cross-validation (fold ``all``), where nnU-Net decides nothing.
    """
    if not 0 < tile_step_size <= 1:
        raise DataError(f"tile step size must be in (0, 1], got {tile_step_size}", hint="use 0.5 for half-patch overlap")
    model = load_model(model_folder, folds=folds, checkpoint=checkpoint, device=device)
    if not postprocessing:
        model.postprocessing = {"steps": []}
    if keep_largest:
        label_manager = model.plans_manager.get_label_manager(model.dataset_json)
        foreground = [_plain_label(value) for value in label_manager.foreground_labels]
        model.postprocessing = {"steps": [{"operation": "keep_largest_component", "labels_or_regions": foreground}]}
    cases = find_cases(source, model.channel_names, modality_names)
    predictor = _predictor(model, mirroring=mirroring, tile_step_size=tile_step_size)
    output = Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    logger.info(
        "predicting %d case(s) with %s (folds %s, mirroring %s)",
        len(cases), model.folder.name, ", ".join(model.folds), "on" if mirroring and model.mirror_axes else "off",
    )

    result = PredictionResult()
    for case in progress.track(cases, total=len(cases), desc="predicting", unit="case"):
        started = time.perf_counter()
        file = predict_case(model, predictor, case, output / f"{case.case_id}{model.dataset_json['file_ending']}")
        result.files.append(file)
        result.seconds_per_case[case.case_id] = time.perf_counter() - started
        logger.info("predicted %s in %.1f s -> %s", case.case_id, result.seconds_per_case[case.case_id], file)

    write_run_record(
        output,
        step="seg predict",
        config={"model": str(model.folder), "source": str(source), "folds": model.folds, "mirroring": mirroring,
                "tile_step_size": tile_step_size, "postprocessing": model.postprocessing, "keep_largest": keep_largest,
                "modality_names": modality_names or {}},
        extra={"seconds_per_case": result.seconds_per_case},
    )
    return result
