"""Root command group, error handling and the hook through which tracks add commands."""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import click

from medrep import __version__, progress
from medrep.errors import MedrepError
from medrep.settings import configure

logger = logging.getLogger(__name__)


class MedrepGroup(click.Group):
    """Click group that turns errors into one line with a fix, unless ``--verbose``."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            # The reader of our output went away (for example `medrep plugins | head`).
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(141)
        except Exception as exc:
            if ctx.find_root().params.get("verbose"):
                raise
            click.echo(_one_line(exc), err=True)
            sys.exit(1)


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, MedrepError):
        message = f"error: {exc.message}"
        if exc.hint:
            message += f"\nhint: {exc.hint}"
        return message
    if isinstance(exc, FileNotFoundError):
        return f"error: file not found: {exc.filename or exc}\nhint: check the path"
    if isinstance(exc, PermissionError):
        return f"error: permission denied: {exc.filename or exc}\nhint: choose a writable location (--workdir)"
    if isinstance(exc, MemoryError):
        return "error: out of memory\nhint: reduce the vocabulary, batch size or patch size"
    return (
        f"error: {type(exc).__name__}: {exc}\n"
        "hint: rerun with --verbose for the traceback, and report it if it looks like a medrep bug"
    )


@click.group(cls=MedrepGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="medrep")
@click.option("--workdir", type=click.Path(file_okay=False), default=None, help="Where medrep writes its files (default: ~/.medrep, or MEDREP_WORKDIR).")
@click.option("-v", "--verbose", is_flag=True, help="Log details and show tracebacks on errors.")
@click.option("-q", "--quiet", is_flag=True, help="Hide progress bars and informational logs.")
def cli(workdir: str | None, verbose: bool, quiet: bool) -> None:
    """medrep: representation learning for biomedical images and text."""
    configure(workdir=workdir)
    _configure_logging(verbose=verbose, quiet=quiet)
    progress.enable(not quiet)


def _configure_logging(*, verbose: bool, quiet: bool) -> None:
    """Show medrep's INFO messages; other libraries' only with ``--verbose``.

    gensim, transformers and nnU-Net log a great deal at INFO level, which buries the
    messages a user needs, so their loggers stay at WARNING unless ``--verbose`` is given.
    """
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not verbose:
        medrep_level = logging.WARNING if quiet else logging.INFO
        for name in ("medrep", "medrep_text", "medrep_seg"):
            logging.getLogger(name).setLevel(medrep_level)


def _add_track_commands(group: click.Group) -> None:
    """Let every installed plugin distribution add its command groups."""
    from medrep._registry import registry

    try:
        caller = registry.plugin_manager.hook.register_commands
    except MedrepError as exc:  # strict plugin mode: still show core commands
        click.echo(_one_line(exc), err=True)
        return
    for impl in caller.get_hookimpls():
        try:
            impl.function(cli=group)
        except Exception as exc:  # a broken plugin must not break the CLI
            logger.warning("plugin %s failed to add its commands: %s", impl.plugin_name, exc)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``medrep`` console script."""
    _add_track_commands(cli)
    cli.main(args=argv, prog_name="medrep")
