"""Term-to-category tables, used to colour and filter words by entity type.

A table is a tab-separated file with a header line, then one ``term<TAB>category`` row per
line. More columns may follow: a third column named ``mentions`` (an integer, how often
the term was annotated with that category) decides between categories, and any others are
ignored. ``$MEDREP_DATA_DIR/text/entities/biomedical_terms_by_category.tsv`` has this
layout (term, category, mentions, sources, id).

Real tables need two rules, and both are options of :func:`load_entity_table`:

- **A term with two or more categories.** ``"most-mentions"`` (the default) keeps the
  category annotated most often, so ``tumor`` (Disease 122, Anatomy 73) is a Disease.
  In a table without a ``mentions`` column every row counts once. Ties keep the category
  listed first.
  ``"first-listed"`` always keeps the first row of the term.
- **Case.** Vocabularies are often lower-cased while tables keep acronyms in capitals,
  and lower-casing an acronym such as ``WAS`` (Wiskott-Aldrich syndrome), ``IS``, ``NO``
  (nitric oxide) or ``CAN`` makes it collide with a common English word. With
  ``match="ignore-case"`` (the default), a word first matches a term spelt exactly as
  written. Failing that, it matches the terms equal to it once both are lower-cased. Terms
  made only of upper-case letters and at most ``acronym_max_length`` characters long are
  the exception: they match only their exact spelling. So are terms of one or two letters
  in any case (``Mg``, ``Re``, ``Mo``): lower-cased, they are mostly units, word pieces of
  subword tokenizers or other words (``mg``, ``re``), not magnesium, rhenium or
  monocytes. ``IL-6`` is not such a term (it has a digit and a hyphen), so ``il-6`` still
  matches it, and neither are ``E2`` or ``S1``. ``match="exact"`` uses exact spellings only.
  A word that matches only after lower-casing gets the category rule applied to the
  mentions of every spelling that folds to it, added up (``TUMOR``, absent as such, is
  decided by the rows of ``tumor`` and ``Tumor`` together).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from medrep.errors import DataError

__all__ = ["EntityTable", "load_entity_table", "CategoryRule", "CaseMatch"]

CategoryRule = Literal["most-mentions", "first-listed"]
CaseMatch = Literal["ignore-case", "exact"]


@dataclass
class _Candidates:
    """Categories of one spelling (or one lower-cased form), in file order, with mentions."""

    mentions: dict[str, int] = field(default_factory=dict)

    def add(self, category: str, mentions: int) -> None:
        self.mentions[category] = self.mentions.get(category, 0) + mentions

    def choose(self, rule: CategoryRule) -> str:
        categories = list(self.mentions)
        if rule == "first-listed":
            return categories[0]
        # max() returns the first of equal maxima, so a tie keeps the category listed first.
        return max(categories, key=lambda category: self.mentions[category])


#: Terms of at most this many letters match only their exact spelling, whatever their case.
SHORT_TERM_LENGTH = 2


class EntityTable:
    """Lookup from words to one entity category each, following the module's two rules."""

    def __init__(
        self,
        rows: Iterable[tuple[str, str, int]],
        *,
        rule: CategoryRule = "most-mentions",
        match: CaseMatch = "ignore-case",
        acronym_max_length: int = 4,
        source: str = "(in memory)",
    ) -> None:
        self.rule = rule
        self.match = match
        self.acronym_max_length = acronym_max_length
        self.source = source

        exact: dict[str, _Candidates] = {}
        folded: dict[str, _Candidates] = {}
        for term, category, mentions in rows:
            exact.setdefault(term, _Candidates()).add(category, mentions)
            if not self.is_acronym(term):
                folded.setdefault(term.lower(), _Candidates()).add(category, mentions)

        self._exact = {term: candidates.choose(rule) for term, candidates in exact.items()}
        self._folded = {term: candidates.choose(rule) for term, candidates in folded.items()}
        self._all_categories = {term: list(candidates.mentions) for term, candidates in exact.items()}

    def is_acronym(self, term: str) -> bool:
        """Return whether ``term`` matches only its exact spelling: a short all-capitals word, or one of at most two letters."""
        if not term.isalpha():
            return False
        return len(term) <= SHORT_TERM_LENGTH or (term.isupper() and len(term) <= self.acronym_max_length)

    def category(self, word: str) -> str | None:
        """Return the category of ``word``, or ``None`` when the table has no matching term."""
        if word in self._exact:
            return self._exact[word]
        if self.match == "ignore-case":
            return self._folded.get(word.lower())
        return None

    def categories_of(self, term: str) -> list[str]:
        """Return every category listed for the exact spelling ``term``, in file order."""
        return list(self._all_categories.get(term, []))

    @property
    def categories(self) -> list[str]:
        """The distinct categories that the table assigns, sorted."""
        return sorted(set(self._exact.values()) | set(self._folded.values()))

    def check_categories(self, categories: Iterable[str]) -> None:
        """Raise :class:`DataError` when one of ``categories`` is not a category of this table."""
        unknown = [category for category in categories if category not in self.categories]
        if not unknown:
            return
        folded = {category.lower(): category for category in self.categories}
        close = [folded[category.lower()] for category in unknown if category.lower() in folded]
        noun = "category" if len(unknown) == 1 else "categories"
        message = f"unknown entity {noun} {', '.join(repr(category) for category in unknown)}"
        if close:
            message += f"; did you mean {', '.join(repr(category) for category in close)}?"
        raise DataError(message, hint=f"categories are case-sensitive. {self.source} assigns: {', '.join(self.categories)}")

    @property
    def ambiguous_terms(self) -> list[str]:
        """Exact spellings listed with more than one category, sorted."""
        return sorted(term for term, categories in self._all_categories.items() if len(categories) > 1)

    def __len__(self) -> int:
        return len(self._exact)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.category(word) is not None

    def describe(self) -> str:
        """Return the matching rules in one sentence, for reports."""
        case = (
            f"case-insensitive except all-capital terms of at most {self.acronym_max_length} letters "
            f"and terms of at most {SHORT_TERM_LENGTH} letters"
            if self.match == "ignore-case"
            else "exact spelling only"
        )
        choice = "most annotated category" if self.rule == "most-mentions" else "first listed category"
        return f"{len(self)} terms from {self.source}; matching: {case}; a term with several categories gets its {choice}"

    def __repr__(self) -> str:
        return f"EntityTable({self.source!r}, terms={len(self)}, rule={self.rule!r}, match={self.match!r})"


def load_entity_table(
    path: str | Path,
    *,
    rule: CategoryRule = "most-mentions",
    match: CaseMatch = "ignore-case",
    acronym_max_length: int = 4,
) -> EntityTable:
    """Read a term-to-category table (header line, then ``term<TAB>category[<TAB>mentions...]``).

    Raises :class:`~medrep.errors.DataError` when the file is missing, has no data rows,
    or has a row with fewer than two columns or a non-integer ``mentions`` value.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(
            f"entity table not found: {path}",
            hint="pass a tab-separated file with a header, then term and category columns",
        )

    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header is None:
            raise DataError(f"entity table {path} is empty", hint="the first line must be a header such as 'term<TAB>category'")
        mentions_column = 2 if len(header) > 2 and header[2].strip().lower() == "mentions" else None
        rows = [
            _parse_row(fields, path, line, with_mentions=mentions_column is not None)
            for line, fields in enumerate(reader, start=2)
            if any(fields)
        ]

    if not rows:
        raise DataError(f"entity table {path} has a header but no terms", hint="add one 'term<TAB>category' row per line")
    return EntityTable(rows, rule=rule, match=match, acronym_max_length=acronym_max_length, source=str(path))


def _parse_row(fields: list[str], path: Path, line: int, *, with_mentions: bool) -> tuple[str, str, int]:
    if len(fields) < 2 or not fields[0].strip() or not fields[1].strip():
        raise DataError(
            f"{path}, line {line}: expected 'term<TAB>category', got {'<TAB>'.join(fields)!r}",
            hint="separate columns with a tab character and fill in both the term and its category",
        )
    mentions = 1
    if with_mentions and len(fields) > 2 and fields[2].strip():
        try:
            mentions = int(fields[2])
        except ValueError:
            mentions = -1
        if mentions < 0:
            raise DataError(
                f"{path}, line {line}: mentions must be a non-negative integer, got {fields[2]!r}",
                hint="fix the third column, or drop it to count every row once",
            )
    return fields[0].strip(), fields[1].strip(), mentions
