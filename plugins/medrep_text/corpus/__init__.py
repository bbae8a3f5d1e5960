"""Corpus readers: CORD-19 ``metadata.csv``, PubTator and plain text to one document per line.

:func:`build_corpus` is the entry point. The readers yield :class:`Record` objects and can
also be used on their own.
"""

from medrep_text.corpus._text import flatten_line_breaks, is_missing, merge_fields
from medrep_text.corpus.build import CorpusOptions, build_corpus, detect_format, report_path, resolve_inputs
from medrep_text.corpus.cord19 import read_cord19
from medrep_text.corpus.plaintext import read_plain_text
from medrep_text.corpus.pubtator import read_pubtator
from medrep_text.corpus.records import Record
from medrep_text.corpus.report import CorpusReport, SourceCounts

__all__ = [
    "build_corpus",
    "CorpusOptions",
    "CorpusReport",
    "SourceCounts",
    "Record",
    "detect_format",
    "report_path",
    "resolve_inputs",
    "read_cord19",
    "read_pubtator",
    "read_plain_text",
    "merge_fields",
    "flatten_line_breaks",
    "is_missing",
]
