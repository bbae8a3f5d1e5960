"""The words pipeline through the Python API: CORD-19 sample plus PubTator abstracts.

This does what ``medrep words run --config examples/configs/words_quick.toml`` does, with
the configuration written in Python. Run it from the repository root::

    MEDREP_DATA_DIR=/path/to/data python examples/words_cord19.py [OUTPUT_FOLDER]

It prints the next-word table and where the report is. A second run reuses every stage
from the cache; change one option below and only that stage and those after it rerun.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from medrep_text.pipeline import CorpusSettings, PluginChoice, WordsRunConfig, run_words


def build_config(data: Path, output: str) -> WordsRunConfig:
    """Return the run: regex and BPE tokens, small skip-gram vectors, every built-in explorer."""
    text = data / "text"
    return WordsRunConfig(
        output=output,
        corpus=CorpusSettings(inputs=[str(text / "cord19" / "metadata_sample_2000.csv"), str(text / "pubmed" / "*.PubTator.txt")]),
        tokenizer="regex",
        embedder="sgns",
        compare=["bpe:sgns"],
        tokenizers={
            "regex": PluginChoice(options={"keep_compounds": True}),
            "bpe": PluginChoice(options={"vocab_size": 8000, "pre_tokenizer": "compounds"}),
        },
        embedders={"sgns": PluginChoice(options={"vector_size": 50, "epochs": 3, "min_count": 3})},
        targets=["coronavirus", "covid-19", "fever"],
        contexts=["the main symptoms of covid-19 are"],
        benchmarks=[str(text / "benchmarks" / "UMNSRS"), str(text / "benchmarks" / "MayoSRS")],
        entities=str(text / "entities" / "biomedical_terms_by_category.tsv"),
    )


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if "MEDREP_DATA_DIR" not in os.environ:
        sys.exit("set MEDREP_DATA_DIR to the folder that holds text/cord19, text/pubmed and text/benchmarks")
    output = sys.argv[1] if len(sys.argv) > 1 else "runs/words-cord19"

    result = run_words(build_config(Path(os.environ["MEDREP_DATA_DIR"]), output))

    for label, tokenizer in result.tokenizers.items():
        model = tokenizer.explorations["ngram-lm"].summary
        words = ", ".join(f"{row['word']} ({row['probability']:.3f})" for row in model["rows"])
        print(f"{label}: after '{model['rows'][0]['context']}': {words}")
    print(f"{len(result.computed())} stages computed; report: {result.reports['markdown']}")


if __name__ == "__main__":
    main()
