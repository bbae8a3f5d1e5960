"""Run one explorer on files: the Python API behind ``medrep words tsne|analogy|benchmark|cooccurrence``."""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

from medrep.kinds import Exploration

logger = logging.getLogger(__name__)

__all__ = ["run_explorer", "format_rows"]


def run_explorer(
    name: str,
    *,
    vectors: str | Path | None = None,
    tokens: str | Path | None = None,
    output: str | Path | None = None,
    options: dict[str, Any] | None = None,
) -> tuple[Exploration, list[Path]]:
    """Build explorer ``name`` with ``options``, run it on saved vectors and/or a tokens file.

    With ``output`` (a directory), writes ``<name>.json`` (rows, data, warnings, options)
    and the figure as ``<name>.png`` and ``<name>.svg``; returns the result and the paths.
    """
    import medrep
    from medrep.io import write_json

    explorer = medrep.get("explorer", name, **(options or {}))
    keyed = _load_vectors(vectors) if vectors is not None else None
    documents = _tokens_file(tokens) if tokens is not None else None
    result = explorer.explore(keyed, documents)

    written: list[Path] = []
    if output is not None:
        from medrep_text.explorers._common import save_figure

        directory = Path(output)
        record = {"explorer": name, "options": explorer.get_params(), "rows": result.rows, "data": result.data, "warnings": result.warnings}
        written.append(write_json(directory / f"{name}.json", record))
        if result.figure is not None:
            written.extend(save_figure(result.figure, directory / name))
        logger.info("wrote %s", ", ".join(str(path) for path in written))
    return result, written


def _load_vectors(path: str | Path) -> Any:
    from medrep_text.vectors import KeyedVectors

    return KeyedVectors.load(path)


def _tokens_file(path: str | Path) -> Any:
    from medrep_text.tokens_file import TokensFile

    return TokensFile(path)


def format_rows(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    """Format rows as a plain-text table with aligned columns (floats with 4 digits)."""
    if not rows:
        return "(no rows)"
    columns = columns or list(rows[0])
    cells = [[_cell(row.get(column)) for column in columns] for row in rows]
    widths = [max(len(column), *(len(line[index]) for line in cells)) for index, column in enumerate(columns)]
    lines = ["  ".join(column.ljust(width) for column, width in zip(columns, widths)).rstrip()]
    lines += ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in cells]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.4f}"
    return "" if value is None else str(value)
