"""The question encoder: e5 tuned so that a Russian or Kazakh question lands nearer where e5
puts its English translation; documents keep e5's vectors; its weights are checked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.embedders import Embedder
from qa.question_encoder.encoder import QuestionEncoder
from qa.question_encoder.files import FILES, bundled_weights_dir
from qa.reader.card import ReaderWeightsError

# Written for this test (none is in the training data or a benchmark set).
ENGLISH = [
    "Which river flows through the capital of the country?",
    "How many students took part in the online course last year?",
    "Who founded the first university in the city?",
    "When was the new bridge over the river opened?",
    "What language do most people in the region speak at home?",
    "Why did the factory close in the winter?",
]
KAZAKH = [
    "Елдің астанасы арқылы қай өзен ағады?",
    "Өткен жылы онлайн курсқа қанша студент қатысты?",
    "Қаладағы алғашқы университетті кім құрды?",
    "Өзен үстіндегі жаңа көпір қашан ашылды?",
    "Аймақтағы адамдардың көпшілігі үйде қай тілде сөйлейді?",
    "Зауыт қыста неге жабылды?",
]
RUSSIAN = [
    "Какая река протекает через столицу страны?",
    "Сколько студентов участвовало в онлайн-курсе в прошлом году?",
    "Кто основал первый университет в городе?",
    "Когда открыли новый мост через реку?",
    "На каком языке большинство жителей региона говорит дома?",
    "Почему завод закрылся зимой?",
]


@pytest.fixture(scope="module")
def encoder(multilingual_embedder: Embedder) -> QuestionEncoder:
    return QuestionEncoder(multilingual_embedder, question_tokens=32)


@pytest.mark.parametrize("translated", [KAZAKH, RUSSIAN], ids=["kk", "ru"])
def test_a_translated_question_lands_nearer_its_english(
    encoder: QuestionEncoder, multilingual_embedder: Embedder, translated: list[str]
) -> None:
    english = multilingual_embedder.embed_queries(ENGLISH)
    before = (multilingual_embedder.embed_queries(translated) * english).sum(axis=1)
    after = (encoder.embed_queries(translated) * english).sum(axis=1)
    assert after.mean() > before.mean() + 0.03
    # and its own English is the nearest of the six, for every question
    nearest = (encoder.embed_queries(translated) @ english.T).argmax(axis=1)
    assert nearest.tolist() == list(range(len(ENGLISH)))


def test_english_stays_where_e5_puts_it(
    encoder: QuestionEncoder, multilingual_embedder: Embedder
) -> None:
    cosines = (encoder.embed_queries(ENGLISH) * multilingual_embedder.embed_queries(ENGLISH)).sum(1)
    assert cosines.min() > 0.9


def test_documents_are_e5s_and_vectors_are_unit_length(
    encoder: QuestionEncoder, multilingual_embedder: Embedder
) -> None:
    passages = ["The bridge was opened in 1998.", "Көпір 1998 жылы ашылды."]
    np.testing.assert_array_equal(
        encoder.embed_documents(passages), multilingual_embedder.embed_documents(passages)
    )
    vectors = encoder.embed_queries(KAZAKH)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert encoder.embed_queries([]).shape == (0, encoder.dim)
    assert (encoder.model_id, encoder.dim) == (
        multilingual_embedder.model_id,
        multilingual_embedder.dim,
    )


def test_a_long_question_is_cut_to_its_first_tokens(encoder: QuestionEncoder) -> None:
    """What follows the first 32 tokens never moves the vector."""
    question = KAZAKH[0] + " " + " ".join(["өзен"] * 100)
    longer = question + " " + " ".join(["көпір"] * 100)
    vectors = encoder.embed_queries([KAZAKH[0], question, longer])
    np.testing.assert_allclose(vectors[1], vectors[2], atol=1e-6)
    assert float(vectors[0] @ vectors[1]) < 0.99


def test_changed_weights_are_refused(multilingual_embedder: Embedder, tmp_path: Path) -> None:
    for name in (FILES.weights, FILES.card):
        (tmp_path / name).write_bytes((bundled_weights_dir() / name).read_bytes())
    with (tmp_path / FILES.weights).open("r+b") as handle:
        handle.seek(-1, 2)
        last = handle.read(1)
        handle.seek(-1, 2)
        handle.write(bytes([last[0] ^ 1]))
    with pytest.raises(ReaderWeightsError):
        QuestionEncoder(multilingual_embedder, directory=tmp_path).embed_queries(KAZAKH[:1])
