"""The tokens file: tokenized documents on disk, the text track's interchange format.

``tokens.txt`` contains one document per line with its tokens separated by single spaces
(tokens never contain whitespace). ``tokens.txt.meta.json`` beside it records which
tokenizer, with which configuration, wrote it, so that later steps (for example an
n-gram query) tokenize their input the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from medrep.errors import DataError
from medrep.kinds import Tokenizer

META_SUFFIX = ".meta.json"


def meta_path(path: str | Path) -> Path:
    """Return the metadata file that belongs to the tokens file ``path``."""
    path = Path(path)
    return path.with_name(path.name + META_SUFFIX)


class TokensFile:
    """Restartable iterable over the documents of a tokens file, one ``list[str]`` each.

    Every ``iter()`` reopens the file, so multi-pass trainers (gensim, SVD counting)
    can stream it with memory flat in the corpus size. Empty lines are documents with no
    tokens and are skipped.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise DataError(f"tokens file not found: {self.path}", hint="write one with `medrep words tokenize`")

    def __iter__(self) -> Iterator[list[str]]:
        with self.path.open(encoding="utf-8") as stream:
            for line in stream:
                tokens = line.split()
                if tokens:
                    yield tokens

    @property
    def metadata(self) -> dict[str, Any]:
        """The recorded tokenizer name, configuration and counts (empty if none was written)."""
        path = meta_path(self.path)
        if not path.is_file():
            return {}
        return json.loads(path.read_text(encoding="utf-8"))

    def tokenizer(self) -> Tokenizer:
        """Rebuild the tokenizer that wrote this file, from its metadata.

        A trained tokenizer is loaded from the recorded ``state`` folder, which is
        relative to this file's folder unless it is absolute.
        """
        import medrep

        metadata = self.metadata
        name = metadata.get("tokenizer")
        if not name:
            raise DataError(
                f"{meta_path(self.path)} is missing or names no tokenizer",
                hint="write the tokens file with `medrep words tokenize`, which records its tokenizer",
            )
        tokenizer = medrep.get("tokenizer", name, **metadata.get("config", {}))
        if metadata.get("state"):
            state = Path(metadata["state"])
            tokenizer = type(tokenizer).load(state if state.is_absolute() else self.path.parent / state)
            tokenizer.plugin_name = name
        return tokenizer

    def __repr__(self) -> str:
        return f"TokensFile({str(self.path)!r})"
