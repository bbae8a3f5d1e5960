"""Unicode normalisation shared by the tokenizers and the compound statistics."""

from __future__ import annotations

import re
import unicodedata

# U+2010..U+2015 (hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal
# bar) and U+2212 (minus sign). A regular expression replaces them several times faster
# than str.translate.
_HYPHENS = re.compile("[\u2010-\u2015\u2212]")


def normalize_text(text: str) -> str:
    """Return ``text`` in NFKC form with the Unicode hyphens and the minus sign mapped to ``-``."""
    return _HYPHENS.sub("-", unicodedata.normalize("NFKC", text))
