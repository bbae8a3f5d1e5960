"""Built-in explorers of the text track."""

#: Registered name -> "module:Class"; imported only when the plugin is built.
BUILTINS: dict[str, str] = {
    "tsne": "medrep_text.explorers.tsne:TsneExplorer",
    "cooccurrence": "medrep_text.explorers.cooccurrence:CooccurrenceExplorer",
    "neighbours": "medrep_text.explorers.neighbours:NeighboursExplorer",
    "similarity-benchmark": "medrep_text.explorers.similarity_benchmark:SimilarityBenchmarkExplorer",
    "ngram-lm": "medrep_text.explorers.ngram_lm:NgramLanguageModel",
}
