"""The ``nltk`` tokenizer and the Punkt data that medrep writes for it."""

from __future__ import annotations

from pathlib import Path

import pytest

import medrep
from medrep.errors import DataError
from medrep.settings import get_settings
from medrep_text.nltk_data import PUNKT_FILES, punkt_tab_path


def test_sentences_then_words(monkeypatch: pytest.MonkeyPatch) -> None:
    import nltk

    def no_download(*args: object, **kwargs: object) -> None:
        raise AssertionError("nltk.download must not be called")

    monkeypatch.setattr(nltk, "download", no_download)
    tokenizer = medrep.get("tokenizer", "nltk")

    tokens = tokenizer.tokenize(
        "Dr. Smith measured IL\u20106 levels (3.5 mg/kg) in COVID-19 patients. They didn't improve; see Fig. 2."
    )

    assert tokens == [
        "dr.", "smith", "measured", "il-6", "levels", "3.5", "mg/kg", "in", "covid-19", "patients",
        "they", "did", "n't", "improve", "see", "fig", "2",
    ]  # fmt: skip


def test_punctuation_and_case_kept_when_asked() -> None:
    tokenizer = medrep.get("tokenizer", "nltk", drop_punctuation=False, lowercase=False)

    tokens = tokenizer.tokenize('Dr. Smith measured IL-6 (3.5 mg/kg). "Yes," he said.')

    assert tokens == [
        "Dr.", "Smith", "measured", "IL-6", "(", "3.5", "mg/kg", ")", ".", "``", "Yes", ",", "''", "he", "said", ".",
    ]  # fmt: skip


def test_punkt_tab_written_into_data_dir() -> None:
    import punkt
    from nltk.data import find
    from nltk.tokenize.punkt import load_punkt_params

    folder = punkt_tab_path("english")
    written = load_punkt_params(find("tokenizers/punkt_tab/english/", paths=[str(folder.parents[2])]))
    shipped = punkt.load_model("english")

    assert folder == get_settings().data_path / "nltk_data" / "tokenizers" / "punkt_tab" / "english"
    assert sorted(path.name for path in folder.iterdir()) == sorted(PUNKT_FILES)
    assert written.abbrev_types == set(shipped.abbrev_types)
    assert written.collocations == set(shipped.collocations)
    assert written.sent_starters == set(shipped.sent_starters)
    assert dict(written.ortho_context) == dict(shipped.ortho_context)


def test_punkt_tab_written_once() -> None:
    folder = punkt_tab_path("english")
    before = {name: (folder / name).stat().st_mtime_ns for name in PUNKT_FILES}

    again = punkt_tab_path("english")

    assert again == folder
    assert {name: (folder / name).stat().st_mtime_ns for name in PUNKT_FILES} == before


def test_unknown_language_names_choices() -> None:
    tokenizer = medrep.get("tokenizer", "nltk", language="klingon")

    with pytest.raises(DataError, match="no Punkt model for language 'klingon'") as raised:
        tokenizer.tokenize("Some text.")

    assert raised.value.hint is not None
    assert "english" in raised.value.hint


def test_pickled_tokenizer_rebuilds_models(tmp_path: Path) -> None:
    import pickle

    tokenizer = medrep.get("tokenizer", "nltk")
    tokenizer.tokenize("Warm up. Twice.")

    copy = pickle.loads(pickle.dumps(tokenizer))

    assert "nltk_tokenizers_" not in vars(copy)
    assert copy.tokenize("Warm up. Twice.") == ["warm", "up", "twice"]
