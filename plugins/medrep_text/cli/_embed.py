"""``medrep words embed``, ``neighbours`` and ``similarity``: train word vectors and query them."""

from __future__ import annotations

import click

from medrep_text.cli import words
from medrep_text.cli._options import parse_settings


@words.command("embed")
@click.argument("tokens", type=click.Path(exists=True, dir_okay=False))
@click.option("-e", "--embedder", "name", default="sgns", show_default=True, help="Registered embedder name.")
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="Embedder option; the value is read as TOML (true, 3, 0.5, \"x\", [1, 2]) or else as text. Repeatable.",
)
@click.option(
    "-o", "--output", required=True, type=click.Path(file_okay=False), help="Directory to write the vectors to."
)
@click.option(
    "--word2vec",
    type=click.Choice(["none", "text", "binary"]),
    default="none",
    show_default=True,
    help="Also write the vectors in word2vec format, as OUTPUT/vectors.txt or OUTPUT/vectors.bin.",
)
def embed_command(tokens: str, name: str, settings: tuple[str, ...], output: str, word2vec: str) -> None:
    """Train word vectors on TOKENS (one document per line) and save them in OUTPUT.

    Progress bars show words per second; the memory estimate is logged before the
    large arrays are allocated. Options of each embedder: `medrep plugins --kind embedder --options`.
    """
    from medrep_text.embedders.embed_file import embed_tokens_file

    vectors = embed_tokens_file(tokens, output, embedder=name, config=parse_settings(settings), word2vec=word2vec)  # type: ignore[arg-type]
    corpus = vectors.metadata.get("corpus") or {}
    click.echo(
        f"{len(vectors)} words x {vectors.dim} dimensions ({name}) from {corpus.get('documents', '?')} documents, "
        f"{corpus.get('tokens', '?')} tokens; wrote {output}"
    )


@words.command("neighbours")
@click.argument("vectors_path", metavar="VECTORS", type=click.Path(exists=True))
@click.argument("word")
@click.option("-k", "--top", type=click.IntRange(min=1), default=10, show_default=True, help="Number of neighbours.")
def neighbours_command(vectors_path: str, word: str, top: int) -> None:
    """Print the words nearest to WORD by cosine similarity.

    VECTORS is a directory written by `medrep words embed` or a word2vec text or binary file.
    """
    from medrep_text.vectors import KeyedVectors

    neighbours = KeyedVectors.load(vectors_path).most_similar(word, topn=top)
    width = max([len(neighbour) for neighbour, _ in neighbours] + [4])
    click.echo(f"{'rank':>4}  {'word':<{width}}  similarity")
    for rank, (neighbour, score) in enumerate(neighbours, start=1):
        click.echo(f"{rank:>4}  {neighbour:<{width}}  {score:10.4f}")


@words.command("similarity")
@click.argument("vectors_path", metavar="VECTORS", type=click.Path(exists=True))
@click.argument("first")
@click.argument("second")
def similarity_command(vectors_path: str, first: str, second: str) -> None:
    """Print the cosine similarity of FIRST and SECOND.

    VECTORS is a directory written by `medrep words embed` or a word2vec text or binary file.
    """
    from medrep_text.vectors import KeyedVectors

    click.echo(f"{KeyedVectors.load(vectors_path).similarity(first, second):.4f}")
