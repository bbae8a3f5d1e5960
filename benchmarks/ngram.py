"""Build time and memory of medrep's n-gram count arrays against a Counter of tuples.

Reads the real corpus (the CORD-19 metadata sample's titles and abstracts plus the
PubTator titles and abstracts of the BioCreative V CDR corpus) from ``$MEDREP_DATA_DIR``,
tokenizes it once, then for each order n counts every k-gram, k = 1 .. n, two ways:

- ``arrays``: :func:`medrep_text.ngram.counts.build_counts`, the store behind ``ngram-lm``
  (sorted int64 keys, uint32 counts and Kneser-Ney adjusted counts);
- ``Counter``: one ``collections.Counter`` of token tuples, the layout nltk.lm uses,
  over the same ``<s>`` ... ``</s>`` padded documents.

Time is wall-clock of one untraced build. Peak and kept memory come from a second build
under ``tracemalloc``, which also traces numpy's buffers: peak is the most allocated at once
during the build, and kept is what the finished counts still occupy. The token lists themselves
exist before either build and are not counted.

Run: ``MEDREP_DATA_DIR=/path/to/data python benchmarks/ngram.py [--orders 3 5 7]``.
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import platform
import re
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from medrep_text.ngram.counts import BOS, EOS, build_counts

MIB = 1024 * 1024
_WORD = re.compile(r"\w+(?:[-']\w+)*")


def read_corpus(data_dir: Path) -> list[str]:
    """Return one text per record: CORD-19 title and abstract, PubTator title and abstract."""
    texts = []
    csv.field_size_limit(sys.maxsize)
    with (data_dir / "text/cord19/metadata_sample_2000.csv").open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            text = " ".join(part for part in (row["title"], row["abstract"]) if part)
            if text.strip():
                texts.append(text)
    for path in sorted((data_dir / "text/pubmed").glob("*.PubTator.txt")):
        parts: list[str] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            fields = line.split("|", 2)
            if len(fields) == 3 and fields[1] in ("t", "a"):
                parts.append(fields[2])
            elif not line.strip() and parts:
                texts.append(" ".join(parts))
                parts = []
        if parts:
            texts.append(" ".join(parts))
    return texts


def tokenizer() -> tuple[str, Callable[[str], list[str]]]:
    """Return medrep's ``regex`` tokenizer when it is installed, else a lower-case word regex."""
    import medrep

    try:
        plugin = medrep.get("tokenizer", "regex")
        return "medrep tokenizer 'regex' (default options)", plugin.tokenize
    except medrep.UnknownPluginError:
        return f"lower-case regex {_WORD.pattern!r}", lambda text: _WORD.findall(text.lower())


def counter_of_tuples(documents: list[list[str]], order: int) -> Counter[tuple[str, ...]]:
    """Count every k-gram, k = 1 .. ``order``, as a tuple of strings, with the same padding."""
    counts: Counter[tuple[str, ...]] = Counter()
    for document in documents:
        padded = [BOS, *document, EOS] if order > 1 else document
        for k in range(1, order + 1):
            counts.update(zip(*(padded[offset:] for offset in range(k))))
    return counts


def measure(build: Callable[[], Any]) -> tuple[Any, float, int, int]:
    """Return the result, seconds of an untraced build, and traced peak and kept bytes."""
    gc.collect()
    start = time.perf_counter()
    result = build()
    seconds = time.perf_counter() - start
    del result
    gc.collect()

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    result = build()
    kept, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak - before, kept - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, nargs="+", default=[3, 5, 7], help="n-gram orders to build (default: 3 5 7)")
    parser.add_argument("--data-dir", type=Path, default=os.environ.get("MEDREP_DATA_DIR"), help="data folder (default: $MEDREP_DATA_DIR)")
    arguments = parser.parse_args()
    if arguments.data_dir is None:
        parser.error("set MEDREP_DATA_DIR or pass --data-dir")

    name, tokenize = tokenizer()
    texts = read_corpus(arguments.data_dir)
    documents = [tokens for tokens in map(tokenize, texts) if tokens]
    token_count = sum(map(len, documents))
    print(f"corpus: {len(documents)} documents, {token_count} tokens; tokenizer: {name}")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print()

    header = (
        f"{'n':>2}  {'distinct k-grams':>16}  {'arrays s':>8}  {'peak MiB':>8}  {'kept MiB':>8}  "
        f"{'Counter s':>9}  {'peak MiB':>8}  {'kept MiB':>8}  {'time x':>6}  {'kept x':>6}"
    )
    print(header)
    for order in arguments.orders:
        counts, array_seconds, array_peak, array_kept = measure(lambda: build_counts(documents, order))
        distinct = sum(counts.ngram_counts())
        del counts
        tuples, counter_seconds, counter_peak, counter_kept = measure(lambda: counter_of_tuples(documents, order))
        if len(tuples) != distinct:
            raise SystemExit(f"order {order}: the two counts disagree ({distinct} vs {len(tuples)} distinct k-grams)")
        del tuples
        print(
            f"{order:>2}  {distinct:>16}  {array_seconds:>8.2f}  {array_peak / MIB:>8.1f}  {array_kept / MIB:>8.1f}  "
            f"{counter_seconds:>9.2f}  {counter_peak / MIB:>8.1f}  {counter_kept / MIB:>8.1f}  "
            f"{counter_seconds / array_seconds:>6.1f}  {counter_kept / array_kept:>6.1f}"
        )
    print()
    print("time x and kept x: Counter divided by arrays (above 1 means the arrays are faster or smaller)")


if __name__ == "__main__":
    main()
