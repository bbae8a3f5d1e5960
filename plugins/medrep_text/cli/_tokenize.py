"""``medrep words tokenize``: a corpus file to a tokens file, with frequency tables."""

from __future__ import annotations

import click

from medrep_text.cli import words
from medrep_text.cli._options import parse_settings


@words.command("tokenize")
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False))
@click.option("-t", "--tokenizer", "name", default="regex", show_default=True, help="Registered tokenizer name.")
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="Tokenizer option; the value is read as TOML (true, 3, 0.5, \"x\", [1, 2]) or else as text. Repeatable.",
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Tokens file to write.")
@click.option("--top", type=click.IntRange(min=0), default=None, help="Print the N most frequent tokens.")
@click.option(
    "--sample",
    type=click.IntRange(min=0),
    default=None,
    help="Print N distinct tokens drawn without replacement, with probability proportional to frequency.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed of --sample.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for tokenizers that are not parallel themselves [default: all cores].",
)
@click.option(
    "--state",
    "state_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Where a trained tokenizer (bpe) is saved [default: OUTPUT.tokenizer].",
)
def tokenize_command(
    corpus: str,
    name: str,
    settings: tuple[str, ...],
    output: str,
    top: int | None,
    sample: int | None,
    seed: int,
    jobs: int | None,
    state_dir: str | None,
) -> None:
    """Tokenize CORPUS (one document per line) into OUTPUT, one document per line.

    Writes OUTPUT.meta.json with the tokenizer, its options, the most frequent tokens, a
    frequency-weighted sample and comparison statistics.
    """
    from medrep_text.tokenize_corpus import tokenize_corpus
    from medrep_text.tokens_file import meta_path

    report = tokenize_corpus(
        corpus,
        output,
        name,
        config=parse_settings(settings),
        state_dir=state_dir,
        jobs=jobs,
        top=top if top is not None else 20,
        sample=sample if sample is not None else 20,
        seed=seed,
    )
    statistics = report.statistics
    click.echo(
        f"{statistics['documents']} documents, {statistics['tokens']} tokens, {statistics['vocabulary_size']} "
        f"distinct, {statistics['throughput_mb_per_s']:.2f} MB/s; wrote {output} and {meta_path(output)}"
    )
    if top:
        _echo_counts(f"Top {top} tokens ({name})", report.metadata["top"], statistics["tokens"])
    if sample:
        rows = report.metadata["sample"]["tokens"]
        _echo_counts(f"Frequency-weighted sample of {sample} tokens ({name}, seed {seed})", rows, statistics["tokens"])


def _echo_counts(title: str, rows: list[list[object]], total: int) -> None:
    click.echo(f"\n{title}")
    width = max([len(str(token)) for token, _ in rows] + [5])
    click.echo(f"{'rank':>4}  {'token':<{width}}  {'count':>8}  {'share':>7}")
    for rank, (token, count) in enumerate(rows, start=1):
        share = int(count) / total if total else 0.0  # type: ignore[call-overload]
        click.echo(f"{rank:>4}  {str(token):<{width}}  {count:>8}  {share:>7.2%}")
