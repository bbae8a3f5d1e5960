"""The ``tokenizer`` kind: text in, a list of string tokens out."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import ClassVar

from medrep.kinds._base import Plugin


class Tokenizer(Plugin):
    """Split one document (a ``str``) into tokens (a ``list[str]``).

    Contract:

    - ``tokenize(text)`` accepts any Unicode string, including the empty string (which
      gives ``[]``), and returns a list of non-empty strings without spaces, so that a
      tokens file can join them with single spaces. Nothing is dropped silently: text the
      tokenizer cannot represent becomes an unknown token or byte pieces, and the plugin
      documents which.
    - ``iter_tokenize(lines)`` is the streaming form over an iterable of documents.
    - Tokenizers with learned state (``trainable = True``) implement ``fit(documents)``,
      ``save(directory)`` and ``load(directory)``; calling ``tokenize`` before either raises
      :class:`~medrep.errors.NotFittedError`.
    - Output is deterministic for a given configuration and learned state.
    """

    kind: ClassVar[str] = "tokenizer"
    trainable: ClassVar[bool] = False

    @abstractmethod
    def tokenize(self, text: str) -> list[str]:
        """Return the tokens of one document."""

    def iter_tokenize(self, documents: Iterable[str]) -> Iterator[list[str]]:
        """Tokenize documents one at a time, holding only the current one in memory."""
        for document in documents:
            yield self.tokenize(document)

    def fit(self, documents: Iterable[str]) -> "Tokenizer":
        """Learn state from documents; a no-op for tokenizers without learned state."""
        return self

    def save(self, directory: str | Path) -> Path:
        """Write learned state to ``directory``; tokenizers without state write nothing."""
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        return path

    @classmethod
    def load(cls, directory: str | Path) -> "Tokenizer":
        """Rebuild a tokenizer saved by :meth:`save`."""
        raise NotImplementedError(f"{cls.__name__} has no learned state to load")
