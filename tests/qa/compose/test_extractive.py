"""qa/compose/extractive.py: the confidence of an answer the reader scored follows the curve
of the question's language, across languages as in the documents' own."""

from __future__ import annotations

from qa.calibration import READER, Calibration
from qa.factory import extractive_composer
from qa.pipeline import QAPipeline
from qa.settings import QASettings


def test_a_russian_question_over_english_text_takes_the_russian_curve(
    pipeline: QAPipeline,
) -> None:
    evidence = pipeline.evidence("Какую IT-компанию представлял доктор Гюнай Карли?")
    assert evidence.scorer == READER
    assert evidence.language == "ru"
    calibration = Calibration.load()
    composer = extractive_composer(calibration, QASettings().max_answer_sentences)
    russian = calibration.language_confidence[READER]["ru"]
    top = evidence.sentences[0]
    assert russian != calibration.confidence[READER]
    assert composer.confidence(top, evidence) == round(russian.probability(top.score), 4)
