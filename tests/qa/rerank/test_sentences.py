"""qa/rerank/sentences.py: a sentence the reader reads scores its logit plus what retrieval
says of it; that prior only ever lowers a score, and lowers every score of a question the
corpus does not answer more."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qa.calibration import READER
from qa.pipeline import QAPipeline
from qa.rerank.sentences import (
    Prescored,
    SentenceReranker,
    SentenceRerankSettings,
    retrieval_prior,
)

QUESTION = "Какую IT-компанию представлял доктор Гюнай Карли?"
# Nothing in the corpus answers it.
OUTSIDE_QUESTION = "Какая самая высокая гора в Южной Америке?"


def scores_by_row(
    reranker: SentenceReranker, pipeline: QAPipeline, question: str = QUESTION
) -> dict[int, float]:
    original = pipeline.reranker
    pipeline.reranker = reranker
    try:
        evidence = pipeline.evidence(question)
    finally:
        pipeline.reranker = original
    assert evidence.scorer == READER
    return {s.row: s.score for s in evidence.sentences}


def test_the_reader_score_adds_the_retrieval_prior_to_the_logit(pipeline: QAPipeline) -> None:
    shipped = pipeline.reranker
    logits_only = SentenceReranker(
        shipped.cross_encoder,
        replace(
            shipped.settings,
            reader_cosine_weight=0.0,
            reader_chunk_rank_weight=0.0,
            reader_best_cosine_weight=0.0,
        ),
        shipped.reader,
    )
    logits = scores_by_row(logits_only, pipeline)
    scores = scores_by_row(shipped, pipeline)

    assert scores.keys() == logits.keys()
    priors = {row: scores[row] - logits[row] for row in scores}
    assert all(prior <= 1e-3 for prior in priors.values())
    assert min(priors.values()) < -0.5  # some read sentence is farther from the question


def test_the_prior_weighs_the_chunk_rank_and_the_cosines() -> None:
    settings = SentenceRerankSettings(
        reader_cosine_weight=20.0, reader_chunk_rank_weight=-0.2, reader_best_cosine_weight=100.0
    )
    prescored = Prescored(
        rows=[7, 9], chunk_rank={7: 0, 9: 2}, cosine={7: 0.0, 9: -0.05}, best_cosine=0.9
    )
    assert retrieval_prior(prescored, 7, settings) == pytest.approx(-10.0)
    assert retrieval_prior(prescored, 9, settings) == pytest.approx(-0.4 - 1.0 - 10.0)
    without_vector = replace(prescored, cosine=None, best_cosine=None)
    assert retrieval_prior(without_vector, 9, settings) == pytest.approx(-0.4)


def test_a_question_the_corpus_does_not_answer_loses_more_to_the_best_cosine(
    pipeline: QAPipeline,
) -> None:
    shipped = pipeline.reranker
    no_best_cosine = SentenceReranker(
        shipped.cross_encoder,
        replace(shipped.settings, reader_best_cosine_weight=0.0),
        shipped.reader,
    )

    def lost(question: str) -> float:
        scores = scores_by_row(shipped, pipeline, question)
        without = scores_by_row(no_best_cosine, pipeline, question)
        losses = {round(without[row] - scores[row], 4) for row in scores}
        assert len(losses) == 1  # the same for every sentence of the question
        return losses.pop()

    inside, outside = lost(QUESTION), lost(OUTSIDE_QUESTION)
    assert 0.0 < inside < outside
