"""Masked-LM fine-tuning through the Hugging Face Trainer, with resume and logged progress."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from medrep import progress
from medrep.errors import PluginConfigError
from medrep_text.embedders._mlm_windows import training_dataset

logger = logging.getLogger(__name__)


def train_masked_lm(
    model: Any, tokenizer: Any, documents: Iterable[list[str]], config: Any, *, steps: int, output_dir: Path
) -> dict[str, Any]:
    """Train ``model`` for ``steps`` optimizer steps and return a summary of the run.

    Checkpoints go to ``output_dir`` every ``config.save_steps`` steps. When it already
    contains one, training resumes from the latest (weights, optimizer, scheduler, data
    position and random states), so an interrupted run continues where it stopped.
    """
    import transformers
    from transformers.trainer_utils import get_last_checkpoint

    _check_device(config.device)
    arguments = transformers.TrainingArguments(
        output_dir=str(output_dir),
        max_steps=steps,
        per_device_train_batch_size=config.batch_size,
        learning_rate=config.learning_rate,
        warmup_steps=config.warmup_steps,
        lr_scheduler_type="linear",
        weight_decay=0.0,
        logging_strategy="steps",
        logging_steps=config.logging_steps,
        save_strategy="steps",
        save_steps=config.save_steps,
        save_total_limit=2,
        seed=config.seed,
        data_seed=config.seed,
        use_cpu=config.device == "cpu",
        bf16=config.mixed_precision == "bf16",
        fp16=config.mixed_precision == "fp16",
        report_to="none",
        disable_tqdm=True,
        dataloader_num_workers=0,
        remove_unused_columns=False,
        label_names=["labels"],
        include_num_input_tokens_seen="non_padding",
    )
    collator = transformers.DataCollatorForLanguageModeling(
        tokenizer, mlm=True, mlm_probability=config.mlm_probability
    )
    trainer = transformers.Trainer(
        model=model,
        args=arguments,
        data_collator=collator,
        train_dataset=training_dataset(documents, tokenizer, config.max_length),
        processing_class=tokenizer,
    )
    # Progress and losses go through medrep's bar and logger instead of the Trainer's prints.
    trainer.remove_callback(transformers.trainer_callback.PrinterCallback)
    trainer.remove_callback(transformers.trainer_callback.ProgressCallback)
    trainer.add_callback(_logging_callback(steps))

    last = get_last_checkpoint(str(output_dir)) if output_dir.is_dir() else None
    if last is not None:
        logger.info("mlm: resuming from checkpoint %s", last)
    else:
        logger.info("mlm: training %d steps on %s; checkpoints in %s", steps, arguments.device, output_dir)

    started = time.perf_counter()
    result = trainer.train(resume_from_checkpoint=last)
    elapsed = max(time.perf_counter() - started, 1e-9)

    state = trainer.state
    tokens = int(state.num_input_tokens_seen)
    losses = [entry["loss"] for entry in state.log_history if "loss" in entry]
    report = {
        "steps": int(state.global_step),
        "resumed_from": Path(last).name if last else None,
        "final_loss": round(float(losses[-1]), 6) if losses else None,
        "train_loss": round(float(result.training_loss), 6),
        "tokens_seen": tokens,
        "seconds": round(elapsed, 3),
        "device": str(arguments.device),
    }
    logger.info(
        "mlm: trained to step %d in %.1f s, %d tokens at %.0f tokens/s, final loss %s",
        report["steps"], elapsed, tokens, tokens / elapsed, report["final_loss"],
    )
    return report


def _check_device(device: str) -> None:
    import torch

    if device == "cuda" and not torch.cuda.is_available():
        raise PluginConfigError(
            "invalid configuration for embedder 'mlm': device 'cuda' requested but torch sees no CUDA device",
            hint="set device='cpu' or 'auto', or install a CUDA build of torch on a machine with a GPU",
        )
    if device == "mps" and not torch.backends.mps.is_available():
        raise PluginConfigError(
            "invalid configuration for embedder 'mlm': device 'mps' requested but MPS is not available",
            hint="set device='cpu' or 'auto'; MPS needs Apple silicon and a torch build with MPS",
        )


def _logging_callback(steps: int) -> Any:
    from transformers import TrainerCallback

    class LoggingCallback(TrainerCallback):  # type: ignore[misc]
        """Advances a medrep progress bar per step and logs each loss line."""

        def __init__(self) -> None:
            self.bar: Any = None

        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if state.is_world_process_zero:
                self.bar = progress.bar(total=steps, initial=state.global_step, desc="mlm: training", unit="step")

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if self.bar is not None:
                self.bar.update(state.global_step - self.bar.n)

        def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any) -> None:
            if state.is_world_process_zero and logs and "loss" in logs:
                logger.info(
                    "mlm: step %d/%d loss %.4f learning rate %.2e",
                    state.global_step, steps, logs["loss"], logs.get("learning_rate", float("nan")),
                )

        def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if self.bar is not None:
                self.bar.close()

    return LoggingCallback()
