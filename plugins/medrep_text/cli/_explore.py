"""``medrep words tsne | analogy | benchmark | cooccurrence``: one explorer on saved files."""

from __future__ import annotations

from typing import Any

import click

from medrep_text.cli import words

_VECTORS = click.argument("vectors", type=click.Path(exists=True))
_OUTPUT = click.option(
    "-o", "--output", type=click.Path(file_okay=False), default=None, help="Directory for <explorer>.json and the figure (PNG and SVG)."
)
_ENTITIES = click.option("--entities", type=click.Path(dir_okay=False), default=None, help="Term-to-category TSV (header, then term, category, mentions...).")


def _run(name: str, *, vectors: str | None = None, tokens: str | None = None, output: str | None, options: dict[str, Any], columns: list[str]) -> None:
    from medrep_text.explorers._run import format_rows, run_explorer

    result, written = run_explorer(name, vectors=vectors, tokens=tokens, output=output, options=options)
    # The explorers log their warnings, which the terminal shows already.
    click.echo(format_rows(result.rows, columns))
    for path in written:
        click.echo(f"wrote {path}")


@words.command("tsne")
@_VECTORS
@click.option("--tokens", type=click.Path(dir_okay=False), default=None, help="Tokens file to count word frequencies in (default: vocabulary order).")
@_ENTITIES
@click.option("--word", "named", multiple=True, help="Word always plotted; repeatable.")
@click.option("--top-n", default=80, show_default=True, type=click.IntRange(min=0), help="Frequent words plotted besides --word.")
@click.option("--selection", type=click.Choice(["auto", "categorised", "frequent"]), default="auto", show_default=True, help="Which frequent words: those with a category, or any.")
@click.option("--perplexity", default=20.0, show_default=True, type=click.FloatRange(min=0, min_open=True), help="t-SNE perplexity (lowered when too large).")
@click.option("--seed", default=0, show_default=True, help="Random seed of t-SNE.")
@_OUTPUT
def tsne(vectors: str, tokens: str | None, entities: str | None, named: tuple[str, ...], top_n: int, selection: str, perplexity: float, seed: int, output: str | None) -> None:
    """Draw a labelled t-SNE map of the word vectors in VECTORS, coloured by entity category."""
    options = {"words": list(named), "top_n": top_n, "selection": selection, "entities": entities, "perplexity": perplexity, "seed": seed}
    _run("tsne", vectors=vectors, tokens=tokens, output=output, options=options, columns=["word", "category", "count", "x", "y"])


@words.command("analogy")
@_VECTORS
@click.argument("first")
@click.argument("second")
@click.argument("third")
@click.option("--top", default=10, show_default=True, type=click.IntRange(min=1), help="Number of words listed.")
@_OUTPUT
def analogy(vectors: str, first: str, second: str, third: str, top: int, output: str | None) -> None:
    """List the words nearest to FIRST - SECOND + THIRD in VECTORS (3CosAdd on unit vectors).

    For example `medrep words analogy vectors/ ibuprofen pain fever`. `medrep words
    neighbours` lists the neighbours of one word.
    """
    options = {"targets": [], "analogies": [[first, second, third]], "top_k": top}
    _run("neighbours", vectors=vectors, output=output, options=options, columns=["query", "rank", "word", "cosine"])


@words.command("benchmark")
@_VECTORS
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--multiword", type=click.Choice(["mean", "mean-known", "skip"]), default="mean", show_default=True, help="Vector of a multi-word term.")
@click.option("--keep-case", is_flag=True, help="Look terms up as written instead of lower-cased.")
@_OUTPUT
def benchmark(vectors: str, files: tuple[str, ...], multiword: str, keep_case: bool, output: str | None) -> None:
    """Correlate cosine similarities in VECTORS with the human scores of word-pair FILES (or folders)."""
    options = {"files": list(files), "multiword": multiword, "lowercase": not keep_case}
    columns = ["benchmark", "pairs", "covered", "out_of_vocabulary", "coverage", "spearman", "pearson"]
    _run("similarity-benchmark", vectors=vectors, output=output, options=options, columns=columns)


@words.command("cooccurrence")
@click.argument("tokens", type=click.Path(exists=True, dir_okay=False))
@click.option("--target", "targets", multiple=True, required=True, help="Word to look around; repeatable.")
@click.option("--window", default=5, show_default=True, type=click.IntRange(min=1), help="Tokens counted on each side.")
@click.option("--top", default=20, show_default=True, type=click.IntRange(min=1), help="Words listed per target.")
@_ENTITIES
@click.option("--category", "categories", multiple=True, help="Keep only words of this entity category (needs --entities); repeatable.")
@_OUTPUT
def cooccurrence(tokens: str, targets: tuple[str, ...], window: int, top: int, entities: str | None, categories: tuple[str, ...], output: str | None) -> None:
    """List the words found most often near each target in the tokens file TOKENS."""
    options = {"targets": list(targets), "window": window, "top_k": top, "entities": entities, "categories": list(categories)}
    _run("cooccurrence", tokens=tokens, output=output, options=options, columns=["target", "rank", "word", "count", "share", "category"])
