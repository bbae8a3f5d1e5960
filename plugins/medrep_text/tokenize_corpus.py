"""Tokenize a corpus file into a tokens file, with frequency tables and comparison statistics.

:func:`tokenize_corpus` streams the corpus in batches of documents. Tokenizers whose
``tokenize_batch`` already uses several cores (the Hugging Face ones) run in this process;
the others run in a pool of worker processes, with a bounded number of batches in flight
so that memory stays flat. The tokens file keeps one line per corpus line, and its
``.meta.json`` records the tokenizer, its configuration, where a trained tokenizer was
saved, the most frequent tokens, a frequency-weighted sample and :func:`tokenizer_statistics`.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import heapq
import itertools
import logging
import multiprocessing
import os
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import medrep
from medrep import progress
from medrep.errors import DataError
from medrep.io import atomic_write, environment_versions, write_json
from medrep.kinds import Tokenizer
from medrep_text.tokenizers._unicode import normalize_text
from medrep_text.tokens_file import meta_path

logger = logging.getLogger(__name__)

#: Biomedical compounds whose survival as one token :func:`tokenizer_statistics` reports.
COMPOUNDS: tuple[str, ...] = ("covid-19", "sars-cov-2", "il-6", "2019-ncov")

STATE_SUFFIX = ".tokenizer"

#: Documents per batch sent to a worker process.
WORKER_BATCH = 200
#: Documents per ``tokenize_batch`` call of a tokenizer that is parallel itself. Its
#: threads wait for the longest document at the end of each call, so larger batches waste less.
PARALLEL_BATCH = 1000
#: Threads that call ``tokenize_batch`` of a parallel tokenizer at the same time.
ENCODING_THREADS = 2


@dataclass
class TokenizeReport:
    """Result of :func:`tokenize_corpus`: the output path, its metadata and the token counts."""

    output: Path
    metadata: dict[str, Any]
    counts: Counter[str] = field(repr=False)

    @property
    def statistics(self) -> dict[str, Any]:
        """The comparison statistics (see :func:`tokenizer_statistics`)."""
        return self.metadata["statistics"]


@dataclass
class _Batch:
    """One tokenized batch: the output lines, the token counts and compound occurrences in its input."""

    text: str
    documents: int
    counts: Counter[str]
    compounds: Counter[str]
    input_bytes: int


@dataclass
class _Totals:
    """Running totals over the batches of one corpus."""

    counts: Counter[str] = field(default_factory=Counter)
    compounds: Counter[str] = field(default_factory=Counter)
    documents: int = 0
    seconds: float = 0.0


def default_state_dir(output: str | Path) -> Path:
    """Return where a trained tokenizer is saved next to the tokens file ``output``."""
    output = Path(output)
    return output.with_name(output.name + STATE_SUFFIX)


def tokenize_corpus(
    corpus: str | Path,
    output: str | Path,
    tokenizer: str | Tokenizer = "regex",
    *,
    config: Mapping[str, Any] | None = None,
    state_dir: str | Path | None = None,
    jobs: int | None = None,
    batch_size: int | None = None,
    top: int = 20,
    sample: int = 20,
    seed: int = 0,
) -> TokenizeReport:
    """Tokenize ``corpus`` (one document per line) into ``output`` and its ``.meta.json``.

    ``tokenizer`` is a registered name, built with ``config``, or a ready tokenizer. A
    trainable tokenizer that is not fitted yet is first trained on the corpus. Its state
    is then saved to ``state_dir`` (default: ``output`` + ``.tokenizer``). ``jobs``
    worker processes (default: every available core) tokenize batches of ``batch_size``
    documents (default 200), unless the tokenizer is parallel itself: then two threads of
    this process hand it batches of ``batch_size`` documents (default 1000) while this
    thread writes and counts the previous batch. The metadata keeps the ``top`` most
    frequent tokens and ``sample`` distinct tokens drawn by :func:`weighted_sample` with
    ``seed``.
    """
    corpus, output = Path(corpus), Path(output)
    if not corpus.is_file():
        raise DataError(f"corpus file not found: {corpus}", hint="write one with `medrep words corpus`")
    plugin, name = _build(tokenizer, config)

    training_seconds, state = None, None
    if plugin.trainable:
        training_seconds, state = _fit_and_save(plugin, corpus, Path(state_dir or default_state_dir(output)))

    workers = 1 if plugin.batch_parallel else _worker_count(jobs)
    if batch_size is None:
        batch_size = PARALLEL_BATCH if plugin.batch_parallel else WORKER_BATCH
    elif batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    totals = _tokenize_to_file(plugin, name, corpus, output, workers, batch_size)
    counts = totals.counts

    statistics = tokenizer_statistics(
        counts,
        documents=totals.documents,
        input_bytes=corpus.stat().st_size,
        seconds=totals.seconds,
        compound_occurrences=totals.compounds,
        is_unknown=plugin.is_unknown,
    )
    metadata = {
        "tokenizer": name,
        "config": plugin.get_params(),
        "state": _relative_to(state, output.parent) if state else None,
        "corpus": str(corpus),
        "jobs": workers,
        "training_seconds": training_seconds,
        "statistics": statistics,
        "top": [[token, count] for token, count in top_tokens(counts, top)],
        "sample": {"seed": seed, "tokens": [[token, counts[token]] for token in weighted_sample(counts, sample, seed)]},
        "versions": environment_versions(),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    write_json(meta_path(output), metadata)
    logger.info(
        "%s: %d documents, %d tokens, %d distinct, %.2f MB/s",
        output,
        totals.documents,
        statistics["tokens"],
        statistics["vocabulary_size"],
        statistics["throughput_mb_per_s"],
    )
    return TokenizeReport(output=output, metadata=metadata, counts=counts)


def _tokenize_to_file(
    tokenizer: Tokenizer, name: str, corpus: Path, output: Path, workers: int, batch_size: int
) -> _Totals:
    """Write the tokens of every corpus line to ``output`` and return the totals."""
    totals = _Totals()
    started = time.perf_counter()
    # The worker pool starts before the progress bar, whose monitor thread would rule out fork.
    with _worker_pool(tokenizer, workers) as pool, atomic_write(output) as stream:
        bar = progress.bar(total=corpus.stat().st_size, desc=f"tokenize ({name})", unit="B", unit_scale=True)
        try:
            for batch in _tokenized_batches(tokenizer, _read_batches(corpus, batch_size), pool, workers):
                stream.write(batch.text)
                totals.counts.update(batch.counts)
                totals.compounds.update(batch.compounds)
                totals.documents += batch.documents
                bar.update(batch.input_bytes)
        finally:
            bar.close()
    totals.seconds = time.perf_counter() - started
    return totals


# -- statistics ----------------------------------------------------------------------------


def tokenizer_statistics(
    counts: Mapping[str, int],
    *,
    documents: int,
    input_bytes: int,
    seconds: float,
    compound_occurrences: Mapping[str, int],
    is_unknown: Callable[[str], bool],
) -> dict[str, Any]:
    """Return the numbers that compare tokenizers on one corpus.

    - ``tokens_per_document``: tokens divided by corpus lines.
    - ``vocabulary_size``: distinct tokens.
    - ``unknown_share``: the share of tokens for which ``is_unknown`` is true (``[UNK]``
      or byte-fallback pieces).
    - ``throughput_mb_per_s``: corpus size in megabytes (10^6 bytes) divided by the
      seconds spent reading, tokenizing and writing (training excluded).
    - ``compounds``: for each of :data:`COMPOUNDS`, its ``occurrences`` in the normalised,
      lower-cased corpus, how many tokens equal it case-insensitively
      (``single_token``), and their ratio ``share`` (``None`` without occurrences). A
      subword tokenizer can also cut the compound out of a longer word (``NCOVID-19``),
      so ``share`` can exceed 1.
    """
    tokens = sum(counts.values())
    unknown = sum(count for token, count in counts.items() if is_unknown(token))

    single: Counter[str] = Counter()
    for token, count in counts.items():
        lowered = token.lower()
        if lowered in COMPOUNDS:
            single[lowered] += count

    return {
        "documents": documents,
        "tokens": tokens,
        "tokens_per_document": tokens / documents if documents else 0.0,
        "vocabulary_size": len(counts),
        "unknown_tokens": unknown,
        "unknown_share": unknown / tokens if tokens else 0.0,
        "input_bytes": input_bytes,
        "seconds": seconds,
        "throughput_mb_per_s": input_bytes / 1e6 / seconds if seconds > 0 else 0.0,
        "compounds": {
            compound: {
                "occurrences": compound_occurrences.get(compound, 0),
                "single_token": single[compound],
                "share": single[compound] / compound_occurrences[compound]
                if compound_occurrences.get(compound)
                else None,
            }
            for compound in COMPOUNDS
        },
    }


def count_compounds(texts: Sequence[str]) -> Counter[str]:
    """Count the occurrences of :data:`COMPOUNDS` in ``texts``, normalised and lower-cased.

    An occurrence is not part of a longer hyphenated word: no word character (as ``\\w``
    defines it) touches it, nor a hyphen that joins it to one. ``COVID-19,`` and
    ``COVID-19- like`` count, ``COVID-19-related`` and ``NCOVID-19`` do not.
    """
    # ASCII lines are already normalised, so only the other lines pay for it. The two kinds
    # are searched apart because CPython lowers and searches pure-ASCII strings faster.
    plain = [text for text in texts if text.isascii()]
    other = [normalize_text(text) for text in texts if not text.isascii()]
    found: Counter[str] = Counter()
    for joined in ("\n".join(plain).lower(), "\n".join(other).lower()):
        _find_compounds(joined, found)
    return found


def _find_compounds(text: str, found: Counter[str]) -> None:
    """Add the occurrences of :data:`COMPOUNDS` in the lower-cased ``text`` to ``found``."""
    for compound in COMPOUNDS:
        # str.find is about ten times faster here than one regular expression with lookarounds.
        start = text.find(compound)
        while start >= 0:
            end = start + len(compound)
            if not _joins_word(text, start - 1, -1) and not _joins_word(text, end, 1):
                found[compound] += 1
            start = text.find(compound, end)


def _joins_word(text: str, index: int, step: int) -> bool:
    """Return whether ``text[index]`` is a word character, or a hyphen with one beyond it."""
    if not 0 <= index < len(text):
        return False
    character = text[index]
    if character == "-":
        return _is_word_character(text, index + step)
    return _is_word_character(text, index)


def _is_word_character(text: str, index: int) -> bool:
    # The same set as \w in Python's re module: alphanumeric characters and "_".
    return 0 <= index < len(text) and (text[index].isalnum() or text[index] == "_")


def top_tokens(counts: Mapping[str, int], k: int) -> list[tuple[str, int]]:
    """Return the ``k`` most frequent tokens with their counts; ties go in token order."""
    return heapq.nsmallest(max(k, 0), counts.items(), key=lambda item: (-item[1], item[0]))


def weighted_sample(counts: Mapping[str, int], k: int, seed: int = 0) -> list[str]:
    """Draw ``k`` distinct tokens without replacement, each draw proportional to frequency.

    Each draw picks among the tokens not drawn yet with probability proportional to
    their counts (NumPy's ``Generator.choice`` with ``replace=False``), so the same
    counts and ``seed`` give the same tokens in the same order. With fewer than ``k``
    distinct tokens, all of them are returned.
    """
    import numpy as np

    items = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    size = min(max(k, 0), len(items))
    if size == 0:
        return []
    frequencies = np.array([count for _, count in items], dtype=np.float64)
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(items), size=size, replace=False, p=frequencies / frequencies.sum())
    return [items[index][0] for index in chosen]


# -- building, training --------------------------------------------------------------------


def _build(tokenizer: str | Tokenizer, config: Mapping[str, Any] | None) -> tuple[Tokenizer, str]:
    if isinstance(tokenizer, str):
        plugin = medrep.get("tokenizer", tokenizer, **dict(config or {}))
        return plugin, tokenizer
    if config:
        raise TypeError("pass config only with a tokenizer name, not with a built tokenizer")
    if not isinstance(tokenizer, Tokenizer):
        raise TypeError(f"tokenizer must be a name or a Tokenizer, not {type(tokenizer).__name__}")
    return tokenizer, registered_name(tokenizer)


def registered_name(tokenizer: Tokenizer) -> str:
    """Return the registry name of a tokenizer's class, or its ``module:Class`` path."""
    name = getattr(tokenizer, "plugin_name", None)
    if name:
        return str(name)
    cls = type(tokenizer)
    reference = f"{cls.__module__}:{cls.__qualname__}"
    for info in medrep.plugins():
        if info.kind == "tokenizer" and info.status == "active" and info.factory in (cls, reference):
            return info.name
    logger.warning("%s is not registered; the tokens file metadata names its class instead", reference)
    return reference


def _fit_and_save(plugin: Tokenizer, corpus: Path, state_dir: Path) -> tuple[float | None, Path]:
    seconds = None
    if not plugin.is_fitted:
        started = time.perf_counter()
        plugin.fit(line for lines, _ in _read_batches(corpus, 1000) for line in lines)
        seconds = time.perf_counter() - started
        logger.info("trained the %s tokenizer on %s in %.1f s", type(plugin).__name__, corpus, seconds)
    plugin.save(state_dir)
    return seconds, state_dir


def _relative_to(path: Path, folder: Path) -> str:
    """Return ``path`` relative to ``folder`` when it lies inside it, else absolute."""
    try:
        return str(path.resolve().relative_to(folder.resolve()))
    except ValueError:
        return str(path.resolve())


# -- reading and tokenizing batches --------------------------------------------------------


def _read_batches(corpus: Path, batch_size: int) -> Iterator[tuple[list[str], int]]:
    """Yield lists of up to ``batch_size`` corpus lines (decoded, endings removed) and their size in bytes.

    Lines end at ``\\n`` only, as the corpus builder writes them.
    """
    batch: list[str] = []
    size = 0
    with corpus.open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            try:
                batch.append(raw.decode("utf-8").rstrip("\r\n"))
            except UnicodeDecodeError as exc:
                raise DataError(
                    f"{corpus}:{number}: invalid UTF-8 ({exc.reason})",
                    hint="build the corpus with `medrep words corpus`, which replaces invalid bytes",
                ) from None
            size += len(raw)
            if len(batch) >= batch_size:
                yield batch, size
                batch, size = [], 0
    if batch:
        yield batch, size


def _tokenize_batch(tokenizer: Tokenizer, lines: list[str], size: int) -> _Batch:
    return _summarize(tokenizer.tokenize_batch(lines), lines, size)


def _summarize(token_lists: list[list[str]], lines: list[str], size: int) -> _Batch:
    """Return the output text and the statistics of one tokenized batch of ``size`` input bytes."""
    text = "".join(" ".join(tokens) + "\n" for tokens in token_lists)
    counts = Counter(itertools.chain.from_iterable(token_lists))
    return _Batch(text, len(lines), counts, count_compounds(lines), size)


@contextlib.contextmanager
def _worker_pool(tokenizer: Tokenizer, workers: int) -> Iterator[Any]:
    """Start ``workers`` processes that hold ``tokenizer``, or yield ``None`` for one worker.

    The tokenizer tokenizes a sample first, so that it loads its models (and reports a
    configuration error) in this process. With fork the workers inherit those models.
    """
    if workers <= 1:
        yield None
        return
    tokenizer.tokenize("Warm up.")
    method = _start_method()
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        # Workers fork from the server with these modules imported once, not each on its own.
        context.set_forkserver_preload([__name__, type(tokenizer).__module__])
    pool = context.Pool(workers, initializer=_start_worker, initargs=(tokenizer,))
    try:
        yield pool
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def _start_method() -> str:
    """Return fork when no other Python thread runs, else forkserver (or spawn where it is missing).

    fork starts workers at once with the tokenizer's models loaded. A Python thread (a
    progress-bar monitor, a user's thread) may hold a lock at the moment of the fork that
    the child then waits for forever, so with one running the workers come from a clean
    forkserver process instead.
    """
    # NOTE: native thread pools (OpenBLAS, started when numpy is imported, and Hugging Face
    # tokenizers) are not counted. Both handle fork themselves, but Python 3.12 and later
    # warn (DeprecationWarning) about any fork in a process with more than one thread.
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _tokenized_batches(
    tokenizer: Tokenizer, batches: Iterator[tuple[list[str], int]], pool: Any, workers: int
) -> Iterator[_Batch]:
    if pool is None:
        if tokenizer.batch_parallel:
            yield from _overlapped_batches(tokenizer, batches)
            return
        for lines, size in batches:
            yield _tokenize_batch(tokenizer, lines, size)
        return

    # At most two batches per worker are in flight, so memory stays flat.
    pending: deque[Any] = deque()
    for lines, size in batches:
        pending.append(pool.apply_async(_worker_batch, (lines, size)))
        if len(pending) >= 2 * workers:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


def _overlapped_batches(tokenizer: Tokenizer, batches: Iterator[tuple[list[str], int]]) -> Iterator[_Batch]:
    """Tokenize batches in :data:`ENCODING_THREADS` threads while this thread writes and counts earlier ones.

    A parallel tokenizer (Hugging Face's Rust code) releases the GIL while it encodes,
    and acquires it again to turn the encodings into Python lists. With two batches in
    flight, one batch is encoded on every core while the other is converted. The joining
    and counting here then run beside the encoding, not after it.
    """
    # The first call loads lazily built models here, not in two threads at once.
    tokenizer.tokenize_batch(["Warm up."])
    with concurrent.futures.ThreadPoolExecutor(ENCODING_THREADS, thread_name_prefix="medrep-tokenize") as executor:
        pending: deque[tuple[concurrent.futures.Future[list[list[str]]], list[str], int]] = deque()
        for lines, size in batches:
            pending.append((executor.submit(tokenizer.tokenize_batch, lines), lines, size))
            if len(pending) > ENCODING_THREADS:
                yield _summarize_future(*pending.popleft())
        while pending:
            yield _summarize_future(*pending.popleft())


def _summarize_future(future: concurrent.futures.Future[list[list[str]]], lines: list[str], size: int) -> _Batch:
    return _summarize(future.result(), lines, size)


def _worker_count(jobs: int | None) -> int:
    if jobs is not None:
        if jobs < 1:
            raise ValueError(f"jobs must be at least 1, got {jobs}")
        return jobs
    if hasattr(os, "sched_getaffinity"):
        return max(len(os.sched_getaffinity(0)), 1)
    return os.cpu_count() or 1


_worker_tokenizer: Tokenizer | None = None


def _start_worker(tokenizer: Tokenizer) -> None:
    global _worker_tokenizer
    _worker_tokenizer = tokenizer


def _worker_batch(lines: list[str], size: int) -> _Batch:
    assert _worker_tokenizer is not None, "worker started without a tokenizer"
    return _tokenize_batch(_worker_tokenizer, lines, size)
