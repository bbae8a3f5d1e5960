"""Report blocks (headings, paragraphs, tables, figures) and their Markdown and HTML forms.

The report is built once as a list of blocks and written in both formats from that list,
so the two files always show the same numbers. The renderers are written here rather
than taken from a Markdown library because the report needs only these five block types
and medrep declares no Markdown dependency.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Heading", "Paragraph", "Bullets", "Table", "Figure", "Code", "Block", "to_markdown", "to_html", "format_cell"]


class Code(str):
    """A table cell or list item shown as code, such as a token (which may contain ``|``, ``*`` or ``_``)."""


@dataclass
class Heading:
    """A section title; ``level`` 1 is the report title."""

    text: str
    level: int = 2


@dataclass
class Paragraph:
    """A paragraph of plain text."""

    text: str


@dataclass
class Bullets:
    """A bulleted list of plain-text or :class:`Code` items."""

    items: list[Any]


@dataclass
class Table:
    """A table with a header row; cells are numbers, strings, :class:`Code` or ``None``."""

    columns: list[str]
    rows: list[list[Any]]
    caption: str | None = None
    align_right: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.align_right:
            # Numeric columns read best right-aligned; a column is numeric when every filled cell is.
            self.align_right = [
                bool(self.rows)
                and all(_is_number(row[index]) for row in self.rows if row[index] is not None)
                for index in range(len(self.columns))
            ]


@dataclass
class Figure:
    """An image file, relative to the report, with a caption."""

    path: str
    caption: str


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


Block = Heading | Paragraph | Bullets | Table | Figure


def format_cell(value: Any) -> str:
    """Format one value for a table: floats to 3 decimals (4 significant digits below 0.01), NaN as 'NaN'."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if value != 0 and abs(value) < 0.01:
            return f"{value:.4g}"
        return f"{value:.3f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


# -- Markdown ------------------------------------------------------------------------------


def _markdown_code(text: str) -> str:
    # A code span needs a delimiter longer than any run of backticks inside it.
    runs = re.findall(r"`+", text)
    fence = "`" * (max(len(run) for run in runs) + 1 if runs else 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    return f"{fence}{padded}{fence}"


def _markdown_cell(value: Any) -> str:
    text = _markdown_code(value) if isinstance(value, Code) else format_cell(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown_table(table: Table) -> list[str]:
    lines = []
    if table.caption:
        lines += [f"*{table.caption}*", ""]
    lines.append("| " + " | ".join(table.columns) + " |")
    lines.append("|" + "|".join("---:" if right else "---" for right in table.align_right) + "|")
    for row in table.rows:
        lines.append("| " + " | ".join(_markdown_cell(cell) for cell in row) + " |")
    return lines


def to_markdown(blocks: list[Block]) -> str:
    """Render blocks as GitHub-flavoured Markdown."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            lines.append("#" * block.level + " " + block.text)
        elif isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Bullets):
            lines += [f"- {_markdown_code(item) if isinstance(item, Code) else item}" for item in block.items]
        elif isinstance(block, Table):
            lines += _markdown_table(block)
        elif isinstance(block, Figure):
            lines += [f"![{block.caption}]({block.path})", "", f"*{block.caption}*"]
        lines.append("")
    return "\n".join(lines)


# -- HTML ----------------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; font-style: italic; padding-bottom: 0.3rem; }
figure { margin: 1rem 0 2rem; }
figure img { max-width: 100%; border: 1px solid #ddd; }
code { background: #f5f5f5; padding: 0 0.2rem; }
"""


def _html_cell(value: Any) -> str:
    if isinstance(value, Code):
        return f"<code>{html.escape(value)}</code>"
    return html.escape(format_cell(value))


def _html_table(table: Table) -> list[str]:
    lines = ["<table>"]
    if table.caption:
        lines.append(f"<caption>{html.escape(table.caption)}</caption>")
    lines.append("<tr>" + "".join(f"<th>{html.escape(column)}</th>" for column in table.columns) + "</tr>")
    for row in table.rows:
        cells = (
            f'<td class="num">{_html_cell(cell)}</td>' if right else f"<td>{_html_cell(cell)}</td>"
            for cell, right in zip(row, table.align_right)
        )
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</table>")
    return lines


def to_html(blocks: list[Block], title: str) -> str:
    """Render blocks as a standalone HTML page that links its figures by relative path."""
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
    ]
    for block in blocks:
        if isinstance(block, Heading):
            lines.append(f"<h{block.level}>{html.escape(block.text)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            lines.append(f"<p>{html.escape(block.text)}</p>")
        elif isinstance(block, Bullets):
            items = "".join(f"<li>{_html_cell(item) if isinstance(item, Code) else html.escape(str(item))}</li>" for item in block.items)
            lines.append(f"<ul>{items}</ul>")
        elif isinstance(block, Table):
            lines += _html_table(block)
        elif isinstance(block, Figure):
            source = html.escape(block.path, quote=True)
            caption = html.escape(block.caption)
            lines.append(f'<figure><img src="{source}" alt="{caption}"><figcaption>{caption}</figcaption></figure>')
    lines += ["</body>", "</html>", ""]
    return "\n".join(lines)
