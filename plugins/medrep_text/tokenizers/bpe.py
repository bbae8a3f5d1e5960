"""The ``bpe`` tokenizer: byte-pair encoding trained on the corpus with Hugging Face ``tokenizers``."""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from medrep import progress
from medrep._deps import require
from medrep.config import PluginConfig
from medrep.errors import DataError, NotFittedError
from medrep.io import atomic_directory
from medrep.kinds import Tokenizer
from medrep_text.tokenizers._huggingface import TokenStrings, batched

TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "medrep-tokenizer.json"

BYTE_PIECE = re.compile(r"<0x[0-9A-F]{2}>")

# Split off punctuation and symbols, but keep a hyphen between two word characters, so
# that COVID-19 stays one pre-token (Oniguruma syntax, as Hugging Face Regex uses).
_COMPOUND_SPLIT = r"[^\w\s-]|(?<!\w)-|-(?!\w)"

# The Unicode hyphens U+2010 to U+2015 and the minus sign U+2212, mapped to "-" as the
# regex and nltk tokenizers do.
_HYPHENS = "[\u2010-\u2015\u2212]"

# Characters that Python's str.split() treats as whitespace but Unicode (and so the Rust
# whitespace splitter) does not. They become spaces, so that no token contains one.
_PYTHON_ONLY_SPACES = r"[\x1c-\x1f]"


class BpeTokenizer(Tokenizer):
    """Byte-pair encoding learned from the corpus, saved and loaded as ``tokenizer.json``.

    The text is normalised with NFKC, the Unicode hyphens and the minus sign become
    ``-``, and with ``lowercase`` it is lower-cased. No character is ever dropped. With ``byte_fallback`` (the default) a character that
    the learned vocabulary lacks becomes its UTF-8 bytes as pieces ``<0x00>`` to
    ``<0xFF>``; without it, it becomes ``unk_token``. ``is_unknown`` counts both kinds.
    The 256 byte pieces come on top of ``vocab_size``.
    """

    trainable = True
    batch_parallel = True

    class Config(PluginConfig):
        vocab_size: int = Field(default=30000, ge=1, description="learned vocabulary size: characters, merges, special tokens")
        min_frequency: int = Field(default=2, ge=1, description="minimum number of occurrences of a pair for it to be merged")
        special_tokens: list[str] = Field(
            default=["[UNK]"], description="tokens added to the vocabulary first, with unk_token added if absent"
        )
        unk_token: str = Field(default="[UNK]", description="token for characters outside the vocabulary")
        byte_fallback: bool = Field(
            default=True, description="encode characters outside the vocabulary as UTF-8 byte pieces, not unk_token"
        )
        lowercase: bool = Field(default=True, description="lower-case the text (after NFKC normalisation)")
        pre_tokenizer: Literal["punctuation", "compounds"] = Field(
            default="punctuation",
            description="'punctuation' splits at whitespace and before and after every punctuation character. "
            "'compounds' keeps hyphens between word characters, so COVID-19 can become one token",
        )

    @classmethod
    def contract_config(cls) -> dict[str, Any]:
        """Return a small vocabulary size, enough for the contract's sample texts."""
        return {"vocab_size": 300}

    # -- training and state ------------------------------------------------------------

    @property
    def is_fitted(self) -> bool:
        return getattr(self, "backend_", None) is not None

    def fit(self, documents: Iterable[str]) -> "BpeTokenizer":
        """Learn the merges from ``documents`` (any iterable of strings, read once)."""
        tokenizers = require("tokenizers", extra="text")
        config = self.config
        special = list(dict.fromkeys([config.unk_token, *config.special_tokens]))

        backend = tokenizers.Tokenizer(tokenizers.models.BPE(unk_token=config.unk_token))
        backend.normalizer = self._normalizer()
        backend.pre_tokenizer = self._pre_tokenizer()
        trainer = tokenizers.trainers.BpeTrainer(
            vocab_size=config.vocab_size,
            min_frequency=config.min_frequency,
            special_tokens=special,
            # The trainer's own bar writes blank lines to stdout when stdout is not a terminal.
            show_progress=progress.enabled() and sys.stdout.isatty(),
        )
        backend.train_from_iterator(documents, trainer=trainer)
        self.backend_ = _with_byte_pieces(backend) if config.byte_fallback else backend
        return self

    def save(self, directory: str | Path) -> Path:
        """Write ``tokenizer.json`` and the medrep configuration into ``directory``."""
        backend = self._fitted_backend()
        target = Path(directory)
        with atomic_directory(target) as folder:
            backend.save(str(folder / TOKENIZER_FILE))
            record = {"tokenizer": "bpe", "config": self.get_params()}
            (folder / CONFIG_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        return target

    @classmethod
    def load(cls, directory: str | Path) -> "BpeTokenizer":
        """Rebuild a tokenizer written by :meth:`save`."""
        tokenizers = require("tokenizers", extra="text")
        folder = Path(directory)
        if not (folder / TOKENIZER_FILE).is_file() or not (folder / CONFIG_FILE).is_file():
            raise DataError(
                f"no saved bpe tokenizer in {folder}: {TOKENIZER_FILE} or {CONFIG_FILE} is missing",
                hint="train one with `medrep words tokenize --tokenizer bpe`, which saves it",
            )
        record = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
        tokenizer = cls(**record["config"])
        tokenizer.backend_ = tokenizers.Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        return tokenizer

    # -- tokenizing --------------------------------------------------------------------

    def tokenize(self, text: str) -> list[str]:
        return self._fitted_backend().encode(text, add_special_tokens=False).tokens

    def tokenize_batch(self, texts: Sequence[str]) -> list[list[str]]:
        backend = self._fitted_backend()
        return self._token_strings(backend, backend.encode_batch(list(texts), add_special_tokens=False))

    def iter_tokenize(self, documents: Iterable[str]) -> Iterator[list[str]]:
        for batch in batched(documents):
            yield from self.tokenize_batch(batch)

    def tokenize_with_offsets(self, text: str) -> list[tuple[str, tuple[int, int]]]:
        """Return each token with its ``(start, end)`` character span in ``text``."""
        encoding = self._fitted_backend().encode(text, add_special_tokens=False)
        return list(zip(encoding.tokens, encoding.offsets))

    def is_unknown(self, token: str) -> bool:
        return token == self.config.unk_token or BYTE_PIECE.fullmatch(token) is not None

    @property
    def backend(self) -> Any:
        """The trained Hugging Face ``tokenizers.Tokenizer``."""
        return self._fitted_backend()

    @functools.cached_property
    def _token_strings(self) -> TokenStrings:
        return TokenStrings()

    def _fitted_backend(self) -> Any:
        backend = getattr(self, "backend_", None)
        if backend is None:
            raise NotFittedError(
                "this bpe tokenizer has not been trained",
                hint="call fit(documents) or BpeTokenizer.load(directory) first",
            )
        return backend

    def _normalizer(self) -> Any:
        from tokenizers import Regex, normalizers

        steps = [
            normalizers.NFKC(),
            normalizers.Replace(Regex(_HYPHENS), "-"),
            normalizers.Replace(Regex(_PYTHON_ONLY_SPACES), " "),
        ]
        if self.config.lowercase:
            steps.append(normalizers.Lowercase())
        return normalizers.Sequence(steps)

    def _pre_tokenizer(self) -> Any:
        from tokenizers import Regex, pre_tokenizers

        if self.config.pre_tokenizer == "punctuation":
            return pre_tokenizers.BertPreTokenizer()
        return pre_tokenizers.Sequence(
            [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Split(Regex(_COMPOUND_SPLIT), behavior="isolated")]
        )


def _with_byte_pieces(backend: Any) -> Any:
    """Return a copy of a trained BPE tokenizer with the 256 byte pieces and byte fallback on.

    The trainer has no option for byte pieces, so they are appended to the vocabulary in
    the tokenizer's JSON form, which is the library's documented serialisation.
    """
    from tokenizers import Tokenizer

    data = json.loads(backend.to_str())
    vocab = data["model"]["vocab"]
    next_id = max(vocab.values(), default=-1) + 1
    for value in range(256):
        piece = f"<0x{value:02X}>"
        if piece not in vocab:
            vocab[piece] = next_id
            next_id += 1
    data["model"]["byte_fallback"] = True
    return Tokenizer.from_str(json.dumps(data))
