"""The words report: Markdown and HTML with figures and tables, and report.json with every number."""

from __future__ import annotations

import logging
import math
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medrep import __version__
from medrep.io import atomic_directory, atomic_write, write_json
from medrep_text.pipeline import sections
from medrep_text.pipeline.render import Block, Heading, Paragraph, to_html, to_markdown

if TYPE_CHECKING:
    from medrep_text.pipeline.runner import WordsRunResult

__all__ = ["write_report", "report_data", "REPORT_STEM", "FIGURES_FOLDER"]

logger = logging.getLogger(__name__)

REPORT_STEM = "report"
FIGURES_FOLDER = "figures"
TITLE = "medrep words run"

_SUFFIXES = {"markdown": ".md", "html": ".html"}


def write_report(run: "WordsRunResult") -> dict[str, Path]:
    """Write the report files and report.json into the run's output folder; return them by format."""
    output = run.output
    output.mkdir(parents=True, exist_ok=True)
    figures = _copy_figures(run, output / FIGURES_FOLDER)
    blocks = build_blocks(run, figures)

    written: dict[str, Path] = {}
    for report_format in run.config.report.formats:
        path = output / f"{REPORT_STEM}{_SUFFIXES[report_format]}"
        text = to_markdown(blocks) if report_format == "markdown" else to_html(blocks, TITLE)
        with atomic_write(path) as stream:
            stream.write(text)
        written[report_format] = path
    written["json"] = write_json(output / f"{REPORT_STEM}.json", report_data(run, figures))
    return written


def build_blocks(run: "WordsRunResult", figures: dict[str, str]) -> list[Block]:
    """Return the report as blocks, section by section."""
    blocks: list[Block] = [Heading(TITLE, 1), Paragraph(sections.summary_sentence(run))]
    blocks += sections.corpus_section(run)
    blocks += sections.tokens_section(run)
    blocks += sections.tokenizer_comparison_section(run)
    blocks += sections.next_words_section(run)
    blocks += sections.token_explorers_section(run, figures)
    blocks += sections.combination_comparison_section(run)
    blocks += sections.combinations_section(run, figures)
    blocks += sections.warnings_section(run)
    blocks += sections.stages_section(run)
    return blocks


def _copy_figures(run: "WordsRunResult", folder: Path) -> dict[str, str]:
    """Replace ``folder`` by the explorer figures of this run; return ``stage label -> PNG path relative to the report``."""
    figures: dict[str, str] = {}
    with atomic_directory(folder) as temporary:
        for stage in run.stages():
            for name in stage.summary.get("figures", []) if stage.stage == "explore" else []:
                target_name = f"{stage.label.replace('/', '-')}{Path(name).suffix}"
                shutil.copyfile(stage.path / name, temporary / target_name)
                if target_name.endswith(".png"):
                    figures[stage.label] = f"{FIGURES_FOLDER}/{target_name}"
    return figures


def report_data(run: "WordsRunResult", figures: dict[str, str]) -> dict[str, Any]:
    """Return every number of the run as JSON-ready data (NaN and infinities become ``null``)."""
    data = {
        "medrep_version": __version__,
        "config": run.config.model_dump(mode="json"),
        "seconds": run.seconds,
        "cache": str(run.cache_root),
        "stages": [stage.record() for stage in run.stages()],
        "corpus": run.corpus.summary,
        "tokenizers": {
            label: {
                "tokenize": result.tokenize.summary,
                "explorations": {name: stage.summary for name, stage in result.explorations.items()},
            }
            for label, result in run.tokenizers.items()
        },
        "combinations": [
            {
                "tokenizer": result.tokenizer,
                "embedder": result.embedder,
                "embed": result.embed.summary,
                "explorations": {name: stage.summary for name, stage in result.explorations.items()},
            }
            for result in run.combinations
        ],
        "figures": figures,
    }
    return _finite(data)


def _finite(value: Any) -> Any:
    """Replace NaN and infinities by ``None`` so that report.json is standard JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value
