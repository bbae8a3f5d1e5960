"""Built-in tokenizers of the text track."""

#: Registered name -> "module:Class"; imported only when the plugin is built.
BUILTINS: dict[str, str] = {
    "regex": "medrep_text.tokenizers.regex:RegexTokenizer",
    "nltk": "medrep_text.tokenizers.nltk:NltkTokenizer",
    "bert": "medrep_text.tokenizers.bert:BertTokenizer",
    "bpe": "medrep_text.tokenizers.bpe:BpeTokenizer",
}
