"""Throughput of the four tokenizers on the real corpus, each beside a baseline.

Builds the corpus from ``$MEDREP_DATA_DIR`` with medrep's corpus reader: the CORD-19
metadata sample's titles and abstracts plus the PubTator titles and abstracts of the
BioCreative V CDR corpus (3,500 documents, about 4.5 MB). Then, in one run:

1. MB/s of each tokenizer through ``tokenize_corpus``: file to file, with the counts and
   statistics that the tokens file's metadata records. ``regex`` and ``nltk`` use worker
   processes (``--jobs``); ``bert`` and ``bpe`` use Hugging Face's own threads.
2. ``bert`` and ``bpe`` against Hugging Face ``tokenizers`` called directly on the same
   documents: ``encode_batch(..., add_special_tokens=False)`` and each encoding's
   ``tokens``, on a tokenizer built with the library's own API (``BertWordPieceTokenizer``
   from the SciBERT vocabulary, ``Tokenizer.from_file`` on the trained ``tokenizer.json``).
   Two comparisons: the plugin's ``tokenize_batch`` in memory, and file to file, where the
   direct baseline reads lines, encodes batches of 500 and writes the tokens. The goal is
   a ratio medrep / direct of at least 0.95.
3. The parallel speed-up of ``tokenize_corpus`` with 2 workers over 1 (goal for ``nltk``:
   at least 1.8 on 2 cores).

Each time is the best of ``--repeats`` runs, with medrep and its baseline alternating so
that load from other processes falls on both. MB is 10^6 bytes of UTF-8 corpus text. On a
shared machine, wall-clock ratios also move with the load of other processes, so part 2
adds the ratio of CPU seconds spent in this process, and the script prints the load
average before and after.

Run: ``MEDREP_DATA_DIR=/path/to/data python benchmarks/tokenize.py [--repeats 3] [--jobs 2]``.
"""

from __future__ import annotations

import os.path
import sys

# Run as a script, this file's folder comes first on sys.path, where its name would hide
# the standard library's tokenize module (which logging and linecache import).
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != _HERE]

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from medrep_text.corpus import build_corpus  # noqa: E402
from medrep_text.tokenize_corpus import tokenize_corpus  # noqa: E402

BATCH = 500


def build_real_corpus(data_dir: Path, folder: Path) -> Path:
    """Write the corpus of the CORD-19 sample and the three CDR PubTator files."""
    text = data_dir / "text"
    inputs = [text / "cord19" / "metadata_sample_2000.csv", *sorted((text / "pubmed").glob("*.PubTator.txt"))]
    output = folder / "corpus.txt"
    build_corpus(inputs, output)
    return output


def wall_seconds(run: Callable[[], Any]) -> float:
    """Return the wall-clock seconds of one call of ``run``."""
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def cpu_seconds(run: Callable[[], Any]) -> float:
    """Return the CPU seconds (user and system, all threads of this process) of one call of ``run``."""
    started = time.process_time()
    run()
    return time.process_time() - started


def corpus_seconds(*args: Any, **options: Any) -> float:
    """Return the seconds ``tokenize_corpus`` spent reading, tokenizing and writing.

    Training and saving a trainable tokenizer's state are not included.
    """
    return float(tokenize_corpus(*args, **options).statistics["seconds"])


def alternate(first: Callable[[], float], second: Callable[[], float], repeats: int) -> tuple[float, float]:
    """Return the best of ``repeats`` times of two measurements, taken in turns."""
    first_times, second_times = [], []
    for _ in range(repeats):
        first_times.append(first())
        second_times.append(second())
    return min(first_times), min(second_times)


def direct_file_to_file(backend: Any, corpus: Path, output: Path) -> None:
    """Tokenize ``corpus`` into ``output`` with Hugging Face ``encode_batch`` alone."""
    with corpus.open(encoding="utf-8") as source, output.open("w", encoding="utf-8") as target:
        batch: list[str] = []
        for line in source:
            batch.append(line.rstrip("\n"))
            if len(batch) == BATCH:
                _write_encoded(backend, batch, target)
                batch = []
        if batch:
            _write_encoded(backend, batch, target)


def _write_encoded(backend: Any, batch: list[str], target: Any) -> None:
    encodings = backend.encode_batch(batch, add_special_tokens=False)
    target.write("".join(" ".join(encoding.tokens) + "\n" for encoding in encodings))


def direct_backends(data_dir: Path, bpe_state: Path) -> dict[str, Any]:
    """Build the baselines with Hugging Face's API, independently of medrep's loaders."""
    from tokenizers import Tokenizer
    from tokenizers.implementations import BertWordPieceTokenizer
    from tokenizers.models import WordPiece

    vocab = WordPiece.read_file(str(data_dir / "text" / "vocab" / "scibert_scivocab_uncased_vocab.txt"))
    return {
        "bert": BertWordPieceTokenizer(vocab=vocab, lowercase=True),
        "bpe": Tokenizer.from_file(str(bpe_state / "tokenizer.json")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement; the best is kept")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for regex and nltk in part 1")
    parser.add_argument(
        "--parts", type=int, nargs="+", choices=[1, 2, 3], default=[1, 2, 3], help="which measurements to run"
    )
    args = parser.parse_args()
    data_dir = Path(os.environ["MEDREP_DATA_DIR"])

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        corpus = build_real_corpus(data_dir, folder)
        documents = corpus.read_text(encoding="utf-8").splitlines()
        print(f"corpus: {len(documents)} documents, {corpus.stat().st_size / 1e6:.2f} MB")
        print(f"machine: {os.cpu_count()} CPU cores, Python {platform.python_version()}, {platform.platform()}")
        print(f"load average at start: {_load()}")

        vocab = data_dir / "text" / "vocab" / "scibert_scivocab_uncased_vocab.txt"
        configs: dict[str, dict[str, Any]] = {
            "regex": {"keep_compounds": True},
            "nltk": {},
            "bert": {"pretrained": str(vocab)},
            "bpe": {"vocab_size": 30000},
        }
        if 1 in args.parts or 2 in args.parts:
            # Parts 1 and 2 load the bpe tokenizer that this run trains.
            tokenize_corpus(corpus, folder / "bpe.txt", "bpe", config=configs["bpe"])
        if 1 in args.parts:
            measure_throughput(corpus, folder, configs, args.jobs, args.repeats)
        if 2 in args.parts:
            measure_against_direct(corpus, folder, configs, direct_backends(data_dir, folder / "bpe.txt.tokenizer"), args.repeats)
        if 3 in args.parts:
            measure_parallel(corpus, folder, configs, args.repeats)
        print(f"\nload average at end: {_load()}")


def measure_throughput(corpus: Path, folder: Path, configs: dict[str, dict[str, Any]], jobs: int, repeats: int) -> None:
    """Print part 1: MB/s of each tokenizer through ``tokenize_corpus``."""
    megabytes = corpus.stat().st_size / 1e6
    print("\n1. tokenize_corpus, file to file with statistics")
    print(f"{'tokenizer':<10} {'workers':>7} {'MB/s':>7} {'tokens/doc':>10} {'vocabulary':>10} {'unknown':>8}")
    for name, config in configs.items():
        report = tokenize_corpus(corpus, folder / f"{name}.txt", _reload(name, config, folder), jobs=jobs)
        seconds = min(
            corpus_seconds(corpus, folder / f"{name}.txt", _reload(name, config, folder), jobs=jobs)
            for _ in range(repeats)
        )
        statistics = report.statistics
        workers = report.metadata["jobs"] if name in ("regex", "nltk") else "HF"
        print(
            f"{name:<10} {workers:>7} {megabytes / seconds:>7.2f} {statistics['tokens_per_document']:>10.1f} "
            f"{statistics['vocabulary_size']:>10} {statistics['unknown_share']:>8.2%}"
        )


def measure_against_direct(
    corpus: Path, folder: Path, configs: dict[str, dict[str, Any]], backends: dict[str, Any], repeats: int
) -> None:
    """Print part 2: medrep's bert and bpe against Hugging Face tokenizers called directly."""
    megabytes = corpus.stat().st_size / 1e6
    documents = corpus.read_text(encoding="utf-8").splitlines()
    print("\n2. Hugging Face wrappers against tokenizers called directly (goal: ratio >= 0.95)")
    print(f"{'tokenizer':<10} {'case':<16} {'medrep MB/s':>11} {'direct MB/s':>11} {'ratio':>6} {'CPU ratio':>9}")
    for name in ("bert", "bpe"):
        plugin = _reload(name, configs[name], folder)
        backend = backends[name]

        def medrep_batch() -> Any:
            return plugin.tokenize_batch(documents)

        def direct_batch() -> Any:
            return [encoding.tokens for encoding in backend.encode_batch(documents, add_special_tokens=False)]

        wall = alternate(lambda: wall_seconds(medrep_batch), lambda: wall_seconds(direct_batch), repeats)
        cpu = alternate(lambda: cpu_seconds(medrep_batch), lambda: cpu_seconds(direct_batch), repeats)
        _print_ratio(name, "tokenize_batch", megabytes, wall, cpu)

        def medrep_file() -> Any:
            return tokenize_corpus(corpus, folder / f"{name}-medrep.txt", plugin, state_dir=folder / "state")

        def direct_file() -> None:
            direct_file_to_file(backend, corpus, folder / f"{name}-direct.txt")

        wall = alternate(lambda: float(medrep_file().statistics["seconds"]), lambda: wall_seconds(direct_file), repeats)
        # The CPU time of medrep's call includes saving the bpe state, which the
        # wall-clock seconds above leave out.
        cpu = alternate(lambda: cpu_seconds(medrep_file), lambda: cpu_seconds(direct_file), repeats)
        _print_ratio(name, "file to file", megabytes, wall, cpu)


# Run in a fresh interpreter per measurement, as one `medrep words tokenize` command is.
_PARALLEL_RUN = """
import json, resource, sys
from medrep_text.tokenize_corpus import _start_method, tokenize_corpus

import medrep

corpus, output, name, config, jobs = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), int(sys.argv[5])
tokenizer = medrep.get("tokenizer", name, **config)
tokenizer.tokenize("Imports and models are loaded before the measurement.")
method = _start_method()
before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
seconds = tokenize_corpus(corpus, output, tokenizer, jobs=jobs).statistics["seconds"]
after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = [a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before)]
print(json.dumps({"seconds": seconds, "main_cpu": cpu[0], "workers_cpu": cpu[1], "method": method}))
"""


def run_fresh(corpus: Path, output: Path, name: str, config: dict[str, Any], jobs: int) -> dict[str, Any]:
    """Run ``tokenize_corpus`` in a new interpreter; return its seconds and CPU seconds."""
    command = [sys.executable, "-c", _PARALLEL_RUN, str(corpus), str(output), name, json.dumps(config), str(jobs)]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def measure_parallel(corpus: Path, folder: Path, configs: dict[str, dict[str, Any]], repeats: int) -> None:
    """Print part 3: ``tokenize_corpus`` with 2 worker processes against 1.

    Each run builds and warms up its tokenizer first, then measures ``tokenize_corpus``:
    wall-clock seconds, and the CPU seconds of its main process and of its workers
    (counted when the workers were forked, so that they are its children). ``CPU bound``
    estimates the speed-up on two idle cores from those CPU seconds: the serial CPU time
    over half the parallel CPU time, as if the two cores shared the work evenly.
    """
    megabytes = corpus.stat().st_size / 1e6
    print("\n3. Parallel speed-up of tokenize_corpus (goal for nltk: >= 1.8 with 2 workers on 2 cores)")
    print(
        f"{'tokenizer':<10} {'1 worker MB/s':>13} {'2 workers MB/s':>14} {'speed-up':>8} "
        f"{'CPU s (1)':>9} {'CPU s (2: main + workers)':>26} {'CPU bound':>9} {'start':>10}"
    )
    for name in ("nltk", "regex"):
        runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
        for _ in range(repeats):
            for jobs in (1, 2):
                runs[jobs].append(run_fresh(corpus, folder / f"{name}-{jobs}.txt", name, configs[name], jobs))
        serial = min(runs[1], key=lambda run: run["seconds"])
        parallel = min(runs[2], key=lambda run: run["seconds"])
        serial_cpu = serial["main_cpu"] + serial["workers_cpu"]
        parallel_cpu = parallel["main_cpu"] + parallel["workers_cpu"]
        print(
            f"{name:<10} {megabytes / serial['seconds']:>13.2f} {megabytes / parallel['seconds']:>14.2f} "
            f"{serial['seconds'] / parallel['seconds']:>8.2f} {serial_cpu:>9.2f} "
            f"{parallel['main_cpu']:>12.2f} + {parallel['workers_cpu']:>11.2f} {serial_cpu / (parallel_cpu / 2):>9.2f} "
            f"{parallel['method']:>10}"
        )


def _reload(name: str, config: dict[str, Any], folder: Path) -> Any:
    """Build the tokenizer again, loading the bpe state trained in part 1."""
    import medrep
    from medrep_text.tokenizers.bpe import BpeTokenizer

    if name == "bpe":
        return BpeTokenizer.load(folder / "bpe.txt.tokenizer")
    return medrep.get("tokenizer", name, **config)


def _print_ratio(name: str, case: str, megabytes: float, wall: tuple[float, float], cpu: tuple[float, float]) -> None:
    (medrep_seconds, direct_seconds), (medrep_cpu, direct_cpu) = wall, cpu
    print(
        f"{name:<10} {case:<16} {megabytes / medrep_seconds:>11.2f} {megabytes / direct_seconds:>11.2f} "
        f"{direct_seconds / medrep_seconds:>6.2f} {direct_cpu / medrep_cpu:>9.2f}"
    )


def _load() -> str:
    if not hasattr(os, "getloadavg"):
        return "unknown"
    return " ".join(f"{value:.2f}" for value in os.getloadavg()) + " (1, 5, 15 minutes)"


if __name__ == "__main__":
    sys.exit(main())
