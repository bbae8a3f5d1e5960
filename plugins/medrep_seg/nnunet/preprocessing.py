"""nnU-Net preprocessing that runs medrep's preprocessor chain.

nnU-Net's :class:`DefaultPreprocessor` hard-codes its steps (crop to nonzero voxels,
normalise per channel, resample). :class:`MedrepPreprocessor` keeps nnU-Net's reading,
axis transposition, foreground sampling and file format. It replaces those steps by the
chain of ``preprocessor`` plugins stored in the plans and built through the registry, so
a third-party preprocessor takes effect in training data and at inference alike.

The chain is stored in each plans configuration under :data:`CHAIN_KEY` as
``[{"name": "crop", "options": {}}, ...]``, and the brain mask of case ``X`` (when the
dataset has one) in ``masksTr/X<file_ending>`` beside ``imagesTr``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

import medrep
from medrep import progress
from medrep.errors import DataError
from medrep.io import write_run_record
from medrep.kinds import ImageCase, Preprocessor
from medrep_seg.nnunet.paths import default_processes, ensure_environment, nnunet_folders, resolve_dataset

ensure_environment()  # nnunetv2 reads its environment variables when first imported

from nnunetv2.preprocessing.preprocessors.default_preprocessor import DefaultPreprocessor  # noqa: E402
from nnunetv2.preprocessing.resampling.default_resampling import (  # noqa: E402
    compute_new_shape,
    resample_data_or_seg_to_shape,
)
from nnunetv2.utilities.plans_handling.plans_handler import ConfigurationManager, PlansManager  # noqa: E402
from nnunetv2.utilities.utils import get_filenames_of_train_images_and_targets  # noqa: E402

__all__ = [
    "CHAIN_KEY",
    "DEFAULT_CHAIN",
    "MASKS_FOLDER",
    "RUNS_FOLDER",
    "ChainStep",
    "MedrepConfigurationManager",
    "MedrepPlansManager",
    "MedrepPreprocessor",
    "build_chain",
    "chain_statistics",
    "chain_steps",
    "nnunet_output_to_log",
    "parse_chain",
    "mask_file_for",
    "preprocess_case",
    "preprocess_dataset",
    "resample_array",
    "resampled_shape",
]

logger = logging.getLogger(__name__)

#: Key of the preprocessor chain in each configuration of a medrep plans file.
CHAIN_KEY = "medrep_preprocessors"
#: Folder of the run records of planning and preprocessing, inside a dataset's preprocessed folder.
RUNS_FOLDER = "medrep_runs"
#: Folder of the brain masks in an nnU-Net raw dataset written by medrep (``masksTs`` for test images).
MASKS_FOLDER = "masksTr"


class ChainStep(BaseModel):
    """One step of the preprocessor chain: a registered ``preprocessor`` name and its options."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="registered name of a preprocessor plugin")
    options: dict[str, Any] = Field(default_factory=dict, description="options passed to the plugin")


#: nnU-Net's order of operations: crop, normalise, then resample.
DEFAULT_CHAIN: list[ChainStep] = [ChainStep(name="crop"), ChainStep(name="zscore"), ChainStep(name="resample")]


def parse_chain(steps: Sequence[ChainStep | dict[str, Any] | str] | None) -> list[ChainStep]:
    """Return validated chain steps; a plain string is a name with default options."""
    if steps is None:
        return list(DEFAULT_CHAIN)
    parsed = []
    for step in steps:
        if isinstance(step, ChainStep):
            parsed.append(step)
        elif isinstance(step, str):
            parsed.append(ChainStep(name=step))
        else:
            parsed.append(ChainStep.model_validate(step))
    if not parsed:
        raise DataError("the preprocessor chain is empty", hint="name at least one preprocessor, for example crop,zscore,resample")
    return parsed


def build_chain(steps: Sequence[ChainStep | dict[str, Any] | str] | None, statistics: dict[str, Any] | None = None) -> list[Preprocessor]:
    """Build each step through the registry and fit it on ``statistics`` when given."""
    chain = [medrep.get("preprocessor", step.name, **step.options) for step in parse_chain(steps)]
    if statistics is not None:
        for preprocessor in chain:
            preprocessor.fit(statistics)
    return chain


def chain_statistics(plans_manager: PlansManager, dataset_json: dict[str, Any]) -> dict[str, Any]:
    """Return what ``Preprocessor.fit`` receives: statistics stored in the plans, and the channel names."""
    return {
        "foreground_intensity_properties_per_channel": plans_manager.foreground_intensity_properties_per_channel,
        "channel_names": dict(dataset_json.get("channel_names", {})),
    }


def chain_steps(plans_manager: PlansManager, configuration_manager: ConfigurationManager) -> list[ChainStep]:
    """Return the preprocessor chain stored in a plans configuration."""
    steps = configuration_manager.configuration.get(CHAIN_KEY)
    if steps is None:
        raise DataError(
            f"the plans {plans_manager.plans_name!r} have no medrep preprocessor chain ({CHAIN_KEY!r})",
            hint="plan the dataset with `medrep seg plan`, which writes the chain into the plans",
        )
    return parse_chain(steps)


def resampled_shape(shape: Sequence[int], spacing: Sequence[float], target_spacing: Sequence[float]) -> list[int]:
    """Return the grid shape after resampling from ``spacing`` to ``target_spacing`` (nnU-Net's rounding)."""
    return [int(size) for size in compute_new_shape(list(shape), list(spacing), list(target_spacing))]


def resample_array(
    array: np.ndarray,
    shape: Sequence[int],
    spacing: Sequence[float],
    target_spacing: Sequence[float],
    *,
    is_label: bool,
    order: int,
    order_z: int,
    anisotropy_threshold: float,
) -> np.ndarray:
    """Resample a ``(C, X, Y, Z)`` array with nnU-Net's rules.

    Images use spline interpolation of ``order``; labels are interpolated one-hot with
    ``order`` and thresholded at 0.5. When the spacing is anisotropic beyond
    ``anisotropy_threshold``, the low-resolution axis is interpolated separately with
    ``order_z``. An array already of ``shape`` is returned unchanged.
    """
    return resample_data_or_seg_to_shape(
        array,
        list(shape),
        list(spacing),
        list(target_spacing),
        is_seg=is_label,
        order=order,
        order_z=order_z,
        force_separate_z=None,
        separate_z_anisotropy_threshold=anisotropy_threshold,
    )


def mask_file_for(image_files: Sequence[str], file_ending: str) -> str | None:
    """Return the brain mask file of a case from its image files, or ``None`` when there is none.

    ``.../imagesTr/X_0000.nii.gz`` has its mask at ``.../masksTr/X.nii.gz`` (``imagesTs``
    at ``masksTs``).
    """
    first = Path(image_files[0])
    if not first.name.endswith(file_ending) or not first.parent.name.startswith("images"):
        return None
    identifier = first.name[: -len(file_ending)]
    identifier = identifier[:-5] if len(identifier) > 5 and identifier[-5] == "_" and identifier[-4:].isdigit() else identifier
    candidate = first.parent.parent / ("masks" + first.parent.name[len("images"):]) / (identifier + file_ending)
    return str(candidate) if candidate.is_file() else None


class MedrepPreprocessor(DefaultPreprocessor):
    """nnU-Net preprocessor that runs medrep's preprocessor chain instead of nnU-Net's own steps.

    ``chain`` is a list of built (and fitted) preprocessors. When it is ``None``, the chain
    is built from the plans configuration the first time a case is processed. The chain
    is pickled into nnU-Net's worker processes, which nnU-Net starts with ``spawn``, so its
    plugin classes must be importable by module path (not defined in ``__main__``).
    """

    def __init__(self, verbose: bool = True, chain: list[Preprocessor] | None = None) -> None:
        super().__init__(verbose=verbose)
        self.chain = chain

    def run_case(
        self,
        image_files: list[str],
        seg_file: str | None,
        plans_manager: PlansManager,
        configuration_manager: ConfigurationManager,
        dataset_json: dict | str,
        mask_file: str | None = None,
    ) -> tuple[np.ndarray, np.ndarray | None, dict]:
        """Read one case (images, label and brain mask) and run the chain on it."""
        if isinstance(dataset_json, str):
            from batchgenerators.utilities.file_and_folder_operations import load_json

            dataset_json = load_json(dataset_json)
        reader = plans_manager.image_reader_writer_class()
        data, properties = reader.read_images(image_files)
        seg = reader.read_seg(seg_file)[0] if seg_file is not None else None

        mask_file = mask_file or mask_file_for(image_files, dataset_json["file_ending"])
        mask = reader.read_seg(mask_file)[0][0] > 0.5 if mask_file is not None else None

        case_id = Path(seg_file or image_files[0]).name
        return self.run_case_npy(
            data, seg, properties, plans_manager, configuration_manager, dataset_json, mask=mask, case_id=case_id
        )

    def run_case_npy(
        self,
        data: np.ndarray,
        seg: np.ndarray | None,
        properties: dict,
        plans_manager: PlansManager,
        configuration_manager: ConfigurationManager,
        dataset_json: dict | str,
        mask: np.ndarray | None = None,
        case_id: str = "",
    ) -> tuple[np.ndarray, np.ndarray | None, dict]:
        """Run the chain on arrays as nnU-Net's reader returns them (axes not yet transposed)."""
        if isinstance(dataset_json, str):
            from batchgenerators.utilities.file_and_folder_operations import load_json

            dataset_json = load_json(dataset_json)
        case = self._make_case(data, seg, mask, properties, plans_manager, configuration_manager, case_id)
        for step in self._chain(plans_manager, configuration_manager, dataset_json):
            case = step(case)

        data, seg, properties = np.asarray(case.image, dtype=np.float32), case.seg, case.properties
        if seg is not None:
            seg = self._finish_labels(np.asarray(seg), properties, plans_manager, configuration_manager, dataset_json)
        return data, seg, properties

    def _chain(self, plans_manager: PlansManager, configuration_manager: ConfigurationManager, dataset_json: dict) -> list[Preprocessor]:
        if self.chain is None:
            steps = chain_steps(plans_manager, configuration_manager)
            self.chain = build_chain(steps, chain_statistics(plans_manager, dataset_json))
        return self.chain

    @staticmethod
    def _make_case(
        data: np.ndarray,
        seg: np.ndarray | None,
        mask: np.ndarray | None,
        properties: dict,
        plans_manager: PlansManager,
        configuration_manager: ConfigurationManager,
        case_id: str,
    ) -> ImageCase:
        transpose = list(plans_manager.transpose_forward)
        axes = [0, *[axis + 1 for axis in transpose]]
        data = np.ascontiguousarray(data.astype(np.float32, copy=False).transpose(axes))
        if seg is not None:
            if seg.shape[1:] != data.shape[1:]:
                raise DataError(
                    f"case {case_id}: label shape {tuple(seg.shape[1:])} differs from image shape {tuple(data.shape[1:])}",
                    hint="run `medrep seg check` on the raw dataset",
                )
            seg = np.ascontiguousarray(seg.transpose(axes))
        if mask is not None:
            mask = np.ascontiguousarray(mask.transpose(transpose))
        spacing = tuple(float(properties["spacing"][axis]) for axis in transpose)

        target = [float(value) for value in configuration_manager.spacing]
        if len(target) < len(spacing):
            # 2-D configurations keep the spacing between slices, as nnU-Net does.
            target = [spacing[0], *target]

        properties = dict(properties)
        shape = tuple(int(size) for size in data.shape[1:])
        properties["shape_before_cropping"] = shape
        properties["bbox_used_for_cropping"] = [[0, size] for size in shape]
        properties["shape_after_cropping_and_before_resampling"] = shape
        return ImageCase(
            image=data, spacing=spacing, seg=seg, mask=mask, properties=properties, case_id=case_id, target_spacing=tuple(target)
        )

    def _finish_labels(
        self,
        seg: np.ndarray,
        properties: dict,
        plans_manager: PlansManager,
        configuration_manager: ConfigurationManager,
        dataset_json: dict,
    ) -> np.ndarray:
        """Sample foreground locations for nnU-Net's oversampling, then store labels compactly."""
        label_manager = plans_manager.get_label_manager(dataset_json)
        sampled = list(label_manager.foreground_regions if label_manager.has_regions else label_manager.foreground_labels)
        if label_manager.has_ignore_label:
            # With an ignore label, patches are also sampled uniformly from every annotated class.
            sampled.append([-1, *label_manager.all_labels])
        properties["class_locations"] = self._sample_foreground_locations(seg, sampled, verbose=self.verbose)
        seg = self.modify_seg_fn(seg, plans_manager, dataset_json, configuration_manager)
        return seg.astype(np.int16 if np.max(seg) > 127 else np.int8)


class MedrepConfigurationManager(ConfigurationManager):
    """nnU-Net configuration whose ``preprocessor_class`` finds :class:`MedrepPreprocessor`.

    nnU-Net looks preprocessors up by class name inside its own package only.
    """

    @property
    def preprocessor_class(self) -> type[DefaultPreprocessor]:
        if self.preprocessor_name == MedrepPreprocessor.__name__:
            return MedrepPreprocessor
        return super().preprocessor_class


class MedrepPlansManager(PlansManager):
    """nnU-Net plans whose configurations are :class:`MedrepConfigurationManager` instances."""

    def get_configuration(self, configuration_name: str) -> MedrepConfigurationManager:
        if configuration_name not in self.plans["configurations"]:
            raise DataError(
                f"configuration {configuration_name!r} not found in the plans; available: "
                f"{', '.join(self.plans['configurations'])}",
                hint="pick one of the available configurations",
            )
        return MedrepConfigurationManager(self._internal_resolve_configuration_inheritance(configuration_name))


def preprocess_case(
    image_files: Sequence[str],
    plans_manager: PlansManager,
    configuration_manager: ConfigurationManager,
    dataset_json: dict[str, Any],
    *,
    mask_file: str | None = None,
    chain: list[Preprocessor] | None = None,
) -> tuple[np.ndarray, dict]:
    """Preprocess one case for inference exactly as its training data was preprocessed.

    Returns the ``(C, X, Y, Z)`` array and the properties that nnU-Net's export needs to
    bring predictions back to the input geometry. The chain comes from the plans unless
    given. ``mask_file`` is the brain mask (found beside ``imagesTs`` as ``masksTs`` when
    not given); without one, ``crop`` derives the mask from the background value.
    """
    preprocessor = MedrepPreprocessor(verbose=False, chain=chain)
    data, _, properties = preprocessor.run_case(
        list(image_files), None, plans_manager, configuration_manager, dataset_json, mask_file=mask_file
    )
    return data, properties


@contextlib.contextmanager
def nnunet_output_to_log(target: logging.Logger = logger) -> Iterator[None]:
    """Send what nnU-Net prints to standard output to the DEBUG log instead."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        try:
            yield
        finally:
            for line in buffer.getvalue().splitlines():
                if line.strip():
                    target.debug("nnU-Net: %s", line)


def preprocess_dataset(
    dataset: str | int,
    *,
    plans_name: str | None = None,
    configurations: Sequence[str] = ("3d_fullres",),
    num_processes: int | None = None,
) -> Path:
    """Preprocess a planned dataset into ``nnUNet_preprocessed`` with the chain in its plans.

    Returns the dataset's preprocessed folder. Each configuration is written to its data
    folder (for example ``medrepPlans_3d_fullres``) by nnU-Net's worker pool, with
    ``num_processes`` workers (default: the medrep nnU-Net option ``processes``). The
    labels are copied to ``gt_segmentations`` for nnU-Net's validation, as nnU-Net does.
    """
    from batchgenerators.utilities.file_and_folder_operations import load_json

    from medrep_seg.nnunet.planning import PLANS_NAME

    ensure_environment()
    name = resolve_dataset(dataset)
    plans_name = plans_name or PLANS_NAME
    folders = nnunet_folders()
    output = folders.preprocessed / name
    plans_file = output / f"{plans_name}.json"
    if not plans_file.is_file():
        raise DataError(
            f"no plans {plans_name!r} for {name}: {plans_file} does not exist",
            hint=f"run `medrep seg plan {name}` first",
        )
    plans_manager = MedrepPlansManager(str(plans_file))
    dataset_json = load_json(str(output / "dataset.json"))
    processes = num_processes or default_processes()

    for configuration in configurations:
        configuration_manager = plans_manager.get_configuration(configuration)
        steps = chain_steps(plans_manager, configuration_manager)
        chain = build_chain(steps, chain_statistics(plans_manager, dataset_json))
        preprocessor = MedrepPreprocessor(verbose=False, chain=chain)
        preprocessor.show_progress_bar = progress.enabled()
        logger.info(
            "preprocessing %s (%s) with %s, %d process(es)",
            name, configuration, " -> ".join(step.name for step in steps), processes,
        )
        with nnunet_output_to_log():
            preprocessor.run(name, configuration, plans_name, num_processes=processes)
        # nnU-Net infers the storage format from the file endings in the data folder, so the
        # run record goes into a folder of its own.
        write_run_record(
            output / RUNS_FOLDER / f"preprocess-{configuration}",
            step="seg preprocess",
            config={
                "dataset": name,
                "plans": plans_name,
                "configuration": configuration,
                "preprocessors": [step.model_dump() for step in steps],
                "processes": processes,
            },
        )

    _copy_ground_truth(folders.raw / name, output, dataset_json)
    return output


def _copy_ground_truth(raw: Path, output: Path, dataset_json: dict[str, Any]) -> None:
    """Copy the label files to ``gt_segmentations``, where nnU-Net's validation reads them."""
    target = output / "gt_segmentations"
    target.mkdir(parents=True, exist_ok=True)
    cases = get_filenames_of_train_images_and_targets(str(raw), dataset_json)
    for identifier, files in cases.items():
        shutil.copyfile(files["label"], target / f"{identifier}{dataset_json['file_ending']}")
