"""The ``similarity-benchmark`` explorer on hand-made and real word-pair files."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from gensim.models import KeyedVectors, Word2Vec

import medrep
from medrep.errors import DataError


@pytest.fixture
def vectors() -> KeyedVectors:
    keyed = KeyedVectors(vector_size=2)
    keyed.add_vectors(["a", "b", "c", "d"], np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [-1.0, 0.0]], dtype=np.float32))
    return keyed


@pytest.fixture
def pair_files(tmp_path: Path) -> Path:
    folder = tmp_path / "toy"
    folder.mkdir()
    (folder / "full.txt").write_text("a\tb\t3\na\tc\t2\na\td\t1\nb\tc\t2.5\n", encoding="utf-8")
    (folder / "sparse.txt").write_text("a\tb\t3\nx\ty\t1\na b\td\t2\n", encoding="utf-8")
    return folder


def test_rows_per_file(vectors: KeyedVectors, pair_files: Path) -> None:
    result = medrep.get("explorer", "similarity-benchmark", files=[str(pair_files)]).explore(vectors)

    assert [row["benchmark"] for row in result.rows] == ["toy/full", "toy/sparse"]
    full, sparse = result.rows
    assert (full["pairs"], full["covered"], full["out_of_vocabulary"], full["coverage"]) == (4, 4, 0, 1.0)
    assert full["spearman"] == pytest.approx(1.0)
    assert (sparse["pairs"], sparse["covered"], sparse["out_of_vocabulary"]) == (3, 2, 1)
    assert math.isnan(sparse["spearman"])
    assert math.isnan(sparse["pearson"])
    assert result.warnings == [
        "toy/sparse: only 2 of 3 pairs have vectors for both terms; a correlation needs at least 3, so it is reported as NaN"
    ]


def test_rule_is_stated(vectors: KeyedVectors, pair_files: Path) -> None:
    result = medrep.get("explorer", "similarity-benchmark", files=[str(pair_files)], multiword="skip").explore(vectors)

    assert result.data["multiword_rule"] == "multi-word terms count as out of vocabulary unless the whole term is a key"
    assert result.rows[1]["covered"] == 1
    assert result.data["benchmarks"]["toy/sparse"]["missing_terms"] == ["a b", "x", "y"]


def test_no_files_gives_empty_result(vectors: KeyedVectors) -> None:
    result = medrep.get("explorer", "similarity-benchmark").explore(vectors)

    assert result.rows == []
    assert result.warnings == ["no benchmark files configured; set `files` to word-pair files or folders"]


def test_no_vector_in_vocabulary(pair_files: Path) -> None:
    keyed = KeyedVectors(vector_size=2)
    keyed.add_vectors(["zebra"], np.ones((1, 2), dtype=np.float32))

    result = medrep.get("explorer", "similarity-benchmark", files=[str(pair_files / "full.txt")]).explore(keyed)

    assert result.rows[0]["covered"] == 0
    assert result.rows[0]["coverage"] == 0.0
    assert math.isnan(result.rows[0]["spearman"])


def test_real_umnsrs_coverage(data_dir: Path) -> None:
    words = ["glaucoma", "fibrillation", "carbatrol", "dilantin", "cardiomyopathy", "tylenol"]
    keyed = KeyedVectors(vector_size=4)
    keyed.add_vectors(words, np.random.default_rng(0).standard_normal((len(words), 4)).astype(np.float32))
    path = data_dir / "text/benchmarks/UMNSRS/UMNSRS-sim.txt"

    result = medrep.get("explorer", "similarity-benchmark", files=[str(path)]).explore(keyed)

    # Four lines of UMNSRS-sim pair two of these six words.
    assert (result.rows[0]["pairs"], result.rows[0]["covered"], result.rows[0]["out_of_vocabulary"]) == (566, 4, 562)
    assert not math.isnan(result.rows[0]["spearman"])


def _pubtator_documents(path: Path, limit: int) -> list[list[str]]:
    documents = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("|", 2)
        if len(fields) == 3 and fields[1] == "a":
            documents.append(re.findall(r"\w+(?:-\w+)*", fields[2].lower()))
        if len(documents) == limit:
            break
    return documents


def test_sgns_matches_gensim_score(data_dir: Path) -> None:
    documents = _pubtator_documents(data_dir / "text/pubmed/CDR_TrainingSet.PubTator.txt", 300)
    options = {"vector_size": 16, "window": 5, "min_count": 2, "epochs": 2, "workers": 1, "seed": 0}
    ours = medrep.get("embedder", "sgns", **options).fit(documents)
    theirs = Word2Vec(documents, sg=1, hs=0, negative=5, **options).wv
    benchmarks = [str(data_dir / "text/benchmarks/UMNSRS"), str(data_dir / "text/benchmarks/MayoSRS")]
    explorer = medrep.get("explorer", "similarity-benchmark", files=benchmarks)

    ours_rows, theirs_rows = explorer.explore(ours).rows, explorer.explore(theirs).rows

    assert [row["covered"] for row in ours_rows] == [row["covered"] for row in theirs_rows]
    assert min(row["covered"] for row in ours_rows) >= 3
    for mine, reference in zip(ours_rows, theirs_rows):
        assert mine["spearman"] == pytest.approx(reference["spearman"], abs=1e-6)


def test_missing_folder_raises(vectors: KeyedVectors, tmp_path: Path) -> None:
    explorer = medrep.get("explorer", "similarity-benchmark", files=[str(tmp_path / "absent")])

    with pytest.raises(DataError, match="benchmark file or folder not found"):
        explorer.explore(vectors)
