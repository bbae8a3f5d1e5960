"""Whole-tumour segmentation of the real BraTS 2015 cases on a CPU, with medrep's recipe.

Trains on 3 of the 4 cases in $MEDREP_DATA_DIR/brain-tumour/train, predicts the fourth and
the unlabelled scans in $MEDREP_DATA_DIR/brain-mri-unlabelled (each output in its input's
own geometry), evaluates the fourth (Dice and HD95 in mm) and writes a report.

    python examples/brain_tumour.py              # the recipe: about an hour on 2 cores
    python examples/brain_tumour.py --baseline   # plain nnU-Net's choices, same budget
    python examples/brain_tumour.py --quick      # every stage in a few minutes (smoke test),
                                                 # in dataset 512 (513 with --baseline)

The settings live in examples/configs/seg_brain_tumour_cpu*.toml; `medrep seg run
--config FILE` runs the same thing from the command line.
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from medrep_seg.pipeline import load_config, run_seg

CONFIGS = Path(__file__).parent / "configs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", action="store_true", help="use plain nnU-Net's choices instead of medrep's recipe")
    parser.add_argument("--quick", action="store_true", help="train 2 epochs of 3 iterations (checks the stages, not the result)")
    parser.add_argument("-o", "--output", default=None, help="report folder (default: the configuration's)")
    arguments = parser.parse_args()
    if "MEDREP_DATA_DIR" not in os.environ:
        parser.error("set MEDREP_DATA_DIR to the folder that holds brain-tumour/ and brain-mri-unlabelled/")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    name = "seg_brain_tumour_cpu_baseline.toml" if arguments.baseline else "seg_brain_tumour_cpu.toml"
    overrides = {"output": arguments.output} if arguments.output else {}
    config = load_config(CONFIGS / name, overrides)
    if arguments.quick:
        train = {**config.train, "epochs": 2, "iterations_per_epoch": 3, "val_iterations_per_epoch": 1}
        output = config.output if arguments.output else config.output + "-quick"
        # A run replaces the dataset (and model) it names, so the smoke test gets its own id
        # (recipe 502 -> 512, baseline 503 -> 513) and leaves the full run's model alone.
        number, name = int(config.data.dataset[7:10]), config.data.dataset[11:]
        data = config.data.model_copy(update={"dataset": f"Dataset{number + 10:03d}_{name}Quick"})
        config = config.model_copy(update={"train": train, "output": output, "data": data})

    result = run_seg(config)

    print(f"model: {result.model_folder}")
    for stage, seconds in result.stage_seconds.items():
        print(f"{stage:>40}: {seconds:8.1f} s")
    for case in result.evaluation.cases:
        for structure, score in case["structures"].items():
            print(f"{case['case_id']} {structure}: Dice {score['dice']:.4f}, HD95 {score['hd95']:.2f} mm")
    for report_format, path in result.reports.items():
        print(f"{report_format} report: {path}")


if __name__ == "__main__":
    main()
