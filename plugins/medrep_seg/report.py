"""The report of a segmentation run, as Markdown and HTML.

It contains the run's settings and stage times, each fold's training result and training
curve, the per-case evaluation table with the summary and any label warnings, montages
of prediction against reference for each held-out case, and montages of the predictions
of unlabelled inputs.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medrep.io import atomic_write

__all__ = ["ReportContent", "write_report"]

logger = logging.getLogger(__name__)


@dataclass
class ReportContent:
    """Everything a segmentation report shows; figure paths are relative to the report folder."""

    title: str
    settings: dict[str, Any]
    stage_seconds: dict[str, float]
    folds: list[dict[str, Any]] = field(default_factory=list)
    curves: dict[str, str] = field(default_factory=dict)
    evaluation: Any = None
    montages: dict[str, dict[str, str]] = field(default_factory=dict)
    unlabelled: dict[str, str] = field(default_factory=dict)
    postprocessing: dict[str, Any] = field(default_factory=dict)
    prediction_seconds: dict[str, float] = field(default_factory=dict)


def _number(value: Any, digits: int = 4) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _tables(content: ReportContent) -> list[tuple[str, list[str], list[list[str]]]]:
    """Return the report's tables as (heading, header, rows)."""
    tables = [
        ("Settings", ["setting", "value"], [[key, str(value)] for key, value in content.settings.items()]),
        ("Stage times", ["stage", "seconds"], [[key, f"{value:.1f}"] for key, value in content.stage_seconds.items()]),
        (
            "Training",
            ["fold", "epochs", "final pseudo-Dice", "validation Dice"],
            [[str(f["fold"]), str(f["epochs"]), _number(f["final_pseudo_dice"]), _number(f["validation_dice"])] for f in content.folds],
        ),
    ]
    steps = content.postprocessing.get("steps", [])
    described = "; ".join(f"keep the largest component of {step['labels_or_regions']}" for step in steps) or "none"
    tables.append(("Post-processing", ["decision", "reason"], [[described, content.postprocessing.get("reason", "cross-validation Dice")]]))

    evaluation = content.evaluation
    if evaluation is not None:
        names = list(evaluation.structures)
        header = ["case"] + [f"{name} {metric}" for name in names for metric in ("Dice", "HD95 (mm)")] + ["prediction (s)"]
        rows = []
        for case in evaluation.cases:
            row = [case["case_id"]]
            for name in names:
                score = case["structures"][name]
                marker = " (worst case)" if score["worst_case"] else ""
                row += [_number(score["dice"]), _number(score["hd95"], 2) + marker]
            row.append(_number(content.prediction_seconds.get(case["case_id"]), 1))
            rows.append(row)
        tables.append(("Per-case evaluation", header, rows))
        summary_rows = []
        for name, summary in evaluation.summary.items():
            dice, hd95 = summary["dice"], summary["hd95"]
            summary_rows.append(
                [name, str(dice["n"]), _number(dice["mean"]), _number(dice["median"]), _number(dice["std"]),
                 _number(hd95["mean"], 2), _number(hd95["median"], 2), _number(hd95["std"], 2), str(summary["n_worst_case"])]
            )
        tables.append(
            ("Summary", ["structure", "cases", "Dice mean", "Dice median", "Dice s.d.", "HD95 mean", "HD95 median", "HD95 s.d.", "worst cases"], summary_rows)
        )
        if evaluation.warnings:
            tables.append(("Evaluation warnings", ["warning"], [[warning] for warning in evaluation.warnings]))
    return tables


def _markdown(content: ReportContent) -> str:
    lines = [f"# {content.title}", ""]
    for heading, header, rows in _tables(content):
        lines += [f"## {heading}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
        lines.append("")
    if content.evaluation is not None:
        lines += [
            "Empty masks: both empty give Dice 1 and HD95 0; exactly one empty gives Dice 0 and the worst-case HD95 "
            f"({content.evaluation.policy['one_empty']['hd95']}), counted in every mean.",
            "",
        ]
    if content.curves:
        lines += ["## Training curves", ""]
        lines += [f"![fold {fold}]({path})" for fold, path in content.curves.items()]
        lines.append("")
    if content.montages:
        lines += ["## Held-out cases: reference and prediction", ""]
        for case, figures in content.montages.items():
            lines += [f"### {case}", "", f"![reference]({figures['reference']})", "", f"![prediction]({figures['prediction']})", ""]
    if content.unlabelled:
        lines += ["## Unlabelled inputs: predictions", ""]
        for case, path in content.unlabelled.items():
            lines += [f"### {case}", "", f"![prediction]({path})", ""]
    return "\n".join(lines)


def _html(content: ReportContent) -> str:
    escape = html.escape
    parts = [
        "<!DOCTYPE html>",
        f"<html><head><meta charset='utf-8'><title>{escape(content.title)}</title>",
        "<style>body{font-family:sans-serif;max-width:1200px;margin:auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}img{max-width:100%}</style></head><body>",
        f"<h1>{escape(content.title)}</h1>",
    ]
    for heading, header, rows in _tables(content):
        parts.append(f"<h2>{escape(heading)}</h2><table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr>")
        parts += ["<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows]
        parts.append("</table>")
    if content.curves:
        parts.append("<h2>Training curves</h2>")
        parts += [f"<p>fold {escape(str(fold))}</p><img src='{escape(path)}'>" for fold, path in content.curves.items()]
    if content.montages:
        parts.append("<h2>Held-out cases: reference and prediction</h2>")
        for case, figures in content.montages.items():
            parts.append(f"<h3>{escape(case)}</h3><img src='{escape(figures['reference'])}'><img src='{escape(figures['prediction'])}'>")
    if content.unlabelled:
        parts.append("<h2>Unlabelled inputs: predictions</h2>")
        for case, path in content.unlabelled.items():
            parts.append(f"<h3>{escape(case)}</h3><img src='{escape(path)}'>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(content: ReportContent, output_dir: str | Path, formats: list[str]) -> dict[str, Path]:
    """Write ``report.md`` and/or ``report.html`` into ``output_dir``; return them by format."""
    output = Path(output_dir)
    written = {}
    renderers = {"markdown": ("report.md", _markdown), "html": ("report.html", _html)}
    for report_format in formats:
        name, render = renderers[report_format]
        with atomic_write(output / name) as stream:
            stream.write(render(content))
        written[report_format] = output / name
    logger.info("wrote the report to %s", ", ".join(str(path) for path in written.values()))
    return written
