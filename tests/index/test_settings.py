"""Index settings read from the environment."""

from __future__ import annotations

import pytest

from index.embedders import E5_ID
from index.settings import IndexSettings


def test_multilingual_model_is_on_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CITEQA_MULTILINGUAL_MODEL", raising=False)
    assert IndexSettings().multilingual_model == E5_ID


@pytest.mark.parametrize("value", ["", "  "])
def test_empty_multilingual_model_turns_it_off(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CITEQA_MULTILINGUAL_MODEL", value)
    assert IndexSettings().multilingual_model is None
