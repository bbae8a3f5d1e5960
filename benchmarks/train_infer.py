"""Training and inference speed of medrep's trainer against nnunetv2's own, on identical plans.

Prepares the real BraTS 2015 FLAIR cases from $MEDREP_DATA_DIR once (convert, plan with a
CPU memory budget at 2 mm, preprocess), then, each in a fresh process so that peak memory is
its own:

- nnU-Net: ``nnUNetTrainer`` built from the plans; ``train_step`` is timed per iteration,
  then ``nnUNetPredictor`` predicts one preprocessed case (sliding windows, export to NIfTI);
- medrep: ``MedrepTrainer`` with default options (nnU-Net's network, loss, augmentations),
  timed the same way, then medrep's predictor on the same case.

The two processes take turns, one iteration (or prediction) each, so that load changes on a
shared machine affect both alike. Both use the same data-loading workers, torch threads and
seed. It prints one table: seconds per training iteration (median and mean after warm-up),
seconds per predicted case (median) and peak resident memory, with medrep / nnU-Net ratios
(goal: <= 1.05 for time).

    MEDREP_DATA_DIR=/path/to/data python -P benchmarks/train_infer.py --iterations 20

(``-P`` keeps this folder off ``sys.path``, where another script's name could shadow a
standard-library module.)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

DATASET = "Dataset590_BenchBraTS"


def prepare(workdir: Path, processes: int) -> str:
    """Convert, plan and preprocess the BraTS FLAIR cases into ``workdir`` unless done before."""
    import medrep

    medrep.configure(workdir=str(workdir))
    from medrep_seg.dataset import DatasetSpec, convert_dataset
    from medrep_seg.nnunet.paths import ensure_environment
    from medrep_seg.nnunet.planning import plan_dataset
    from medrep_seg.nnunet.preprocessing import preprocess_dataset

    folders = ensure_environment()
    if (folders.preprocessed / DATASET / "medrepPlans_3d_fullres").is_dir():
        return DATASET
    source = Path(os.environ["MEDREP_DATA_DIR"]) / "brain-tumour" / "train"
    convert_dataset(source, DATASET, DatasetSpec(channels=["fld"], labels="brats2015"), overwrite=True)
    plan_dataset(DATASET, memory_budget_gb=0.5, folds=0, target_spacing=[2.0, 2.0, 2.0], num_processes=processes)
    preprocess_dataset(DATASET, num_processes=processes)
    return DATASET


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def serve(which: str, workdir: str, workers: int, threads: int, connection: object) -> None:
    """Build one trainer, then time one training iteration or one prediction per command received."""
    os.environ["MEDREP_WORKDIR"] = workdir
    os.environ["MEDREP_NNUNET_AUGMENTATION_WORKERS"] = str(workers)
    os.environ["MEDREP_NNUNET_PROCESSES"] = str(threads)
    import numpy as np
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    np.random.seed(0)
    from medrep_seg.nnunet.options import TrainerOptions
    from medrep_seg.nnunet.preprocessing import nnunet_output_to_log
    from medrep_seg.nnunet.training import build_trainer

    options = TrainerOptions(epochs=1, workers=workers, threads=threads, device="cpu")
    with nnunet_output_to_log():
        trainer = build_trainer(DATASET, "3d_fullres", "all", options)
        if which == "nnunet":
            from nnunetv2.training.nnUNetTrainer.nnUNetTrainer import nnUNetTrainer

            plans = dict(trainer.plans_manager.plans)
            plans["continue_training"] = False
            trainer = nnUNetTrainer(plans=plans, configuration="3d_fullres", fold="all", dataset_json=trainer.dataset_json, device=torch.device("cpu"))
        trainer.on_train_start()
        trainer.on_train_epoch_start()
    connection.send("ready")

    while True:
        command = connection.recv()
        if command == "train":
            started = time.perf_counter()
            trainer.train_step(next(trainer.dataloader_train))
            connection.send(time.perf_counter() - started)
        elif command == "predict":
            connection.send(_predict_one(which, trainer))
        else:
            with nnunet_output_to_log():
                trainer.on_train_end()
            connection.send(_peak_mb())
            return


def _predict_one(which: str, trainer: object) -> float:
    """Predict the first training case from its preprocessed array and write it; return seconds."""
    import torch

    from medrep_seg.nnunet.preprocessing import nnunet_output_to_log
    from nnunetv2.inference.export_prediction import export_prediction_from_logits
    from nnunetv2.inference.predict_from_raw_data import nnUNetPredictor

    dataset = trainer.dataset_class(trainer.preprocessed_dataset_folder)
    identifier = sorted(dataset.identifiers)[0]
    data, _, _, properties = dataset.load_case(identifier)
    data = torch.from_numpy(np.asarray(data[:]))
    trainer.set_deep_supervision_enabled(False)
    trainer.network.eval()
    output = Path(tempfile.mkdtemp()) / identifier
    with nnunet_output_to_log():
        predictor = nnUNetPredictor(tile_step_size=0.5, use_mirroring=False, device=torch.device("cpu"), allow_tqdm=False)
        predictor.manual_initialization(
            trainer.network, trainer.plans_manager, trainer.configuration_manager,
            [trainer.network.state_dict()], trainer.dataset_json, type(trainer).__name__, None,
        )
    started = time.perf_counter()
    with torch.no_grad():
        if which == "nnunet":
            logits = predictor.predict_logits_from_preprocessed_data(data)
        else:
            from medrep_seg.nnunet.predictor import LoadedModel, _ensemble_logits

            model = LoadedModel(
                folder=output.parent, configuration="3d_fullres", plans_manager=trainer.plans_manager,
                configuration_manager=trainer.configuration_manager, dataset_json=trainer.dataset_json,
                network=trainer.network, parameters=[trainer.network.state_dict()], folds=["all"], mirror_axes=None,
                postprocessing={"steps": []},
            )
            logits = _ensemble_logits(predictor, model, data.numpy())
    export_prediction_from_logits(
        logits, properties, trainer.configuration_manager, trainer.plans_manager, trainer.dataset_json, str(output), False,
        num_threads_torch=torch.get_num_threads(),
    )
    return time.perf_counter() - started


import numpy as np  # noqa: E402  (used by the worker functions after spawn)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=20, help="timed training iterations per trainer")
    parser.add_argument("--warmup", type=int, default=3, help="untimed iterations first")
    parser.add_argument("--predictions", type=int, default=2, help="timed predictions of one case per trainer")
    parser.add_argument("--workers", type=int, default=1, help="data-augmentation worker processes")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="torch threads")
    parser.add_argument("--workdir", default=None, help="where the prepared dataset is kept (default: a temporary folder)")
    arguments = parser.parse_args()
    if "MEDREP_DATA_DIR" not in os.environ:
        parser.error("set MEDREP_DATA_DIR to the folder that holds brain-tumour/")

    workdir = Path(arguments.workdir or tempfile.mkdtemp(prefix="medrep-bench-"))
    context = multiprocessing.get_context("spawn")
    preparation = context.Process(target=prepare, args=(workdir, arguments.threads))
    preparation.start()
    preparation.join()

    # Both trainers run side by side and take turns, one iteration each, so that changes in
    # the load of a shared machine hit both alike.
    connections, processes = {}, []
    for which in ("nnunet", "medrep"):
        parent, child = context.Pipe()
        process = context.Process(target=serve, args=(which, str(workdir), arguments.workers, arguments.threads, child))
        process.start()
        connections[which] = parent
        processes.append(process)
    for connection in connections.values():
        connection.recv()

    timings: dict[str, list[float]] = {which: [] for which in connections}
    predictions: dict[str, list[float]] = {which: [] for which in connections}
    for index in range(arguments.warmup + arguments.iterations):
        for which, connection in connections.items():
            connection.send("train")
            seconds = connection.recv()
            if index >= arguments.warmup:
                timings[which].append(seconds)
    for _ in range(arguments.predictions):
        for which, connection in connections.items():
            connection.send("predict")
            predictions[which].append(connection.recv())
    results = {}
    for which, connection in connections.items():
        connection.send("stop")
        results[which] = {
            "train_s": statistics.median(timings[which]),
            "train_mean_s": statistics.fmean(timings[which]),
            "predict_s": statistics.median(predictions[which]),
            "peak_mb": connection.recv(),
        }
    for process in processes:
        process.join()

    plans = json.loads((workdir / "nnunet" / "nnUNet_preprocessed" / DATASET / "medrepPlans.json").read_text())
    configuration = plans["configurations"]["3d_fullres"]
    print(f"plans: patch {configuration['patch_size']}, batch {configuration['batch_size']}, spacing {configuration['spacing']} mm; "
          f"{arguments.iterations} timed iterations after {arguments.warmup}, "
          f"{arguments.predictions} predictions, taking turns; {arguments.workers} worker(s), "
          f"{arguments.threads} thread(s), {sys.platform}, {os.cpu_count()} CPU(s)")
    print(f"{'':28} {'nnU-Net':>10} {'medrep':>10} {'ratio':>7}")
    rows = [("train s/iteration (median)", "train_s"), ("train s/iteration (mean)", "train_mean_s"),
            ("inference s/case", "predict_s"), ("peak memory (MB)", "peak_mb")]
    for label, key in rows:
        base, ours = results["nnunet"][key], results["medrep"][key]
        print(f"{label:28} {base:10.3f} {ours:10.3f} {ours / base:7.3f}")


if __name__ == "__main__":
    main()
