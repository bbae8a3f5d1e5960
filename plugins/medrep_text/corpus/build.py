"""``build_corpus``: read CORD-19, PubTator and plain-text files into one document per line."""

from __future__ import annotations

import glob
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Literal

from pydantic import Field

from medrep import progress
from medrep.config import PluginConfig, validate_config
from medrep.errors import DataError
from medrep.io import atomic_write, environment_versions, write_json
from medrep_text.corpus.cord19 import read_cord19
from medrep_text.corpus.plaintext import read_plain_text
from medrep_text.corpus.pubtator import read_pubtator
from medrep_text.corpus.records import Record
from medrep_text.corpus.report import CorpusReport, SourceCounts

logger = logging.getLogger(__name__)

REPORT_SUFFIX = ".report.json"
Format = Literal["cord19", "pubtator", "text"]

_PUBTATOR_LINE = re.compile(rb"^[^|\t\s]+\|[ta]\|")


class CorpusOptions(PluginConfig):
    """Options of :func:`build_corpus`."""

    input_format: Literal["auto", "cord19", "pubtator", "text"] = Field(
        default="auto",
        description="format of every input: 'auto' picks cord19 for .csv files, pubtator for files whose "
        "first line looks like 'PMID|t|', and text for the rest",
    )
    id_column: str = Field(default="cord_uid", description="CSV column that identifies a paper, for duplicates")
    duplicates: Literal["keep-first", "keep-last", "keep-all"] = Field(
        default="keep-first",
        description="which of several documents with the same id (cord_uid, or PMID in PubTator) to keep",
    )
    invalid_utf8: Literal["replace", "strict"] = Field(
        default="replace", description="'replace' invalid UTF-8 bytes with U+FFFD and count them, or 'strict' to stop"
    )


def report_path(output: str | Path) -> Path:
    """Return the run report that belongs to the corpus file ``output``."""
    output = Path(output)
    return output.with_name(output.name + REPORT_SUFFIX)


def detect_format(path: str | Path) -> Format:
    """Guess the format of an input file from its name and first line."""
    path = Path(path)
    name = path.name.lower()
    if name.endswith(".csv"):
        return "cord19"
    if name.endswith((".pubtator", ".pubtator.txt")):
        return "pubtator"
    with path.open("rb") as stream:
        for raw in stream:
            if raw.strip():
                return "pubtator" if _PUBTATOR_LINE.match(raw.lstrip(b"\xef\xbb\xbf")) else "text"
    return "text"


def build_corpus(inputs: Sequence[str | Path], output: str | Path, **options: object) -> CorpusReport:
    """Write the documents of ``inputs`` to ``output``, one per line, and a JSON run report.

    Each document is the title and abstract joined by a space, with line breaks turned
    into spaces. Empty documents are dropped first, and then duplicates (same CORD-19 id
    or same PMID) among the rest, so a row with text wins over an empty row with the same
    id. ``options`` are the fields of :class:`CorpusOptions`. The report, written to
    ``output`` + ``.report.json``, counts rows read, missing fields, empty documents,
    duplicates and documents written, per input and in total.
    """
    config = validate_config(CorpusOptions, dict(options), owner="corpus reader")
    assert isinstance(config, CorpusOptions)
    paths, output = _check_paths(inputs, output)

    counts = [_new_counts(path, config) for path in paths]
    report = CorpusReport(output=output, options=config.model_dump(mode="json"), inputs=counts)
    keep = _Keep(config.duplicates)
    if config.duplicates == "keep-last":
        keep.find_last_occurrences(paths, config)

    bar = progress.bar(total=sum(path.stat().st_size for path in paths), desc="corpus", unit="B", unit_scale=True)
    try:
        with atomic_write(output) as stream:
            for file_index, (path, source) in enumerate(zip(paths, counts)):
                for text in keep.documents(file_index, _read(path, source, config, bar.update), source):
                    stream.write(text + "\n")
                logger.info("%s: %d rows read, %d documents written", path, source.rows_read, source.documents_written)
    finally:
        bar.close()

    write_json(report_path(output), {**report.to_dict(), "versions": environment_versions()})
    if report.documents_written == 0:
        logger.warning("no documents were written to %s: every input row was empty or a duplicate", output)
    return report


def _check_paths(inputs: Sequence[str | Path], output: str | Path) -> tuple[list[Path], Path]:
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    paths = [Path(path) for path in inputs]
    if not paths:
        raise DataError("no input files given", hint="pass CORD-19 metadata.csv, PubTator or text files")
    for path in paths:
        if not path.is_file():
            raise DataError(f"input file not found: {path}", hint="check the path")
    output = Path(output)
    if any(output.resolve() == path.resolve() for path in paths):
        raise DataError(f"the output {output} is also an input", hint="write the corpus to a new file")
    return paths, output


def _new_counts(path: Path, config: CorpusOptions) -> SourceCounts:
    file_format = detect_format(path) if config.input_format == "auto" else config.input_format
    return SourceCounts(str(path), file_format)


def _read(path: Path, counts: SourceCounts, config: CorpusOptions, on_bytes: Callable[[int], object] | None) -> Iterator[Record]:
    if counts.format == "cord19":
        return read_cord19(
            path, counts, id_column=config.id_column, invalid_utf8=config.invalid_utf8, on_bytes=on_bytes
        )
    if counts.format == "pubtator":
        return read_pubtator(path, counts, invalid_utf8=config.invalid_utf8, on_bytes=on_bytes)
    return read_plain_text(path, counts, invalid_utf8=config.invalid_utf8, on_bytes=on_bytes)


class _Keep:
    """The empty-document and duplicate filters, shared by all inputs of one corpus.

    Ids are compared within one format, so a cord_uid and a PMID never collide.
    """

    def __init__(self, duplicates: str) -> None:
        self.duplicates = duplicates
        # NOTE: the ids seen so far stay in memory (about 100 bytes each), so memory grows
        # with the number of distinct ids even though the documents are streamed.
        self.seen: dict[str, set[str]] = {}
        self.last: dict[tuple[str, str], tuple[int, int]] = {}

    def find_last_occurrences(self, paths: list[Path], config: CorpusOptions) -> None:
        """Record where each id last has a non-empty document (a first pass over every input)."""
        for file_index, path in enumerate(paths):
            scratch = _new_counts(path, config)
            for index, record in enumerate(_read(path, scratch, config, None)):
                if record.text and record.key is not None:
                    self.last[(scratch.format, record.key)] = (file_index, index)

    def documents(self, file_index: int, records: Iterator[Record], counts: SourceCounts) -> Iterator[str]:
        """Yield the texts of one input that pass both filters, updating ``counts``."""
        seen = self.seen.setdefault(counts.format, set())
        for index, record in enumerate(records):
            if not record.text:
                counts.empty_documents_dropped += 1
                continue
            if record.key is not None and self._is_duplicate(counts.format, record.key, (file_index, index), seen):
                counts.duplicates_removed += 1
                continue
            counts.documents_written += 1
            yield record.text

    def _is_duplicate(self, file_format: str, key: str, position: tuple[int, int], seen: set[str]) -> bool:
        if self.duplicates == "keep-all":
            return False
        if self.duplicates == "keep-last":
            return self.last[(file_format, key)] != position
        if key in seen:
            return True
        seen.add(key)
        return False


_GLOB_CHARACTERS = set("*?[")


def resolve_inputs(patterns: list[str]) -> list[Path]:
    """Expand ``~`` and glob patterns into the input files, in the order given (matches sorted)."""
    paths: list[Path] = []
    for pattern in patterns:
        expanded = str(Path(pattern).expanduser())
        if _GLOB_CHARACTERS & set(expanded):
            matches = sorted(Path(match) for match in glob.glob(expanded))
            if not matches:
                raise DataError(f"no corpus file matches {pattern!r}", hint="check the pattern and the folder it names")
            paths.extend(matches)
        else:
            path = Path(expanded)
            if not path.is_file():
                raise DataError(f"corpus input not found: {path}", hint="check the path, or quote a glob pattern such as 'pubmed/*.txt'")
            paths.append(path)
    return list(dict.fromkeys(paths))
