"""``tokenize_corpus`` on the real CORD-19 sample and PubMed abstracts, and its statistics."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest

import medrep
from medrep.errors import DataError
from medrep.kinds import Tokenizer
from medrep_text.corpus import build_corpus
from medrep_text.tokenize_corpus import (
    COMPOUNDS,
    count_compounds,
    tokenize_corpus,
    tokenizer_statistics,
    top_tokens,
    weighted_sample,
)
from medrep_text.tokenizers.bpe import BpeTokenizer
from medrep_text.tokens_file import TokensFile, meta_path

STATISTICS_KEYS = {
    "documents", "tokens", "tokens_per_document", "vocabulary_size", "unknown_tokens", "unknown_share",
    "input_bytes", "seconds", "throughput_mb_per_s", "compounds",
}  # fmt: skip


@pytest.fixture(scope="module")
def real_corpus(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus of the CORD-19 sample and the three PubTator files: 3,500 documents."""
    text = data_dir / "text"
    inputs = [text / "cord19" / "metadata_sample_2000.csv", *sorted((text / "pubmed").glob("*.PubTator.txt"))]
    output = tmp_path_factory.mktemp("real") / "corpus.txt"
    build_corpus(inputs, output)
    return output


@pytest.fixture(scope="module")
def real_subset(real_corpus: Path) -> Path:
    """300 CORD-19 documents and 200 PubMed abstracts of the real corpus, to keep slow tokenizers quick."""
    lines = real_corpus.read_text(encoding="utf-8").splitlines(keepends=True)
    subset = real_corpus.with_name("subset.txt")
    subset.write_text("".join(lines[:300] + lines[2000:2200]), encoding="utf-8")
    return subset


TOKENIZERS = [
    ("regex", {"keep_compounds": True}),
    ("nltk", {}),
    ("bert", {"pretrained": "SCIBERT"}),
    ("bpe", {"vocab_size": 3000}),
]


@pytest.mark.parametrize(("name", "config"), TOKENIZERS, ids=[name for name, _ in TOKENIZERS])
def test_tokenizer_on_real_subset(name: str, config: dict[str, object], real_subset: Path, data_dir: Path, tmp_path: Path) -> None:
    if config.get("pretrained") == "SCIBERT":
        config = {"pretrained": str(data_dir / "text" / "vocab" / "scibert_scivocab_uncased_vocab.txt")}
    output = tmp_path / "tokens.txt"

    report = tokenize_corpus(real_subset, output, name, config=config, jobs=2)

    lines = output.read_text(encoding="utf-8").split("\n")[:-1]
    metadata = json.loads(meta_path(output).read_text(encoding="utf-8"))
    statistics = metadata["statistics"]
    assert len(lines) == 500
    assert metadata["tokenizer"] == name
    assert set(statistics) == STATISTICS_KEYS
    assert statistics["documents"] == 500
    assert statistics["tokens"] == sum(len(line.split()) for line in lines)
    assert statistics["vocabulary_size"] == len(report.counts)
    assert set(statistics["compounds"]) == set(COMPOUNDS)
    assert statistics["compounds"]["covid-19"]["occurrences"] > 0
    assert [count for _, count in metadata["top"]] == sorted((count for _, count in metadata["top"]), reverse=True)
    assert len(metadata["top"]) == 20
    assert len({token for token, _ in metadata["sample"]["tokens"]}) == 20
    assert all(report.counts[token] == count for token, count in metadata["sample"]["tokens"])
    assert TokensFile(output).tokenizer().tokenize(real_subset.read_text(encoding="utf-8").split("\n")[0]) == lines[0].split()


def test_regex_on_full_real_corpus(real_corpus: Path, tmp_path: Path) -> None:
    report = tokenize_corpus(real_corpus, tmp_path / "tokens.txt", "regex", config={"keep_compounds": True}, jobs=1)

    statistics = report.statistics
    assert statistics["documents"] == 3500
    assert statistics["tokens"] == 651_380
    assert statistics["vocabulary_size"] == 35_610
    assert statistics["unknown_share"] == 0.0
    assert {compound: found["occurrences"] for compound, found in statistics["compounds"].items()} == {
        "covid-19": 3450, "sars-cov-2": 938, "il-6": 31, "2019-ncov": 16,
    }  # fmt: skip
    assert {compound: found["share"] for compound, found in statistics["compounds"].items()} == {
        "covid-19": 1.0, "sars-cov-2": 1.0, "il-6": 1.0, "2019-ncov": 1.0,
    }  # fmt: skip
    assert report.metadata["top"][:3] == [["the", 31255], ["of", 26830], ["and", 22503]]


def test_parallel_output_matches_serial(real_subset: Path, tmp_path: Path) -> None:
    lines = real_subset.read_text(encoding="utf-8").splitlines(keepends=True)
    small = tmp_path / "small.txt"
    small.write_text("".join(lines[:60]), encoding="utf-8")

    serial = tokenize_corpus(small, tmp_path / "serial.txt", "nltk", jobs=1, batch_size=7)
    parallel = tokenize_corpus(small, tmp_path / "parallel.txt", "nltk", jobs=2, batch_size=7)

    assert (tmp_path / "parallel.txt").read_bytes() == (tmp_path / "serial.txt").read_bytes()
    assert parallel.metadata["jobs"] == 2
    assert serial.metadata["jobs"] == 1
    assert parallel.statistics["compounds"] == serial.statistics["compounds"]


@pytest.mark.parametrize("name", ["bert", "bpe"])
def test_overlapped_batches_match_one_batch(name: str, real_subset: Path, data_dir: Path, tmp_path: Path) -> None:
    # Two threads encode batches while earlier ones are counted. Batches of 7 documents
    # must give what one batch of all 60 gives.
    lines = real_subset.read_text(encoding="utf-8").splitlines(keepends=True)
    small = tmp_path / "small.txt"
    small.write_text("".join(lines[:60]), encoding="utf-8")
    if name == "bert":
        tokenizer = medrep.get("tokenizer", "bert", pretrained=str(data_dir / "text" / "vocab" / "scibert_scivocab_uncased_vocab.txt"))
    else:
        tokenizer = BpeTokenizer(vocab_size=1000).fit(lines)

    whole = tokenize_corpus(small, tmp_path / "whole.txt", tokenizer, state_dir=tmp_path / "state")
    batched = tokenize_corpus(small, tmp_path / "batched.txt", tokenizer, state_dir=tmp_path / "state", batch_size=7)

    assert (tmp_path / "batched.txt").read_bytes() == (tmp_path / "whole.txt").read_bytes()
    assert batched.counts == whole.counts
    assert batched.statistics["documents"] == whole.statistics["documents"] == 60
    assert batched.statistics["compounds"] == whole.statistics["compounds"]


class _MeetingTokenizer(Tokenizer):
    """A parallel tokenizer whose first two batches of three documents wait for each other."""

    batch_parallel = True

    def __init__(self) -> None:
        super().__init__()
        self.meeting = threading.Barrier(2, timeout=30)
        self.lock = threading.Lock()
        self.batches = 0

    def tokenize(self, text: str) -> list[str]:
        return text.split()

    def tokenize_batch(self, texts: Sequence[str]) -> list[list[str]]:
        with self.lock:
            self.batches += len(texts) == 3
            first_two = len(texts) == 3 and self.batches <= 2
        if first_two:
            # Raises BrokenBarrierError after 30 s unless a second thread reaches the barrier.
            self.meeting.wait()
        return [self.tokenize(text) for text in texts]


def test_two_batches_encode_at_once(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("".join(f"document {index}\n" for index in range(10)), encoding="utf-8")
    tokenizer = _MeetingTokenizer()

    report = tokenize_corpus(corpus, tmp_path / "tokens.txt", tokenizer, batch_size=3)

    assert tokenizer.batches == 3
    assert report.statistics["documents"] == 10
    assert (tmp_path / "tokens.txt").read_text(encoding="utf-8").splitlines()[9] == "document 9"


def test_batch_size_checked(real_subset: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="batch_size must be at least 1, got 0"):
        tokenize_corpus(real_subset, tmp_path / "tokens.txt", "regex", batch_size=0)


def test_forkserver_workers_match_serial(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import medrep_text.tokenize_corpus as module

    corpus = tmp_path / "corpus.txt"
    corpus.write_text("IL-6 rose. COVID-19 wards!\nSecond line here.\n" * 6, encoding="utf-8")
    monkeypatch.setattr(module, "_start_method", lambda: "forkserver")

    serial = tokenize_corpus(corpus, tmp_path / "serial.txt", "nltk", jobs=1, batch_size=2)
    parallel = tokenize_corpus(corpus, tmp_path / "parallel.txt", "nltk", jobs=2, batch_size=2)

    assert (tmp_path / "parallel.txt").read_text(encoding="utf-8") == (tmp_path / "serial.txt").read_text(encoding="utf-8")
    assert parallel.counts == serial.counts


def test_start_method_avoids_fork_with_threads() -> None:
    import threading

    from medrep_text.tokenize_corpus import _start_method

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        method = _start_method()
    finally:
        stop.set()
        thread.join()

    assert method != "fork"


def test_trained_state_saved_beside_tokens(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("covid-19 patients\nsars-cov-2 tests\n" * 20, encoding="utf-8")

    report = tokenize_corpus(corpus, tmp_path / "tokens.txt", "bpe", config={"vocab_size": 60})

    assert report.metadata["state"] == "tokens.txt.tokenizer"
    assert (tmp_path / "tokens.txt.tokenizer" / "tokenizer.json").is_file()
    assert report.metadata["training_seconds"] > 0
    assert TokensFile(tmp_path / "tokens.txt").tokenizer().tokenize("covid-19 tests") == ["covid", "-", "19", "tests"]


def test_blank_lines_kept(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("first line\n\n... !\nlast\n", encoding="utf-8")

    report = tokenize_corpus(corpus, tmp_path / "tokens.txt", "regex")

    assert (tmp_path / "tokens.txt").read_text(encoding="utf-8") == "first line\n\n\nlast\n"
    assert report.statistics["documents"] == 4
    assert report.statistics["tokens_per_document"] == 0.75


def test_invalid_utf8_names_line(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(b"fine\nCaf\xe9\n")

    with pytest.raises(DataError, match=r"corpus\.txt:2: invalid UTF-8"):
        tokenize_corpus(corpus, tmp_path / "tokens.txt", "regex")


def test_missing_corpus_named(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="corpus file not found: .*nothing.txt"):
        tokenize_corpus(tmp_path / "nothing.txt", tmp_path / "tokens.txt")


# -- statistics, top tokens and the weighted sample ------------------------------------------


def test_statistics_hand_computed() -> None:
    counts = Counter({"[UNK]": 2, "covid-19": 3, "COVID-19": 1, "x": 4})

    statistics = tokenizer_statistics(
        counts,
        documents=2,
        input_bytes=2_000_000,
        seconds=2.0,
        compound_occurrences={"covid-19": 5},
        is_unknown=lambda token: token == "[UNK]",
    )

    assert statistics["tokens"] == 10
    assert statistics["tokens_per_document"] == 5.0
    assert statistics["vocabulary_size"] == 4
    assert statistics["unknown_tokens"] == 2
    assert statistics["unknown_share"] == 0.2
    assert statistics["throughput_mb_per_s"] == 1.0
    assert statistics["compounds"]["covid-19"] == {"occurrences": 5, "single_token": 4, "share": 0.8}
    assert statistics["compounds"]["il-6"] == {"occurrences": 0, "single_token": 0, "share": None}


def test_compound_occurrences_counted() -> None:
    text = "COVID-19, covid-19-related x-covid-19 (COVID\u201019) NCOVID-19 COVID-19- like SARS-CoV-2/IL-6 il-6R 2019-nCoV_"

    assert count_compounds([text, "il-6"]) == Counter({"covid-19": 3, "sars-cov-2": 1, "il-6": 2})


def test_compound_occurrences_normalised_per_line() -> None:
    # Full-width letters, digits and hyphen (NFKC gives COVID-19) and a Unicode hyphen sit
    # on lines of their own between ASCII lines, which are left as they are.
    lines = ["covid-19 and", "\uff23\uff2f\uff36\uff29\uff24\uff0d\uff11\uff19 cases", "IL\u20106", "SARS-CoV-2 IL-6x"]

    assert count_compounds(lines) == Counter({"covid-19": 2, "il-6": 1, "sars-cov-2": 1})


def test_top_tokens_break_ties_by_token() -> None:
    counts = Counter({"b": 3, "a": 3, "c": 5, "d": 1})

    assert top_tokens(counts, 3) == [("c", 5), ("a", 3), ("b", 3)]
    assert top_tokens(counts, 0) == []


def test_weighted_sample_reproducible() -> None:
    counts = Counter({f"token{index}": index + 1 for index in range(100)})

    first = weighted_sample(counts, 20, seed=0)
    again = weighted_sample(dict(reversed(list(counts.items()))), 20, seed=0)
    other = weighted_sample(counts, 20, seed=1)

    assert first == again
    assert first != other
    assert len(set(first)) == 20


def test_weighted_sample_follows_frequency() -> None:
    counts = Counter({"frequent": 1000, "rare": 1, "rarer": 1})

    draws = Counter(weighted_sample(counts, 1, seed=seed)[0] for seed in range(200))

    assert draws["frequent"] >= 190


def test_weighted_sample_small_vocabulary() -> None:
    counts = Counter({"a": 2, "b": 1})

    assert sorted(weighted_sample(counts, 20, seed=0)) == ["a", "b"]
    assert weighted_sample(counts, 0, seed=0) == []
    assert weighted_sample(Counter(), 5, seed=0) == []
