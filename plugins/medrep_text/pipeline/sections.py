"""The sections of the words report, each built from the stage summaries of a run.

Explorer results are shown by the registered name of the explorer that made them, with a
generic table of rows for explorers this module does not know (third-party ones, or a
replacement whose rows lack the expected columns).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from medrep_text.pipeline import tokens_view
from medrep_text.pipeline.cache import StageResult
from medrep_text.pipeline.render import Block, Bullets, Code, Figure, Heading, Paragraph, Table

if TYPE_CHECKING:
    from medrep_text.pipeline.runner import WordsRunResult

#: Rows shown for an explorer without a dedicated view.
GENERIC_ROWS = 50

#: Words listed per target in the comparison of combinations.
COMPARED_NEIGHBOURS = 5


def summary_sentence(run: "WordsRunResult") -> str:
    """Return the opening paragraph: corpus size, combinations, time and cache use."""
    report = run.corpus.summary.get("report", {})
    documents = sum(int(source.get("documents_written", 0)) for source in report.get("inputs", []))
    megabytes = run.corpus.summary.get("bytes", 0) / 1e6
    stages = run.stages()
    reused = sum(stage.cached for stage in stages)
    combinations = ", ".join(result.label for result in run.combinations)
    return (
        f"{documents:,} documents ({megabytes:.1f} MB of text) from {len(report.get('inputs', []))} input files, "
        f"tokenized by {len(run.tokenizers)} tokenizer(s) and embedded in {len(run.combinations)} combination(s): "
        f"{combinations}. The run took {run.seconds:.1f} s; {reused} of {len(stages)} stages were taken from the "
        f"stage cache in {run.cache_root}."
    )


# -- corpus and tokens ------------------------------------------------------------------------


def corpus_section(run: "WordsRunResult") -> list[Block]:
    """Return the per-input counts of the corpus stage."""
    columns = ["input", "format", "rows read", "missing abstracts", "empty dropped", "duplicates removed", "documents"]
    counters = ["rows_read", "missing_abstracts", "empty_documents_dropped", "duplicates_removed", "documents_written"]
    inputs = run.corpus.summary.get("report", {}).get("inputs", [])
    rows = [[source["path"].rsplit("/", 1)[-1], source.get("format")] + [source.get(name) for name in counters] for source in inputs]
    if len(inputs) > 1:
        rows.append(["total", ""] + [sum(int(source.get(name, 0)) for source in inputs) for name in counters])
    return [Heading("Corpus"), Table(columns, rows)]


def tokens_section(run: "WordsRunResult") -> list[Block]:
    """Return, per tokenizer, its most frequent tokens beside a frequency-weighted random sample."""
    settings = run.config.report
    blocks: list[Block] = [
        Heading("Tokens"),
        Paragraph(
            f"For each tokenizer, the {settings.top} most frequent tokens beside {settings.sample} distinct tokens "
            f"drawn without replacement with probability proportional to their frequency (seed {run.config.seed})."
        ),
    ]
    for label, result in run.tokenizers.items():
        view = tokens_view.TokenStatistics.from_summary(result.tokenize.summary)
        blocks.append(Heading(f"Tokenizer {label}", 3))
        blocks.append(Paragraph(view.describe(label)))
        rows = []
        for index in range(max(len(view.top), len(view.sample))):
            top = view.top[index] if index < len(view.top) else (None, None)
            sample = view.sample[index] if index < len(view.sample) else (None, None)
            rows.append([index + 1, _code(top[0]), top[1], _code(sample[0]), sample[1]])
        blocks.append(Table(["rank", "top token", "count", "weighted sample", "count"], rows))
    return blocks


def tokenizer_comparison_section(run: "WordsRunResult") -> list[Block]:
    """Return the side-by-side tokenizer statistics, when the run has more than one tokenizer."""
    if len(run.tokenizers) < 2:
        return []
    views = {label: tokens_view.TokenStatistics.from_summary(result.tokenize.summary) for label, result in run.tokenizers.items()}
    compounds = list(dict.fromkeys(compound for view in views.values() for compound in view.compounds))
    columns = ["tokenizer", "tokens per document", "vocabulary", "[UNK] / byte-fallback share", "throughput (MB/s)"]
    columns += [f"{compound} kept whole" for compound in compounds]
    rows = []
    for label, view in views.items():
        row = [label, view.tokens_per_document, view.vocabulary_size, view.unknown_share, view.throughput]
        rows.append(row + [view.compound_cell(compound) for compound in compounds])
    return [
        Heading("Tokenizer comparison"),
        Paragraph(
            "Throughput is measured while tokenizing this corpus in this run (a cached stage keeps the number of "
            "the run that computed it; tokenizers from Hugging Face use several threads). 'Kept whole' is the share "
            "of a compound's occurrences in the lower-cased text that the tokenizer returns as one token "
            "(single tokens / occurrences)."
        ),
        Table(columns, rows),
    ]


# -- explorers that read only tokens -----------------------------------------------------------


def next_words_section(run: "WordsRunResult") -> list[Block]:
    """Return the next-word tables of the n-gram language model, tokenizers side by side."""
    models = {
        label: stage
        for label, result in run.tokenizers.items()
        for stage in result.explorations.values()
        if stage.summary.get("explorer") == "ngram-lm" and _has_columns(stage, "context", "rank", "word", "probability")
    }
    if not models:
        return []
    blocks: list[Block] = [
        Heading("Next words"),
        Paragraph(
            "Most probable next words under the interpolated Kneser-Ney n-gram model of each tokenizer's tokens. "
            "The context is tokenized by the same tokenizer; when the model has not seen the whole context, "
            "shorter contexts decide and the table says so."
        ),
    ]
    contexts = list(dict.fromkeys(row["context"] for stage in models.values() for row in stage.summary["rows"]))
    for context in contexts:
        blocks.append(Heading(f"After “{context}”", 3))
        notes = []
        by_label = {}
        for label, stage in models.items():
            rows = [row for row in stage.summary["rows"] if row["context"] == context]
            by_label[label] = rows
            order = stage.summary.get("data", {}).get("order")
            if rows:
                used = rows[0].get("context_used") or "(none: unigram distribution)"
                backed_off = " (backed off)" if rows[0].get("backed_off") else ""
                notes.append(f"{label}: order {order}, context used: {used}{backed_off}")
        depth = max(len(rows) for rows in by_label.values())
        columns = ["rank"] + [name for label in by_label for name in (f"{label}: word", "p")]
        table = []
        for index in range(depth):
            row: list[Any] = [index + 1]
            for rows in by_label.values():
                row += [Code(rows[index]["word"]), rows[index]["probability"]] if index < len(rows) else [None, None]
            table.append(row)
        blocks += [Table(columns, table), Bullets(notes)]
    return blocks


def token_explorers_section(run: "WordsRunResult", figures: dict[str, str]) -> list[Block]:
    """Return the other explorers that read only tokens (co-occurrence and any third-party ones)."""
    blocks: list[Block] = []
    for label, result in run.tokenizers.items():
        for explorer, stage in result.explorations.items():
            if stage.summary.get("explorer") == "ngram-lm":
                continue
            blocks.append(Heading(f"{_title(stage)}: tokenizer {label}", 2))
            blocks += explorer_blocks(stage, figures)
    return blocks


# -- combinations -----------------------------------------------------------------------------


def combination_comparison_section(run: "WordsRunResult") -> list[Block]:
    """Return one row per combination: vectors, benchmark scores with coverage, first neighbours."""
    if len(run.combinations) < 2:
        return []
    benchmarks = list(dict.fromkeys(row["benchmark"] for result in run.combinations for row in _benchmark_rows(result)))
    targets = list(dict.fromkeys(target for result in run.combinations for target in _neighbours(result)))
    columns = ["combination", "words", "dim", "training (s)"]
    columns += [f"{name} Spearman (coverage)" for name in benchmarks]
    columns += [f"neighbours of {target}" for target in targets]
    rows = []
    for result in run.combinations:
        scores = {row["benchmark"]: row for row in _benchmark_rows(result)}
        neighbours = _neighbours(result)
        row: list[Any] = [result.label, result.embed.summary.get("words"), result.embed.summary.get("dim"), result.embed.seconds]
        row += [_score_with_coverage(scores.get(name)) for name in benchmarks]
        row += [", ".join(neighbours.get(target, [])[:COMPARED_NEIGHBOURS]) or None for target in targets]
        rows.append(row)
    return [Heading("Combinations side by side"), Table(columns, rows)]


def combinations_section(run: "WordsRunResult", figures: dict[str, str]) -> list[Block]:
    """Return, per combination, the vectors and every explorer that read them."""
    blocks: list[Block] = []
    for result in run.combinations:
        embed = result.embed.summary
        blocks.append(Heading(f"Combination {result.tokenizer} + {result.embedder}"))
        blocks.append(
            Paragraph(
                f"{embed.get('embedder', result.embedder)} vectors: {embed.get('words', 0):,} words x {embed.get('dim')} "
                f"dimensions, trained in {result.embed.seconds:.1f} s on the {result.tokenizer} tokens. "
                f"Options: {_options(embed.get('config', {}))}."
            )
        )
        for stage in result.explorations.values():
            blocks.append(Heading(_title(stage), 3))
            blocks += explorer_blocks(stage, figures)
    return blocks


def _benchmark_rows(result: Any) -> list[dict[str, Any]]:
    return [
        row
        for stage in result.explorations.values()
        if stage.summary.get("explorer") == "similarity-benchmark" and _has_columns(stage, "benchmark", "spearman", "coverage")
        for row in stage.summary["rows"]
    ]


def _neighbours(result: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for stage in result.explorations.values():
        if stage.summary.get("explorer") == "neighbours" and _has_columns(stage, "query", "type", "word"):
            for row in stage.summary["rows"]:
                if row["type"] == "neighbours":
                    found.setdefault(row["query"], []).append(row["word"])
    return found


def _score_with_coverage(row: dict[str, Any] | None) -> str | None:
    if row is None:
        return None
    from medrep_text.pipeline.render import format_cell

    return f"{format_cell(row['spearman'])} ({row['coverage']:.0%})"


# -- explorer views ---------------------------------------------------------------------------


def explorer_blocks(stage: StageResult, figures: dict[str, str]) -> list[Block]:
    """Return the blocks of one explorer result, by the registered name of its explorer."""
    view, columns = _VIEWS.get(stage.summary.get("explorer", ""), (None, ()))
    if view is None or not _has_columns(stage, *columns):
        view = _generic_view
    return view(stage, figures)


def _tsne_view(stage: StageResult, figures: dict[str, str]) -> list[Block]:
    data = stage.summary.get("data", {})
    words = data.get("words", [])
    categories = data.get("categories", {})
    category_counts = ", ".join(f"{name} {count}" for name, count in sorted(categories.items(), key=lambda item: -item[1]))
    perplexity = data.get("perplexity")
    perplexity_text = f"{perplexity:.1f}" if isinstance(perplexity, (int, float)) else "unknown"
    caption = f"t-SNE of {len(words)} words (perplexity {perplexity_text}, selection: {data.get('selection')}); categories: {category_counts}"
    blocks: list[Block] = []
    if stage.label in figures:
        blocks.append(Figure(figures[stage.label], caption))
    else:
        blocks.append(Paragraph(caption))
    return blocks


def _neighbours_view(stage: StageResult, figures: dict[str, str]) -> list[Block]:
    rows = stage.summary["rows"]
    queries = list(dict.fromkeys(row["query"] for row in rows))
    if not queries:
        return [Paragraph("No target has a vector.")]
    by_query = {query: [row for row in rows if row["query"] == query] for query in queries}
    depth = max(len(found) for found in by_query.values())
    columns = ["rank"] + [name for query in queries for name in (query, "cosine")]
    table = []
    for index in range(depth):
        row: list[Any] = [index + 1]
        for found in by_query.values():
            row += [Code(found[index]["word"]), found[index]["cosine"]] if index < len(found) else [None, None]
        table.append(row)
    return [Table(columns, table)]


def _cooccurrence_view(stage: StageResult, figures: dict[str, str]) -> list[Block]:
    data = stage.summary.get("data", {})
    blocks: list[Block] = [
        Paragraph(
            f"Words within {data.get('window')} tokens of each target; share = count / all tokens counted around "
            "the target's occurrences."
        )
    ]
    rows = stage.summary["rows"]
    for target in dict.fromkeys(row["target"] for row in rows):
        found = [row for row in rows if row["target"] == target]
        occurrences = data.get("targets", {}).get(target, {}).get("occurrences")
        table = [[row["rank"], Code(row["word"]), row["count"], row["share"], row.get("category")] for row in found]
        blocks.append(Table(["rank", "word", "count", "share", "category"], table, caption=f"{target} ({occurrences} occurrences)"))
    if stage.label in figures:
        blocks.append(Figure(figures[stage.label], f"Co-occurrence shares of the {stage.label.split('/')[0]} tokens"))
    return blocks


def _benchmark_view(stage: StageResult, figures: dict[str, str]) -> list[Block]:
    columns = ["benchmark", "pairs", "covered", "out of vocabulary", "coverage", "Spearman", "Pearson"]
    keys = ["benchmark", "pairs", "covered", "out_of_vocabulary", "coverage", "spearman", "pearson"]
    table = [[row.get(key) for key in keys] for row in stage.summary["rows"]]
    rule = stage.summary.get("data", {}).get("multiword_rule")
    blocks: list[Block] = [Table(columns, table)]
    if rule:
        blocks.append(Paragraph(f"Correlations are over the covered pairs only; {rule}."))
    return blocks


def _generic_view(stage: StageResult, figures: dict[str, str]) -> list[Block]:
    rows = stage.summary.get("rows", [])
    blocks: list[Block] = []
    if rows:
        columns = list(rows[0])
        table = [[_cell(row.get(column)) for column in columns] for row in rows[:GENERIC_ROWS]]
        caption = f"first {GENERIC_ROWS} of {len(rows)} rows (all are in report.json)" if len(rows) > GENERIC_ROWS else None
        blocks.append(Table(columns, table, caption=caption))
    if stage.label in figures:
        blocks.append(Figure(figures[stage.label], f"Figure of the {stage.summary.get('explorer')} explorer ({stage.label})"))
    if not blocks:
        blocks.append(Paragraph("No rows; the numbers are in report.json."))
    return blocks


_VIEWS: dict[str, tuple[Callable[[StageResult, dict[str, str]], list[Block]], tuple[str, ...]]] = {
    "tsne": (_tsne_view, ()),
    "neighbours": (_neighbours_view, ("query", "word", "cosine")),
    "cooccurrence": (_cooccurrence_view, ("target", "rank", "word", "count", "share")),
    "similarity-benchmark": (_benchmark_view, ("benchmark",)),
}


# -- warnings and stages ----------------------------------------------------------------------


def warnings_section(run: "WordsRunResult") -> list[Block]:
    """Return every warning an explorer reported, with the stage it came from."""
    items = [f"{stage.label}: {warning}" for stage in run.stages() for warning in stage.summary.get("warnings", [])]
    return [Heading("Warnings"), Bullets(items)] if items else []


def stages_section(run: "WordsRunResult") -> list[Block]:
    """Return the stage table: what was computed, what came from the cache, and the time taken."""
    rows = [
        [stage.stage, stage.label, "cache" if stage.cached else "computed", round(stage.seconds, 2), Code(stage.key[:12])]
        for stage in run.stages()
    ]
    return [
        Heading("Stages"),
        Paragraph("Seconds are those of the run that computed the stage. Keys hash each stage's inputs and configuration."),
        Table(["stage", "label", "source", "seconds", "key"], rows),
    ]


# -- helpers ----------------------------------------------------------------------------------


def _has_columns(stage: StageResult, *columns: str) -> bool:
    rows = stage.summary.get("rows")
    if not isinstance(rows, list):
        return False
    return all(isinstance(row, dict) and all(column in row for column in columns) for row in rows)


def _title(stage: StageResult) -> str:
    titles = {
        "tsne": "t-SNE map",
        "neighbours": "Nearest neighbours",
        "cooccurrence": "Co-occurrence",
        "similarity-benchmark": "Similarity benchmarks",
        "ngram-lm": "n-gram language model",
    }
    explorer = stage.summary.get("explorer", "")
    return titles.get(explorer, f"Explorer {explorer}")


def _code(token: Any) -> Code | None:
    return None if token is None else Code(str(token))


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, (int, float, str)):
        return value
    return str(value)


def _options(config: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in config.items()) or "defaults"
