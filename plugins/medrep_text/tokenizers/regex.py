"""The ``regex`` tokenizer: runs of word characters, optionally keeping hyphenated compounds."""

from __future__ import annotations

import functools
import re

from pydantic import Field, field_validator

from medrep.config import PluginConfig
from medrep.kinds import Tokenizer
from medrep_text.tokenizers._unicode import normalize_text

DEFAULT_PATTERN = r"\w+"

# Word-character runs joined by single hyphens: SARS-CoV-2, IL-6, TNF-α, 2019-nCoV.
_COMPOUND = r"\w+(?:-\w+)+"


@functools.lru_cache(maxsize=64)
def _compile(pattern: str, keep_compounds: bool) -> re.Pattern[str]:
    return re.compile(f"{_COMPOUND}|(?:{pattern})" if keep_compounds else pattern)


class RegexTokenizer(Tokenizer):
    """Regular-expression tokenizer that splits at non-word characters (the baseline).

    Punctuation is dropped by design: only the text that ``pattern`` matches becomes
    tokens. With ``normalize`` the text is first put in NFKC form, and the hyphens
    U+2010 to U+2015 and the minus sign U+2212 become ``-``, so ``cafe\\u0301`` gives
    ``café`` and ``IL\\u20106`` gives ``IL-6``.
    """

    class Config(PluginConfig):
        pattern: str = Field(
            default=DEFAULT_PATTERN,
            description=r"Python regular expression matching one token; the default \w+ splits at \W+",
        )
        lowercase: bool = Field(default=True, description="lower-case the tokens")
        keep_compounds: bool = Field(
            default=False,
            description="keep word-character runs joined by hyphens (SARS-CoV-2, IL-6, TNF-α) as one token",
        )
        normalize: bool = Field(
            default=True, description="apply NFKC and map Unicode hyphens and the minus sign to '-' first"
        )

        @field_validator("pattern")
        @classmethod
        def _check_pattern(cls, value: str) -> str:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"invalid regular expression: {exc}") from None
            return value

    def tokenize(self, text: str) -> list[str]:
        config = self.config
        if config.normalize:
            text = normalize_text(text)
        if config.lowercase:
            text = text.lower()
        compiled = _compile(config.pattern, config.keep_compounds)
        if config.pattern == DEFAULT_PATTERN:
            return compiled.findall(text)
        # A custom pattern may have groups, or match whitespace or the empty string, but
        # tokens are whole matches and never contain whitespace.
        return [piece for match in compiled.finditer(text) for piece in match.group(0).split()]
