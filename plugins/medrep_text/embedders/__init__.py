"""Built-in embedders of the text track."""

#: Registered name -> "module:Class"; imported only when the plugin is built.
BUILTINS: dict[str, str] = {
    "ngram": "medrep_text.embedders.ngram:NgramEmbedder",
    "sgns": "medrep_text.embedders.sgns:SgnsEmbedder",
    "mlm": "medrep_text.embedders.mlm:MlmEmbedder",
}
