"""The pipeline's use of the cores: BLAS pools of one thread, a warm-up that moves question
embedding to ONNX Runtime, a cross-encoder that runs alone only while no other question is
being answered, multilingual-e5 only where the English lists disagree, and the question
encoder for questions across languages (see QAPipeline)."""

from __future__ import annotations

import pytest
from threadpoolctl import threadpool_info

from index.embedders import Embedder, SentenceTransformerEmbedder
from index.embedders.base import Vectors
from index.snapshots.snapshot import Snapshot
from qa.factory import build_pipeline
from qa.models import Models
from qa.pipeline import QAPipeline
from qa.retrieval.hybrid import agree
from qa.settings import QASettings

# Questions about the default corpus on which all-MiniLM-L6-v2 and BM25 rank the same chunk
# first, and do not (checked by the test that uses them).
AGREEING = "Where does UNESCO-ICHEI plan to establish an IIOE National Center?"
DISAGREEING = "Since what year has CASIE been organised?"


def test_blas_pools_run_one_thread_once_a_pipeline_exists(pipeline: QAPipeline) -> None:
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas, "numpy's OpenBLAS at least is loaded"
    assert {pool["num_threads"] for pool in blas} == {1}
    answer = pipeline.ask("Where does UNESCO-ICHEI plan to establish an IIOE National Center?")
    assert not answer.abstained
    assert "Uzbekistan" in answer.answer


def test_warm_up_moves_question_embedding_to_onnxruntime(pipeline: QAPipeline) -> None:
    """What a server does at start: afterwards questions are embedded by the ONNX export,
    and the answer is the one torch's vectors give."""
    embedder = pipeline.models.embedder
    assert isinstance(embedder, SentenceTransformerEmbedder)
    pipeline.warm_up()
    assert embedder.query_runtime == "onnxruntime"
    answer = pipeline.ask("Where does UNESCO-ICHEI plan to establish an IIOE National Center?")
    assert not answer.abstained
    assert "Uzbekistan" in answer.answer


def test_a_question_with_typos_is_answered_like_the_one_without(pipeline: QAPipeline) -> None:
    """Misspelt words occur nowhere in the corpus: uncorrected, they weakened retrieval and
    raised the bar for answering (see qa.retrieval.spelling)."""
    misspelt = pipeline.ask("Where does UNESCO-ICHEI plan to estabilsh an IIOE Natoinal Center?")
    right = pipeline.ask("Where does UNESCO-ICHEI plan to establish an IIOE National Center?")
    assert not misspelt.abstained
    assert "Uzbekistan" in misspelt.answer
    assert misspelt.citations == right.citations


def test_the_cross_encoder_runs_alone_only_while_no_other_question_is_answered(
    corpus_snapshot: Snapshot, models: Models
) -> None:
    """A question alone may keep the cross-encoder's threads spinning; while another is
    being answered (a stream still open here), they must sleep between operators. A
    pipeline of its own: the shared one may serve other tests' streams."""
    pipeline = build_pipeline(corpus_snapshot, models=models)
    cross_encoder = pipeline.models.cross_encoder
    assert cross_encoder is not None

    before = cross_encoder.runs.copy()
    pipeline.ask(AGREEING)
    runs = cross_encoder.runs - before
    assert runs["alone"] >= 1
    assert runs["shared"] == 0

    open_stream = pipeline.stream("Who organized CASIE 2022?")
    next(open_stream)  # the streamed question is being answered until its stream ends
    before = cross_encoder.runs.copy()
    answer = pipeline.ask(AGREEING)
    runs = cross_encoder.runs - before
    assert runs["shared"] >= 1
    assert runs["alone"] == 0
    assert "Uzbekistan" in answer.answer
    for _ in open_stream:
        pass

    before = cross_encoder.runs.copy()
    pipeline.ask(AGREEING)
    assert (cross_encoder.runs - before)["shared"] == 0


def test_an_english_question_skips_multilingual_e5_when_the_english_lists_agree(
    corpus_snapshot: Snapshot, models: Models, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where all-MiniLM-L6-v2 and BM25 rank the same chunk first, the question is not
    embedded by multilingual-e5; where they differ it is. A cross-lingual question is
    embedded by the question encoder instead (or by e5, with the encoder off)."""
    pipeline = build_pipeline(corpus_snapshot, models=models)
    multilingual, question_encoder = models.multilingual, models.question_encoder
    assert multilingual is not None
    assert question_encoder is not None
    embedded = _counted(multilingual, monkeypatch)
    encoded = _counted(question_encoder, monkeypatch)
    retriever = pipeline.retriever
    for question, agreeing in ((AGREEING, True), (DISAGREEING, False)):
        main = models.embedder.embed_queries([question])[0]
        dense = retriever.dense_rankings(corpus_snapshot, main, None, 10)
        keyword = retriever.keyword_rankings(corpus_snapshot, question, None, 10)
        assert agree(dense, keyword) is agreeing  # the two kinds of question, as chosen
        embedded.clear()
        answer = pipeline.ask(question)
        assert embedded == ([] if agreeing else [question])
        assert encoded == []
        assert not answer.abstained
    embedded.clear()
    russian = "Где UNESCO-ICHEI планирует создать национальный центр IIOE?"
    answer = pipeline.ask(russian)
    assert (embedded, encoded) == ([], [russian])
    assert "Uzbekistan" in answer.answer
    encoded.clear()
    without = build_pipeline(corpus_snapshot, QASettings(question_encoder=False), models)
    assert without.models.question_encoder is None
    without.ask(russian)
    assert (embedded, encoded) == ([russian], [])


def _counted(embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The questions `embedder` embeds from now on."""
    embedded: list[str] = []
    embed_queries = embedder.embed_queries

    def counted(texts: list[str]) -> Vectors:
        embedded.extend(texts)
        return embed_queries(texts)

    monkeypatch.setattr(embedder, "embed_queries", counted)
    return embedded
