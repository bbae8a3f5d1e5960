"""Time and peak memory of medrep's preprocessing against nnU-Net's own, case by case.

Both sides preprocess the same real MS cases with the same plan. Their background is
zero, so nnU-Net's crop to nonzero voxels crops them. The steps are the same: crop to the
nonzero voxels with holes filled, z-score inside that mask, resample to the plan's
spacing, and sample foreground locations. medrep runs its chain
``crop(mask='nonzero') -> zscore -> resample`` through :class:`MedrepPreprocessor`;
nnU-Net runs :class:`DefaultPreprocessor` with ``ZScoreNormalization`` and the mask.

Each case is timed ``--repeats`` times per side (best time kept), once on arrays already
in memory (``run_case_npy``) and once including reading the NIfTI files (``run_case``);
peak memory is the largest traced allocation (tracemalloc) of one in-memory run.

Usage::

    MEDREP_DATA_DIR=/path/to/data .venv/bin/python benchmarks/preprocess.py [--repeats 3]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Scripts in this folder share names with standard modules (tokenize.py), and Python puts a
# script's folder first on the import path: take it off before anything else is imported.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import copy  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

import numpy as np  # noqa: E402


def best_times(functions: dict, repeats: int) -> dict[str, float]:
    """Run the functions in turn ``repeats`` times and keep each one's best time.

    Alternating the sides spreads the load of other processes on the machine over both.
    """
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            gc.collect()
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: min(values) for name, values in times.items()}


def peak_mb(function) -> float:
    gc.collect()
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def prepare(data_folder: str) -> tuple[Path, dict, dict, dict]:
    """Convert and plan the MS cases; return the dataset folder, plans managers, preprocessors and dataset.json."""
    import medrep

    medrep.configure(workdir=tempfile.mkdtemp(prefix="medrep-bench-"))
    from medrep_seg.dataset import DatasetSpec, convert_dataset
    from medrep_seg.nnunet.planning import plan_dataset

    spec = DatasetSpec(layout="glob", channel_globs={"FLAIR": "FLAIR*.nii.gz"}, label_glob="GOLD_STANDARD*.nii.gz")
    result = convert_dataset(Path(data_folder) / "brain-lesion" / "ms-lesjak", "Dataset901_MSBench", spec)
    chain = [{"name": "crop", "options": {"mask": "nonzero"}}, "zscore", "resample"]
    plans = plan_dataset(result.path.name, memory_budget_gb=0.5, folds=0, preprocessors=chain, num_processes=1)

    from nnunetv2.preprocessing.preprocessors.default_preprocessor import DefaultPreprocessor
    from nnunetv2.utilities.plans_handling.plans_handler import PlansManager

    from medrep_seg.nnunet.preprocessing import MedrepPlansManager, MedrepPreprocessor, build_chain, chain_statistics

    nnunet_plans = copy.deepcopy(plans)
    nnunet_plans["configurations"]["3d_fullres"].update(
        preprocessor_name="DefaultPreprocessor", normalization_schemes=["ZScoreNormalization"], use_mask_for_norm=[True]
    )
    managers = {"medrep": MedrepPlansManager(plans), "nnU-Net": PlansManager(nnunet_plans)}
    dataset_json = json.loads((result.path / "dataset.json").read_text())
    steps = plans["configurations"]["3d_fullres"]["medrep_preprocessors"]
    medrep_chain = build_chain(steps, chain_statistics(managers["medrep"], dataset_json))
    preprocessors = {"medrep": MedrepPreprocessor(verbose=False, chain=medrep_chain), "nnU-Net": DefaultPreprocessor(verbose=False)}
    return result.path, managers, preprocessors, dataset_json


def measure(folder: Path, identifier: str, managers: dict, preprocessors: dict, dataset_json: dict, repeats: int) -> dict:
    """Return best times (in memory, with I/O), peak memory and outputs of both sides on one case."""
    images = [str(folder / "imagesTr" / f"{identifier}_0000.nii.gz")]
    label = str(folder / "labelsTr" / f"{identifier}.nii.gz")
    reader = managers["medrep"].image_reader_writer_class()
    data, properties = reader.read_images(images)
    seg, _ = reader.read_seg(label)

    outputs, in_memory, with_io, memory = {}, {}, {}, {}
    for side, manager in managers.items():
        configuration = manager.get_configuration("3d_fullres")
        preprocessor = preprocessors[side]

        def run_arrays(preprocessor=preprocessor, manager=manager, configuration=configuration):
            return preprocessor.run_case_npy(data.copy(), seg.copy(), copy.deepcopy(properties), manager, configuration, dataset_json)

        def run_files(preprocessor=preprocessor, manager=manager, configuration=configuration):
            return preprocessor.run_case(images, label, manager, configuration, dataset_json)

        outputs[side] = run_arrays()[0]
        in_memory[side], with_io[side] = run_arrays, run_files
        memory[side] = peak_mb(run_arrays)
    return {
        "in memory": best_times(in_memory, repeats),
        "with I/O": best_times(with_io, repeats),
        "memory": memory,
        "difference": np.abs(outputs["medrep"] - outputs["nnU-Net"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per case and side (best kept)")
    parser.add_argument("--data", default=os.environ.get("MEDREP_DATA_DIR"), help="real data folder (MEDREP_DATA_DIR)")
    arguments = parser.parse_args()
    if not arguments.data:
        parser.error("set MEDREP_DATA_DIR or pass --data")
    folder, managers, preprocessors, dataset_json = prepare(arguments.data)

    print(f"{'case':10} {'step':10} {'medrep s':>9} {'nnU-Net s':>9} {'ratio':>6}   {'medrep MB':>9} {'nnU-Net MB':>10} {'ratio':>6}   max |medrep - nnU-Net|")
    totals = {"in memory": [0.0, 0.0], "with I/O": [0.0, 0.0]}
    for identifier in sorted(path.name[: -len("_0000.nii.gz")] for path in (folder / "imagesTr").iterdir()):
        result = measure(folder, identifier, managers, preprocessors, dataset_json, arguments.repeats)
        memory, difference = result["memory"], result["difference"]
        for step in ("in memory", "with I/O"):
            timing = result[step]
            totals[step][0] += timing["medrep"]
            totals[step][1] += timing["nnU-Net"]
            columns = f"{identifier:10} {step:10} {timing['medrep']:9.3f} {timing['nnU-Net']:9.3f} {timing['medrep'] / timing['nnU-Net']:6.3f}"
            if step == "in memory":
                differing = int(np.count_nonzero(difference > 1e-4))
                columns += f"   {memory['medrep']:9.1f} {memory['nnU-Net']:10.1f} {memory['medrep'] / memory['nnU-Net']:6.2f}"
                columns += f"   {float(difference.max()):.2e} ({differing} voxels > 1e-4)"
            print(columns)
    for step, (ours, theirs) in totals.items():
        print(f"{'all cases':10} {step:10} {ours:9.3f} {theirs:9.3f} {ours / theirs:6.3f}")


if __name__ == "__main__":
    main()
