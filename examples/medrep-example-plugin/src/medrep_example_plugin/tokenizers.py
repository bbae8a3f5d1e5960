"""Two tokenizers: character n-grams, and a regex tokenizer that drops stop words."""

from __future__ import annotations

import re

from pydantic import Field

from medrep.config import PluginConfig
from medrep.kinds import Tokenizer

ENGLISH_STOP_WORDS = ["a", "an", "and", "are", "in", "is", "of", "on", "or", "the", "to", "with"]


class CharNgramTokenizer(Tokenizer):
    """Character n-grams of each word, with '<' and '>' marking word boundaries."""

    class Config(PluginConfig):
        n: int = Field(default=3, ge=1, le=10, description="characters per n-gram")
        lowercase: bool = Field(default=True, description="lower-case the text first")

    def tokenize(self, text: str) -> list[str]:
        if self.config.lowercase:
            text = text.lower()
        tokens = []
        for word in text.split():
            marked = f"<{word}>"
            if len(marked) <= self.config.n:
                tokens.append(marked)
                continue
            tokens.extend(marked[i : i + self.config.n] for i in range(len(marked) - self.config.n + 1))
        return tokens


class StopwordRegexTokenizer(Tokenizer):
    """Word tokenizer that splits on non-word characters and drops stop words."""

    class Config(PluginConfig):
        lowercase: bool = Field(default=True, description="lower-case tokens")
        stop_words: list[str] = Field(default=ENGLISH_STOP_WORDS, description="words to drop (compared lower-cased)")

    def tokenize(self, text: str) -> list[str]:
        stop = {word.lower() for word in self.config.stop_words}
        words = [word for word in re.split(r"\W+", text) if word]
        if self.config.lowercase:
            words = [word.lower() for word in words]
        return [word for word in words if word.lower() not in stop]
