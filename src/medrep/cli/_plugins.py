"""``medrep plugins``: list every plugin with its kind, distribution, version and status."""

from __future__ import annotations

import fnmatch
import typing

import click

from medrep.cli._main import cli
from medrep.kinds import KINDS


@cli.command("plugins")
@click.argument("pattern", required=False)
@click.option("--kind", type=click.Choice(KINDS), help="Only this kind.")
@click.option("--options", "show_options", is_flag=True, help="Also list each plugin's options (imports the plugin classes).")
def plugins_command(pattern: str | None, kind: str | None, show_options: bool) -> None:
    """List installed plugins; PATTERN is a glob on plugin names, such as 'bp*'."""
    from medrep._registry import registry

    rows = [
        info
        for info in registry.infos()
        if (kind is None or info.kind == kind) and (pattern is None or fnmatch.fnmatch(info.name, pattern))
    ]
    table = [("KIND", "NAME", "DISTRIBUTION", "VERSION", "STATUS", "NOTE")]
    for info in rows:
        table.append((info.kind, info.name, info.distribution, info.version, info.status, _note(info)))
    _echo_table(table)

    # A distribution that failed to import registered nothing, so its kinds are unknown:
    # list it under every filter.
    failures = registry.failures
    if failures:
        click.echo("\nFailed to load:")
        for failure in failures:
            click.echo(f"  {failure.distribution} {failure.version} ({failure.entry_point}): {failure.error}")

    if show_options:
        for info in rows:
            if info.status == "active":
                _echo_options(info.kind, info.name)


def _note(info: object) -> str:
    from medrep._registry import PluginInfo

    assert isinstance(info, PluginInfo)
    if info.status == "replaced" and info.replaced_by is not None:
        return f"replaced by {info.replaced_by.distribution}"
    if info.replacing:
        return "replaces " + ", ".join(f"{other.distribution} {other.name}" for other in info.replacing)
    if info.status in ("conflict", "failed"):
        return info.error or ""
    return info.description.replace("``", "`")


def _echo_table(table: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]) - 1)]
    for row in table:
        cells = [cell.ljust(width) for cell, width in zip(row, widths)]
        click.echo("  ".join([*cells, row[-1]]).rstrip())


def _echo_options(kind: str, name: str) -> None:
    from medrep._registry import registry

    click.echo(f"\n{kind} {name}:")
    try:
        model = registry.config_model(kind, name)
    except Exception as exc:
        click.echo(f"  (cannot import: {exc})")
        return
    if model is None:
        click.echo("  (accepts keyword arguments; no declared options)")
        return
    for field_name, field in model.model_fields.items():
        default = "required" if field.is_required() else f"default {field.get_default(call_default_factory=True)!r}"
        annotation = _type_name(field.annotation)
        description = f"  {field.description}" if field.description else ""
        click.echo(f"  {field_name}: {annotation}, {default}{description}")


def _type_name(annotation: object) -> str:
    """Spell a field type for people: ``Literal`` fields list their values."""
    if typing.get_origin(annotation) is typing.Literal:
        return " | ".join(repr(value) for value in typing.get_args(annotation))
    name = getattr(annotation, "__name__", None)
    if name and not typing.get_args(annotation):
        return name
    return str(annotation).replace("typing.", "")
