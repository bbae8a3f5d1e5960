"""``medrep words corpus``: CORD-19, PubTator and text files to one document per line."""

from __future__ import annotations

import click

from medrep_text.cli import words


@words.command("corpus")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Corpus file to write.")
@click.option(
    "--format",
    "input_format",
    type=click.Choice(["auto", "cord19", "pubtator", "text"]),
    default="auto",
    show_default=True,
    help="Format of every input. With auto, .csv is CORD-19, 'PMID|t|' lines are PubTator, the rest is text.",
)
@click.option(
    "--duplicates",
    type=click.Choice(["keep-first", "keep-last", "keep-all"]),
    default="keep-first",
    show_default=True,
    help="Which of several documents with the same cord_uid (or PMID) to keep.",
)
@click.option("--id-column", default="cord_uid", show_default=True, help="CSV column that identifies a paper.")
@click.option(
    "--invalid-utf8",
    type=click.Choice(["replace", "strict"]),
    default="replace",
    show_default=True,
    help="Replace invalid UTF-8 bytes with U+FFFD and count them, or stop at the first.",
)
def corpus_command(
    inputs: tuple[str, ...], output: str, input_format: str, duplicates: str, id_column: str, invalid_utf8: str
) -> None:
    """Write the title and abstract of each paper in INPUTS as one line of OUTPUT.

    INPUTS are files or quoted glob patterns ('pubmed/*.PubTator.txt').
    Writes OUTPUT.report.json with the rows read, missing fields, empty documents,
    duplicates removed and documents written.
    """
    from medrep_text.corpus import build_corpus, report_path, resolve_inputs

    report = build_corpus(
        resolve_inputs(list(inputs)),
        output,
        input_format=input_format,
        duplicates=duplicates,
        id_column=id_column,
        invalid_utf8=invalid_utf8,
    )
    click.echo(
        f"{report.total('rows_read')} rows read, {report.total('empty_documents_dropped')} empty dropped, "
        f"{report.total('duplicates_removed')} duplicates removed, {report.documents_written} documents "
        f"written to {output}"
    )
    click.echo(f"report: {report_path(output)}")
