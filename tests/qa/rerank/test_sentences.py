"""qa/rerank/sentences.py: a sentence the reader reads scores its logit plus what retrieval
says of it, and that prior only ever lowers a sentence below the pool's best."""

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


def scores_by_row(reranker: SentenceReranker, pipeline: QAPipeline) -> dict[int, float]:
    original = pipeline.reranker
    pipeline.reranker = reranker
    try:
        evidence = pipeline.evidence(QUESTION)
    finally:
        pipeline.reranker = original
    assert evidence.scorer == READER
    return {s.row: s.score for s in evidence.sentences}


def test_the_reader_score_adds_the_retrieval_prior_to_the_logit(pipeline: QAPipeline) -> None:
    shipped = pipeline.reranker
    logits_only = SentenceReranker(
        shipped.cross_encoder,
        replace(shipped.settings, reader_cosine_weight=0.0, reader_chunk_rank_weight=0.0),
        shipped.reader,
    )
    logits = scores_by_row(logits_only, pipeline)
    scores = scores_by_row(shipped, pipeline)

    assert scores.keys() == logits.keys()
    priors = {row: scores[row] - logits[row] for row in scores}
    assert all(prior <= 1e-3 for prior in priors.values())
    assert min(priors.values()) < -0.5  # some read sentence is farther from the question


def test_the_prior_weighs_the_chunk_rank_and_the_cosine_below_the_best() -> None:
    settings = SentenceRerankSettings(reader_cosine_weight=20.0, reader_chunk_rank_weight=-0.2)
    prescored = Prescored(rows=[7, 9], chunk_rank={7: 0, 9: 2}, cosine={7: 0.0, 9: -0.05})
    assert retrieval_prior(prescored, 7, settings) == 0.0
    assert retrieval_prior(prescored, 9, settings) == pytest.approx(-0.4 - 1.0)
    without_vector = replace(prescored, cosine=None)
    assert retrieval_prior(without_vector, 9, settings) == pytest.approx(-0.4)
