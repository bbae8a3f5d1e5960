"""Word-pair similarity benchmarks: reading pair files and scoring keyed vectors on them.

A benchmark file contains one pair per line, ``word1<TAB>word2<TAB>score``, where a higher
score means more similar (or more related). The sets under
``$MEDREP_DATA_DIR/text/benchmarks/<set>/<file>.txt`` (UMNSRS, MayoSRS, Bio-SimVerb)
follow this layout. A term may have several words (``renal failure``). How such a term
gets a vector is the ``multiword`` rule:

- ``"mean"`` (default): a term that is a key of the vectors as written is used as is;
  otherwise the term is split on whitespace and gets the mean of its words' vectors, but
  only when every word is in the vocabulary. Else the pair is out of vocabulary.
- ``"mean-known"``: the mean of the vectors of the words that are in the vocabulary; the
  pair is out of vocabulary only when none is.
- ``"skip"``: only terms that are keys as written; multi-word terms are out of vocabulary.

The model's score of a pair is the cosine similarity of the two term vectors, and the
benchmark result is the Spearman (and Pearson) correlation between model and human
scores over the covered pairs. With fewer than :data:`MIN_PAIRS` covered pairs, or when
either list of scores is constant, the correlations are NaN and the result carries a
warning instead of raising.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from medrep.errors import DataError

__all__ = [
    "MIN_PAIRS",
    "MultiwordRule",
    "WordPair",
    "BenchmarkScore",
    "read_word_pairs",
    "find_benchmark_files",
    "term_vector",
    "score_pairs",
    "describe_multiword_rule",
]

MultiwordRule = Literal["mean", "mean-known", "skip"]

#: Fewest covered pairs for which a correlation is computed; with fewer, it is NaN.
MIN_PAIRS = 3

_RULE_TEXT = {
    "mean": "a multi-word term is the mean of its words' vectors when every word is in the vocabulary",
    "mean-known": "a multi-word term is the mean of the vectors of its words that are in the vocabulary",
    "skip": "multi-word terms count as out of vocabulary unless the whole term is a key",
}


@dataclass(frozen=True)
class WordPair:
    """One benchmark line: two terms and the human similarity score."""

    first: str
    second: str
    score: float


@dataclass
class BenchmarkScore:
    """Correlation of model cosines with human scores on one benchmark file."""

    name: str
    path: str
    pairs: int
    covered: int
    spearman: float
    pearson: float
    multiword: str
    missing_terms: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def out_of_vocabulary(self) -> int:
        """Pairs left out because a term has no vector."""
        return self.pairs - self.covered

    @property
    def coverage(self) -> float:
        """Share of pairs covered, from 0 to 1 (NaN for an empty file)."""
        return self.covered / self.pairs if self.pairs else math.nan

    def to_dict(self) -> dict[str, Any]:
        """Return every field and derived number as JSON-ready values (NaN stays NaN)."""
        values = asdict(self)
        values["out_of_vocabulary"] = self.out_of_vocabulary
        values["coverage"] = self.coverage
        return values


def read_word_pairs(path: str | Path) -> list[WordPair]:
    """Read ``word1<TAB>word2<TAB>score`` lines; blank lines are skipped.

    Raises :class:`~medrep.errors.DataError` naming the file and line for a missing file,
    a line without three tab-separated fields, or a score that is not a number.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"benchmark file not found: {path}", hint="pass a word1<TAB>word2<TAB>score file or a folder of them")

    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 3 or not fields[0].strip() or not fields[1].strip():
            raise DataError(
                f"{path}, line {number}: expected 'word1<TAB>word2<TAB>score', got {_shorten(line)!r}",
                hint="separate the two terms and the score with single tab characters",
            )
        try:
            score = float(fields[2])
        except ValueError:
            raise DataError(
                f"{path}, line {number}: score {fields[2]!r} is not a number",
                hint="the third column must be a number such as 3.5",
            ) from None
        pairs.append(WordPair(fields[0].strip(), fields[1].strip(), score))
    return pairs


def _shorten(line: str, limit: int = 80) -> str:
    """Return ``line`` cut to ``limit`` characters, with the number of characters left out."""
    if len(line) <= limit:
        return line
    return f"{line[:limit]}... ({len(line) - limit} more characters)"


def find_benchmark_files(paths: list[str]) -> list[Path]:
    """Expand files and folders into benchmark files: a folder gives every ``*.txt`` below it, sorted."""
    found: list[Path] = []
    for entry in paths:
        path = Path(entry)
        if path.is_dir():
            files = sorted(path.rglob("*.txt"))
            if not files:
                raise DataError(f"no *.txt benchmark files in {path}", hint="pass the files themselves or a folder that contains them")
            found.extend(files)
        elif path.is_file():
            found.append(path)
        else:
            raise DataError(f"benchmark file or folder not found: {path}", hint="check the path")
    return found


def benchmark_name(path: Path) -> str:
    """Return ``<folder>/<file stem>``, for example ``UMNSRS/UMNSRS-sim``."""
    return f"{path.parent.name}/{path.stem}" if path.parent.name else path.stem


def term_vector(vectors: Any, term: str, rule: MultiwordRule = "mean") -> np.ndarray | None:
    """Return the vector of ``term`` under ``rule``, or ``None`` when it is out of vocabulary."""
    key_to_index = vectors.key_to_index
    if term in key_to_index:
        return np.asarray(vectors[term], dtype=np.float64)
    words = term.split()
    if rule == "skip" or len(words) < 2:
        return None

    known = [word for word in words if word in key_to_index]
    if not known or (rule == "mean" and len(known) < len(words)):
        return None
    return np.mean([np.asarray(vectors[word], dtype=np.float64) for word in known], axis=0)


def _cosine(first: np.ndarray, second: np.ndarray) -> float:
    norms = float(np.linalg.norm(first) * np.linalg.norm(second))
    return float(first @ second) / norms if norms > 0 else math.nan


def score_pairs(
    vectors: Any,
    pairs: list[WordPair],
    *,
    name: str,
    path: str = "",
    multiword: MultiwordRule = "mean",
    lowercase: bool = True,
) -> BenchmarkScore:
    """Correlate model cosines with human scores over the pairs whose terms have vectors.

    ``lowercase`` lower-cases each term before the lookup, for vocabularies built by a
    lower-casing tokenizer. Low coverage gives NaN correlations and a warning, never an
    exception (see the module docstring).
    """
    from scipy import stats

    model_scores, human_scores, missing = [], [], set()
    for pair in pairs:
        first, second = (pair.first.lower(), pair.second.lower()) if lowercase else (pair.first, pair.second)
        first_vector, second_vector = term_vector(vectors, first, multiword), term_vector(vectors, second, multiword)
        if first_vector is None:
            missing.add(first)
        if second_vector is None:
            missing.add(second)
        if first_vector is None or second_vector is None:
            continue
        cosine = _cosine(first_vector, second_vector)
        if math.isnan(cosine):  # a zero vector has no direction
            missing.update(term for term, vector in ((first, first_vector), (second, second_vector)) if not vector.any())
            continue
        model_scores.append(cosine)
        human_scores.append(pair.score)

    covered = len(model_scores)
    warnings = []
    spearman = pearson = math.nan
    if covered < MIN_PAIRS:
        warnings.append(
            f"{name}: only {covered} of {len(pairs)} pairs have vectors for both terms; "
            f"a correlation needs at least {MIN_PAIRS}, so it is reported as NaN"
        )
    elif np.ptp(model_scores) == 0 or np.ptp(human_scores) == 0:
        warnings.append(f"{name}: the model or human scores of the {covered} covered pairs are all equal; correlation is NaN")
    else:
        spearman = float(stats.spearmanr(model_scores, human_scores).statistic)
        pearson = float(stats.pearsonr(model_scores, human_scores).statistic)
        if covered < len(pairs) / 2:
            warnings.append(
                f"{name}: only {covered} of {len(pairs)} pairs ({covered / len(pairs):.0%}) are covered; "
                "the correlation describes that subset only"
            )

    return BenchmarkScore(
        name=name,
        path=path,
        pairs=len(pairs),
        covered=covered,
        spearman=spearman,
        pearson=pearson,
        multiword=multiword,
        missing_terms=sorted(missing),
        warnings=warnings,
    )


def describe_multiword_rule(rule: MultiwordRule) -> str:
    """Return the multi-word rule as a sentence, for reports."""
    return _RULE_TEXT[rule]
