"""medrep hooks of the example distribution."""

from __future__ import annotations

from typing import Any

import medrep


@medrep.hookimpl
def register_tokenizers(register: Any) -> None:
    # A new name: nothing else registers "char-ngrams".
    register("char-ngrams", "medrep_example_plugin.tokenizers:CharNgramTokenizer")
    # The same name as a built-in: declaring replaces=True makes this one active. Without
    # it, medrep reports a conflict naming both distributions.
    register("regex", "medrep_example_plugin.tokenizers:StopwordRegexTokenizer", replaces=True)
