"""``medrep words run``: the whole words pipeline, from corpus files to a report."""

from __future__ import annotations

from typing import Any

import click

from medrep_text.cli import words


@words.command("run")
@click.argument("more_inputs", nargs=-1, metavar="[MORE_INPUTS]...")
@click.option("--corpus", "inputs", multiple=True, help="Corpus file or glob pattern (CORD-19 metadata.csv, PubTator, text); repeatable.")
@click.option("-t", "--tokenizer", default=None, help="Main tokenizer: a registered name or a label of the configuration file.  [default: regex]")
@click.option("-e", "--embedder", default=None, help="Main embedder: a registered name or a label of the configuration file.  [default: sgns]")
@click.option("-o", "--output", default=None, type=click.Path(file_okay=False), help="Folder for report.md, report.html, report.json and run.json.")
@click.option("--config", "config_file", default=None, type=click.Path(dir_okay=False), help="TOML run configuration; flags given beside it replace its values.")
@click.option("--compare", multiple=True, help="More combinations, TOKENIZER:EMBEDDER; comma lists give every pair (regex,bpe:sgns); repeatable.")
@click.option("--explorer", "explorers", multiple=True, help="Explorer to run (replaces the default list); repeatable.")
@click.option("--target", "targets", multiple=True, help="Word for neighbours and co-occurrence, always plotted by tsne; repeatable.  [default: coronavirus]")
@click.option("--context", "contexts", multiple=True, help="Context of the next-word table; repeatable.  [default: the main symptoms of covid-19 are]")
@click.option("--benchmark", "benchmarks", multiple=True, help="Word-pair file or folder for similarity-benchmark; repeatable.")
@click.option("--entities", default=None, help="Term-to-category TSV that colours the t-SNE map.")
@click.option("--top", default=None, type=click.IntRange(min=1), help="Most frequent tokens listed per tokenizer.  [default: 20]")
@click.option("--sample", default=None, type=click.IntRange(min=0), help="Frequency-weighted random tokens listed per tokenizer.  [default: 20]")
@click.option("--seed", default=None, type=int, help="Seed given to every plugin with a seed option.  [default: 0]")
@click.option("--jobs", default=None, type=click.IntRange(min=1), help="Worker processes that tokenize.  [default: every core]")
@click.option("--cache-dir", default=None, type=click.Path(file_okay=False), help="Stage cache folder.  [default: WORKDIR/cache]")
@click.option("--format", "formats", multiple=True, type=click.Choice(["markdown", "html"]), help="Report format; repeatable.  [default: both]")
def run(more_inputs: tuple[str, ...], config_file: str | None, **flags: Any) -> None:
    """Run corpus -> tokenize -> embed -> explore and write a report.

    Inputs come from --corpus and MORE_INPUTS, for example
    `medrep words run --corpus metadata.csv pubmed/*.PubTator.txt -o runs/words`.
    Stages whose inputs and configuration are unchanged are taken from the stage cache,
    so a rerun with one changed step recomputes only that step and the ones after it.
    """
    from medrep_text.pipeline import load_config, run_words, validate_run_config

    overrides = _overrides(list(flags.pop("inputs")) + list(more_inputs), flags)
    if config_file is None:
        if "output" not in overrides:
            raise click.UsageError("give the output folder with -o/--output, or a --config file that sets `output`")
        if "corpus" not in overrides:
            raise click.UsageError("give the corpus files with --corpus, or a --config file that sets `corpus.inputs`")
        config = validate_run_config(overrides)
    else:
        config = load_config(config_file, overrides)

    result = run_words(config)
    computed = result.computed()
    reused = len(result.stages()) - len(computed)
    click.echo(f"{len(computed)} stages computed, {reused} taken from the cache; {result.seconds:.1f} s")
    for report_format, path in result.reports.items():
        click.echo(f"{report_format:>8}: {path}")


def _overrides(inputs: list[str], flags: dict[str, Any]) -> dict[str, Any]:
    """Turn the flags that were given into configuration fields (flags left out are absent)."""
    values: dict[str, Any] = {}
    if inputs:
        values["corpus"] = {"inputs": inputs}
    for field in ("tokenizer", "embedder", "output", "entities", "seed", "jobs", "cache_dir"):
        if flags[field] is not None:
            values[field] = flags[field]
    for field, option in (("compare", "compare"), ("explore", "explorers"), ("targets", "targets"), ("contexts", "contexts"), ("benchmarks", "benchmarks")):
        if flags[option]:
            values[field] = list(flags[option])
    report = {key: flags[key] for key in ("top", "sample") if flags[key] is not None}
    if flags["formats"]:
        report["formats"] = list(dict.fromkeys(flags["formats"]))
    if report:
        values["report"] = report
    return values
