"""Registry behaviour: lookups, errors, configuration validation, in-process registration."""

from __future__ import annotations

import re
from typing import Literal

import pytest
from pydantic import Field

import medrep
from medrep.config import PluginConfig
from medrep.kinds import Tokenizer


class CaseTokenizer(Tokenizer):
    """Whitespace tokenizer used to test the registry."""

    class Config(PluginConfig):
        lowercase: bool = Field(default=True, description="lower-case tokens")
        min_length: int = Field(default=1, ge=1, le=100, description="shortest token kept")
        mode: Literal["split", "keep"] = "split"

    def tokenize(self, text: str) -> list[str]:
        words = text.lower().split() if self.config.lowercase else text.split()
        return [word for word in words if len(word) >= self.config.min_length]


@pytest.fixture
def case_tokenizer(fresh_registry: None) -> str:
    medrep.register("tokenizer", "case-test", CaseTokenizer)
    return "case-test"


def test_get_builds_with_validated_config(case_tokenizer: str) -> None:
    tokenizer = medrep.get("tokenizer", case_tokenizer, lowercase=False, min_length=2)

    assert isinstance(tokenizer, CaseTokenizer)
    assert tokenizer.config.lowercase is False
    assert tokenizer.tokenize("A Bc De") == ["Bc", "De"]
    assert tokenizer.plugin_name == "case-test"


def test_unknown_kind_lists_seven_kinds() -> None:
    with pytest.raises(medrep.UnknownKindError) as info:
        medrep.get("embeder", "sgns")

    message = str(info.value)
    assert "did you mean 'embedder'" in message
    for kind in medrep.KINDS:
        assert kind in message
    assert len(medrep.KINDS) == 7


def test_unknown_name_suggests_nearest(fresh_registry: None) -> None:
    medrep.register("embedder", "sgns-test", CaseTokenizer)
    medrep.register("embedder", "ngram-test", CaseTokenizer)

    with pytest.raises(medrep.UnknownPluginError) as info:
        medrep.get("embedder", "sgsn-test")

    message = str(info.value)
    assert "did you mean 'sgns-test'" in message
    assert "ngram-test" in message
    assert isinstance(info.value, LookupError)


def test_bad_value_names_field_type_and_value(case_tokenizer: str) -> None:
    with pytest.raises(medrep.PluginConfigError) as info:
        medrep.get("tokenizer", case_tokenizer, lowercase="yes please")

    message = str(info.value)
    assert "lowercase" in message
    assert "boolean" in message
    assert "'yes please'" in message


def test_out_of_range_value_names_range(case_tokenizer: str) -> None:
    with pytest.raises(medrep.PluginConfigError) as info:
        medrep.get("tokenizer", case_tokenizer, min_length=0)

    message = str(info.value)
    assert "min_length" in message
    assert "greater than or equal to 1" in message
    assert "received 0" in message


def test_literal_option_lists_allowed_values(case_tokenizer: str) -> None:
    with pytest.raises(medrep.PluginConfigError) as info:
        medrep.get("tokenizer", case_tokenizer, mode="merge")

    assert "'split' or 'keep'" in str(info.value)


def test_unknown_option_is_rejected_with_suggestion(case_tokenizer: str) -> None:
    with pytest.raises(medrep.PluginConfigError) as info:
        medrep.get("tokenizer", case_tokenizer, lowercas=True)

    message = str(info.value)
    assert "unknown option" in message
    assert "did you mean 'lowercase'" in message
    assert "min_length" in message


def test_register_twice_raises_without_replace(case_tokenizer: str) -> None:
    with pytest.raises(medrep.PluginConflictError):
        medrep.register("tokenizer", case_tokenizer, CaseTokenizer)


def test_register_replace_then_unregister_restores(fresh_registry: None) -> None:
    medrep.register("tokenizer", "base-test", CaseTokenizer)
    medrep.register("tokenizer", "base-test", lambda **options: "replacement", replace=True)

    assert medrep.get("tokenizer", "base-test") == "replacement"

    medrep.unregister("tokenizer", "base-test")
    with pytest.raises(medrep.UnknownPluginError):
        medrep.get("tokenizer", "base-test")


def test_available_lists_every_kind(case_tokenizer: str) -> None:
    everything = medrep.available()

    assert list(everything) == list(medrep.KINDS)
    assert case_tokenizer in everything["tokenizer"]
    assert case_tokenizer in medrep.available("tokenizer")


def test_invalid_plugin_name_is_rejected(fresh_registry: None) -> None:
    with pytest.raises(ValueError, match="invalid plugin name"):
        medrep.register("tokenizer", "Bad Name", CaseTokenizer)


def test_plain_callable_factory_gets_keywords(fresh_registry: None) -> None:
    medrep.register("explorer", "callable-test", lambda **options: options)

    assert medrep.get("explorer", "callable-test", k=3) == {"k": 3}


def test_constructor_validates_direct_use() -> None:
    with pytest.raises(medrep.PluginConfigError, match="lowercase"):
        CaseTokenizer(lowercase="no")
    assert CaseTokenizer(lowercase=False).get_params() == {"lowercase": False, "min_length": 1, "mode": "split"}


def test_real_sgns_typo_lists_every_embedder(fresh_registry: None) -> None:
    with pytest.raises(medrep.UnknownPluginError) as info:
        medrep.get("embedder", "sgsn")

    message = str(info.value)
    assert "did you mean 'sgns'?" in message
    for name in ("mlm", "ngram", "sgns"):
        assert name in message


def test_unknown_name_suggestion_ignores_case(fresh_registry: None) -> None:
    with pytest.raises(medrep.UnknownPluginError, match=re.escape("unknown tokenizer 'BPE'; did you mean 'bpe'?")):
        medrep.get("tokenizer", "BPE")


def test_real_regex_rejects_non_boolean(fresh_registry: None) -> None:
    with pytest.raises(medrep.PluginConfigError) as info:
        medrep.get("tokenizer", "regex", lowercase="yes please")

    message = str(info.value)
    assert "lowercase" in message
    assert "valid boolean" in message
    assert "received 'yes please' (str)" in message


def test_unknown_name_without_match_reads_as_sentences(fresh_registry: None) -> None:
    with pytest.raises(medrep.UnknownPluginError) as info:
        medrep.get("embedder", "zzz")

    assert info.value.message.startswith("unknown embedder 'zzz'. Registered embedders: ")


def test_missing_required_option_is_named(fresh_registry: None) -> None:
    with pytest.raises(medrep.PluginConfigError) as info:
        medrep.get("tokenizer", "bert")

    message = str(info.value)
    assert "pretrained: missing required option" in message
    assert "received" not in message
