"""The contract checker, run over every built-in plugin and against broken plugins."""

from __future__ import annotations

import pytest

import medrep
from medrep.kinds import Tokenizer
from medrep.testing import ContractError, check_plugin


def _builtin_plugins() -> list[tuple[str, str]]:
    return [
        (info.kind, info.name)
        for info in medrep.plugins()
        if info.builtin and info.status == "active"
    ]


BUILTINS = _builtin_plugins()


@pytest.mark.parametrize(("kind", "name"), BUILTINS, ids=[f"{kind}:{name}" for kind, name in BUILTINS])
def test_builtin_meets_contract(kind: str, name: str) -> None:
    passed = check_plugin(kind, name)

    assert len(passed) >= 4


def test_every_kind_has_a_builtin() -> None:
    kinds = {kind for kind, _ in BUILTINS}

    assert kinds == set(medrep.KINDS)


class SpaceKeepingTokenizer(Tokenizer):
    """Returns tokens that contain spaces, which the contract forbids."""

    def tokenize(self, text: str) -> list[str]:
        return [text] if text else []


class StatefulConstructorTokenizer(Tokenizer):
    """Does work in its constructor, which the contract forbids."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.vocabulary_ = {"a": 0}

    def tokenize(self, text: str) -> list[str]:
        return text.split()


def test_checker_reports_whitespace_tokens(fresh_registry: None) -> None:
    medrep.register("tokenizer", "space-keeping-test", SpaceKeepingTokenizer)

    with pytest.raises(ContractError, match="contains whitespace"):
        check_plugin("tokenizer", "space-keeping-test")


def test_checker_reports_constructor_state() -> None:
    with pytest.raises(ContractError, match="constructor set state"):
        check_plugin(StatefulConstructorTokenizer())


def test_checker_passes_instance() -> None:
    from tests.core.test_registry import CaseTokenizer

    assert "tokenize is deterministic" in check_plugin(CaseTokenizer())
