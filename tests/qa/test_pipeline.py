"""The pipeline's use of the cores: BLAS pools of one thread, a warm-up that moves question
embedding to ONNX Runtime, and a cross-encoder that runs alone only while no other question
is being answered (see QAPipeline)."""

from __future__ import annotations

from threadpoolctl import threadpool_info

from index.embedders import SentenceTransformerEmbedder
from index.snapshot import Snapshot
from qa.factory import build_pipeline
from qa.models import Models
from qa.pipeline import QAPipeline


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
    question = "Where does UNESCO-ICHEI plan to establish an IIOE National Center?"

    before = cross_encoder.runs.copy()
    pipeline.ask(question)
    runs = cross_encoder.runs - before
    assert runs["alone"] >= 1
    assert runs["shared"] == 0

    open_stream = pipeline.stream("Who organized CASIE 2022?")
    next(open_stream)  # the streamed question is being answered until its stream ends
    before = cross_encoder.runs.copy()
    answer = pipeline.ask(question)
    runs = cross_encoder.runs - before
    assert runs["shared"] >= 1
    assert runs["alone"] == 0
    assert "Uzbekistan" in answer.answer
    for _ in open_stream:
        pass

    before = cross_encoder.runs.copy()
    pipeline.ask(question)
    assert (cross_encoder.runs - before)["shared"] == 0
