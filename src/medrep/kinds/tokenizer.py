"""The ``tokenizer`` kind: text in, a list of string tokens out."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import ClassVar

from medrep.kinds._base import Plugin


class Tokenizer(Plugin):
    """Split one document (a ``str``) into tokens (a ``list[str]``).

    Contract:

    - ``tokenize(text)`` accepts any Unicode string, including the empty string (which
      gives ``[]``), and returns a list of non-empty strings without whitespace (as
      ``str.isspace`` defines it), so that a tokens file can join them with single spaces.
      Nothing is dropped silently: text the tokenizer cannot represent becomes an unknown
      token or byte pieces, and the plugin documents which. ``is_unknown(token)`` returns
      ``True`` for those pieces, so that their share can be reported.
    - ``iter_tokenize(documents)`` is the streaming form over an iterable of documents, and
      ``tokenize_batch(texts)`` the form over a list. Both return what ``tokenize`` returns
      for each document, in order.
    - ``batch_parallel = True`` declares that ``tokenize_batch`` already spreads its work
      over several CPU cores (as Hugging Face ``tokenizers`` does), so that corpus
      tokenization adds no worker processes of its own. Such a ``tokenize_batch`` must
      also be safe to call from two threads at once: corpus tokenization encodes two
      batches in threads while it writes a third.
    - Tokenizers with learned state (``trainable = True``) implement ``fit(documents)``,
      ``save(directory)`` and ``load(directory)``; ``is_fitted`` is ``False`` until one of
      ``fit`` or ``load`` ran, and calling ``tokenize`` before raises
      :class:`~medrep.errors.NotFittedError`.
    - Output is deterministic for a given configuration and learned state.
    """

    kind: ClassVar[str] = "tokenizer"
    trainable: ClassVar[bool] = False
    batch_parallel: ClassVar[bool] = False

    @abstractmethod
    def tokenize(self, text: str) -> list[str]:
        """Return the tokens of one document."""

    def tokenize_batch(self, texts: Sequence[str]) -> list[list[str]]:
        """Return the tokens of each document in ``texts``."""
        return [self.tokenize(text) for text in texts]

    def iter_tokenize(self, documents: Iterable[str]) -> Iterator[list[str]]:
        """Tokenize documents one at a time, holding only the current one in memory."""
        for document in documents:
            yield self.tokenize(document)

    def is_unknown(self, token: str) -> bool:
        """Return whether ``token`` stands for text the tokenizer could not represent as itself.

        Unknown tokens (such as ``[UNK]``) and byte-fallback pieces (such as ``<0xF0>``)
        count. Tokenizers that never produce either return ``False``.
        """
        return False

    @property
    def is_fitted(self) -> bool:
        """``True`` when the tokenizer is ready to tokenize (always, for tokenizers without learned state)."""
        return True

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
