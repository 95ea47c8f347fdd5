"""multilingual-e5 reads a question up to its token budget, in any script, and loads
nothing before it is needed."""

from __future__ import annotations

import numpy as np
import pytest

from index.embedders import QUESTION_TOKENS, E5Embedder, Embedder

LONG = {
    "english": "Where does UNESCO-ICHEI plan to establish an IIOE National Center? " * 60,
    "russian": "Где ЮНЕСКО-ИКВО планирует создать национальный центр? " * 80,
    "kazakh": "ЮНЕСКО-ICHEI IIOE ұлттық орталығын қай жерде құрмақ? " * 80,
    "emoji": "😀" * 4000,
    "cjk": "联合国教科文组织计划在哪里建立国家中心？" * 200,
}


@pytest.mark.parametrize("script", sorted(LONG))
def test_a_long_question_is_cut_to_the_budget(script: str, multilingual_embedder: Embedder) -> None:
    assert isinstance(multilingual_embedder, E5Embedder)
    text = LONG[script]
    cut = multilingual_embedder.cut(text)
    engine = multilingual_embedder.engine
    overhead = engine.token_count("", True) - 1
    assert text.startswith(cut)
    assert engine.token_count(cut, True) - overhead <= QUESTION_TOKENS
    # The longest such start: one more character is over the budget.
    assert engine.token_count(text[: len(cut) + 1], True) - overhead > QUESTION_TOKENS
    long, longer = multilingual_embedder.embed_queries([text, text + " and more"])
    np.testing.assert_array_equal(long, longer)


def test_a_short_question_is_read_whole(multilingual_embedder: Embedder) -> None:
    assert isinstance(multilingual_embedder, E5Embedder)
    question = "Где прошёл симпозиум CASIE 2022?"
    assert multilingual_embedder.cut(question) == question


def test_nothing_is_loaded_to_know_the_dimension() -> None:
    fresh = E5Embedder()
    assert fresh.dim == 384
    assert fresh._engine is None
    assert fresh._encoder is None
