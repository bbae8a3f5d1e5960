"""Term-to-category tables: the two-category rule and case matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from medrep.errors import DataError
from medrep_text.entities import EntityTable, load_entity_table

TABLE = """term\tcategory\tmentions\tsources\tid
tumor\tAnatomy\t73\tAnatEM\t
tumor\tDisease\t122\tBC5CDR\tD009369
Tumor\tAnatomy\t3\tAnatEM\t
Tumor\tDisease\t2\tBC5CDR\tD009369
WAS\tDisease\t74\tNCBI-disease\t
NO\tChemical\t56\tBC5CDR\tD009569
IL-6\tGene/Protein\t40\tBC2GM\t
cough\tDisease\t1\tBC5CDR\tD003371
cough\tSymptom\t2\tCDC\tC0010200
fever\tDisease\t2\tBC5CDR\t
fever\tSymptom\t2\tCDC\t
"""


@pytest.fixture
def table_path(tmp_path: Path) -> Path:
    path = tmp_path / "terms.tsv"
    path.write_text(TABLE, encoding="utf-8")
    return path


def test_most_mentions_rule(table_path: Path) -> None:
    table = load_entity_table(table_path)

    assert table.category("tumor") == "Disease"
    assert table.category("cough") == "Symptom"
    assert table.categories_of("tumor") == ["Anatomy", "Disease"]


def test_tie_keeps_first_listed(table_path: Path) -> None:
    assert load_entity_table(table_path).category("fever") == "Disease"


def test_first_listed_rule(table_path: Path) -> None:
    table = load_entity_table(table_path, rule="first-listed")

    assert table.category("tumor") == "Anatomy"
    assert table.category("cough") == "Disease"


def test_exact_spelling_wins_over_folded(table_path: Path) -> None:
    table = load_entity_table(table_path)

    assert table.category("Tumor") == "Anatomy"
    # Folded: tumor (Anatomy 73, Disease 122) plus Tumor (Anatomy 3, Disease 2).
    assert table.category("TUMOR") == "Disease"


@pytest.mark.parametrize(
    ("word", "expected"),
    [("was", None), ("no", None), ("WAS", "Disease"), ("NO", "Chemical"), ("il-6", "Gene/Protein"), ("Cough", "Symptom")],
    ids=["was", "no", "WAS", "NO", "il-6", "Cough"],
)
def test_short_acronyms_match_exactly_only(table_path: Path, word: str, expected: str | None) -> None:
    assert load_entity_table(table_path).category(word) == expected


def test_acronym_length_is_configurable(table_path: Path) -> None:
    table = load_entity_table(table_path, acronym_max_length=0)

    assert table.category("was") == "Disease"


def test_exact_match_mode(table_path: Path) -> None:
    table = load_entity_table(table_path, match="exact")

    assert table.category("il-6") is None
    assert table.category("IL-6") == "Gene/Protein"


def test_table_without_mentions_counts_rows(tmp_path: Path) -> None:
    path = tmp_path / "plain.tsv"
    path.write_text(
        "term\tcategory\tsource\nfever\tSymptom\tx\nfever\tDisease\ty\nfever\tDisease\tz\ncough\tSymptom\tx\ncough\tDisease\ty\n",
        encoding="utf-8",
    )
    table = load_entity_table(path)

    assert table.category("fever") == "Disease"
    assert table.category("cough") == "Symptom"


def test_summary_properties(table_path: Path) -> None:
    table = load_entity_table(table_path)

    assert len(table) == 7
    assert table.ambiguous_terms == ["Tumor", "cough", "fever", "tumor"]
    assert table.categories == ["Anatomy", "Chemical", "Disease", "Gene/Protein", "Symptom"]
    assert "fever" in table
    assert "was" not in table


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ("term\tcategory\n", "has a header but no terms"),
        ("term\tcategory\nfever\n", r"line 2: expected 'term<TAB>category'"),
        ("term\tcategory\tmentions\nfever\tSymptom\tmany\n", r"line 2: mentions must be a non-negative integer"),
    ],
    ids=["empty", "header-only", "one-column", "bad-mentions"],
)
def test_malformed_table_raises(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(DataError, match=message):
        load_entity_table(path)


def test_missing_table_raises(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="entity table not found"):
        load_entity_table(tmp_path / "absent.tsv")


def test_in_memory_table() -> None:
    table = EntityTable([("ACE2", "Gene/Protein", 1)], acronym_max_length=3)

    assert table.category("ace2") == "Gene/Protein"


def test_real_table(data_dir: Path) -> None:
    table = load_entity_table(data_dir / "text/entities/biomedical_terms_by_category.tsv")

    assert len(table.ambiguous_terms) == 155
    assert table.categories == ["Anatomy", "Cell", "Chemical", "DNA", "Disease", "Gene/Protein", "RNA", "Species", "Symptom"]
    assert [table.category(word) for word in ("was", "is", "no", "can")] == [None, None, None, None]
    assert table.category("tumor") == "Disease"
    assert table.category("cough") == "Symptom"
    assert table.category("il-6") == "Gene/Protein"
    assert table.category("covid-19") is None


@pytest.mark.parametrize(
    ("word", "expected"),
    [("mg", None), ("Mg", "Chemical"), ("re", None), ("mo", None), ("e2", "Chemical"), ("igg", "Gene/Protein")],
    ids=["mg", "Mg", "re", "mo", "e2", "igg"],
)
def test_two_letter_terms_match_exactly(data_dir: Path, word: str, expected: str | None) -> None:
    table = load_entity_table(data_dir / "text/entities/biomedical_terms_by_category.tsv")

    assert table.category(word) == expected
