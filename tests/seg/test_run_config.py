"""The shipped `medrep seg run` configurations: variable expansion and distinct dataset ids."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from medrep.errors import DataError
from medrep_seg.pipeline import load_config

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = sorted((ROOT / "examples" / "configs").glob("seg_*.toml"))


@pytest.mark.parametrize("path", CONFIGS, ids=[path.stem for path in CONFIGS])
def test_config_expands_braced_variable(path: Path, data_dir: Path) -> None:
    text = path.read_text(encoding="utf-8")

    config = load_config(path)

    assert '"${MEDREP_DATA_DIR}/brain-tumour/train"' in text
    assert "$MEDREP_DATA_DIR/" not in text
    assert config.data.source == f"{data_dir}/brain-tumour/train"
    assert all("$" not in item for item in config.predict.extra_inputs)


def test_config_unset_variable_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MEDREP_UNSET_FOR_TEST", raising=False)
    path = tmp_path / "run.toml"
    path.write_text('output = "out"\n[data]\nsource = "${MEDREP_UNSET_FOR_TEST}/cases"\ndataset = "Dataset990_X"\n', encoding="utf-8")

    with pytest.raises(DataError, match=r"unset environment variable in '\$\{MEDREP_UNSET_FOR_TEST\}/cases'"):
        load_config(path)


def test_configs_and_docs_use_distinct_ids() -> None:
    """A user who follows docs/segmentation.md in order must not meet an id clash in `seg run`."""
    config_ids = {path.stem: load_config(path).data.dataset[:10] for path in CONFIGS}
    docs = (ROOT / "docs" / "segmentation.md").read_text(encoding="utf-8")
    converted = set(re.findall(r"seg convert \S+ (Dataset\d{3})_", docs))

    assert len(set(config_ids.values())) == len(config_ids), config_ids
    assert converted, "no `seg convert` example found in docs/segmentation.md"
    assert not converted & set(config_ids.values()), (converted, config_ids)
