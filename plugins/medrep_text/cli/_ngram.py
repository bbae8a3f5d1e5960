"""``medrep words ngram``: next-word table of an n-gram language model."""

from __future__ import annotations

import click

from medrep_text.cli import words


@words.command("ngram")
@click.argument("tokens", type=click.Path(dir_okay=False))
@click.option("--context", required=True, help="Text before the predicted word; tokenized like TOKENS.")
@click.option("--top", default=10, show_default=True, type=click.IntRange(min=1), help="Number of next words listed.")
@click.option("--order", default=7, show_default=True, type=click.IntRange(1, 20), help="Highest n-gram order n.")
@click.option("--discount", type=click.FloatRange(0, 1, min_open=True), default=None, help="Fixed Kneser-Ney discount (default: estimated per order).")
@click.option("--word", "query_words", multiple=True, help="Also print P(WORD | context); repeatable.")
@click.option("--no-cache", is_flag=True, help="Count again instead of reusing the model cached for this file.")
def ngram(tokens: str, context: str, top: int, order: int, discount: float | None, query_words: tuple[str, ...], no_cache: bool) -> None:
    """Print the most probable next words after --context in the tokens file TOKENS.

    Counts every n-gram up to --order with interpolated Kneser-Ney smoothing, and caches
    the model in the work directory, keyed by the file's content, order and discount.
    """
    from medrep_text.ngram.query import query_tokens_file

    answer = query_tokens_file(
        tokens, context, top=top, words=list(query_words), order=order, discount=discount, cache=not no_cache
    )
    result = answer.next_words
    click.echo(f"context tokens: {' '.join(result.context) or '(none)'}")
    used = " ".join(result.context_used) or "(none: unigram distribution)"
    note = "  [backed off: the full context was not seen]" if result.backed_off else ""
    click.echo(f"context used:   {used}{note}")
    click.echo("")

    width = max([len("word")] + [len(word) for word, _ in result.words])
    click.echo(f"{'rank':>4}  {'word':<{width}}  probability")
    for rank, (word, probability) in enumerate(result.words, start=1):
        click.echo(f"{rank:>4}  {word:<{width}}  {probability:.4f}")

    for item in answer.probabilities:
        known = "" if item.known else "  (not in the vocabulary)"
        click.echo(f"P({item.word} | context) = {item.probability:.6g}{known}")
