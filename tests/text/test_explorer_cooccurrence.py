"""The ``cooccurrence`` explorer: window counts, shares and category filters."""

from __future__ import annotations

from pathlib import Path

import pytest

import medrep
from medrep.errors import DataError, PluginConfigError
from medrep_text.tokens_file import TokensFile

DOCUMENTS = [["a", "x", "b", "x", "c"], ["x", "a"], ["b", "c"]]


def test_window_one_counts_and_shares() -> None:
    result = medrep.get("explorer", "cooccurrence", targets=["x"], window=1).explore(None, DOCUMENTS)

    # Around the three x: (a, b), (b, c) and (a).
    assert [(row["word"], row["count"], row["share"]) for row in result.rows] == [("a", 2, 0.4), ("b", 2, 0.4), ("c", 1, 0.2)]
    assert result.data["targets"]["x"] == {"occurrences": 3, "total": 5, "top": [["a", 2], ["b", 2], ["c", 1]]}


def test_target_itself_counts_but_is_not_listed() -> None:
    result = medrep.get("explorer", "cooccurrence", targets=["x"], window=2).explore(None, DOCUMENTS)

    # Windows: (a | b x), (x b | c), ( | a): a 2, b 2, x 2, c 1, total 7.
    assert [(row["word"], row["count"]) for row in result.rows] == [("a", 2), ("b", 2), ("c", 1)]
    assert [row["share"] for row in result.rows] == pytest.approx([2 / 7, 2 / 7, 1 / 7])


def test_top_k_limits_rows() -> None:
    result = medrep.get("explorer", "cooccurrence", targets=["x"], window=1, top_k=1).explore(None, DOCUMENTS)

    assert [row["word"] for row in result.rows] == ["a"]


def test_category_filter_keeps_total(tmp_path: Path) -> None:
    table = tmp_path / "terms.tsv"
    table.write_text("term\tcategory\nb\tChemical\nc\tDisease\n", encoding="utf-8")
    explorer = medrep.get("explorer", "cooccurrence", targets=["x"], window=1, entities=str(table), categories=["Disease"])

    result = explorer.explore(None, DOCUMENTS)

    assert [(row["word"], row["count"], row["share"], row["category"]) for row in result.rows] == [("c", 1, 0.2, "Disease")]


def test_categories_need_entities() -> None:
    with pytest.raises(PluginConfigError, match="needs an entity table"):
        medrep.get("explorer", "cooccurrence", categories=["Disease"])


def test_absent_target_warns() -> None:
    result = medrep.get("explorer", "cooccurrence", targets=["zebra", "x"], window=1).explore(None, DOCUMENTS)

    assert result.warnings == ["target 'zebra' is not a token of the tokenized corpus"]
    assert result.data["targets"]["zebra"] == {"occurrences": 0, "total": 0, "top": []}
    assert {row["target"] for row in result.rows} == {"x"}


def test_figure_has_one_panel_per_target() -> None:
    result = medrep.get("explorer", "cooccurrence", targets=["x", "b"], window=1).explore(None, DOCUMENTS)

    assert len(result.figure.axes) == 2
    assert [axes.get_title() for axes in result.figure.axes] == ["words within 1 tokens of 'x'", "words within 1 tokens of 'b'"]


def test_reads_tokens_file_twice(tmp_path: Path) -> None:
    path = tmp_path / "tokens.txt"
    path.write_text("a x b x c\nx a\nb c\n", encoding="utf-8")
    explorer = medrep.get("explorer", "cooccurrence", targets=["x"], window=1)

    first, second = explorer.explore(None, TokensFile(path)), explorer.explore(None, TokensFile(path))

    assert first.rows == second.rows
    assert [row["word"] for row in first.rows] == ["a", "b", "c"]


def test_documents_required() -> None:
    with pytest.raises(DataError, match="needs the tokenized corpus"):
        medrep.get("explorer", "cooccurrence").explore(None, None)


def test_absent_compound_target_names_the_split() -> None:
    result = medrep.get("explorer", "cooccurrence", targets=["covid-19"], window=1).explore(None, [["covid", "-", "19", "x"]])

    assert result.warnings == [
        "target 'covid-19' is not a token of the tokenized corpus; a tokenizer can split it into pieces (regex keeps "
        "compounds such as covid-19 whole with keep_compounds=true, bpe with pre_tokenizer=compounds), so look for "
        "one of its pieces or tokenize the corpus again"
    ]


def test_unknown_category_lists_categories(data_dir: Path) -> None:
    explorer = medrep.get(
        "explorer", "cooccurrence", categories=["disease"], entities=str(data_dir / "text/entities/biomedical_terms_by_category.tsv")
    )

    with pytest.raises(DataError) as caught:
        explorer.explore(None, DOCUMENTS)

    assert caught.value.message == "unknown entity category 'disease'; did you mean 'Disease'?"
    assert caught.value.hint.endswith(
        "assigns: Anatomy, Cell, Chemical, DNA, Disease, Gene/Protein, RNA, Species, Symptom"
    )
