"""The pipeline's process-wide setting: BLAS pools of one thread (see QAPipeline)."""

from __future__ import annotations

from threadpoolctl import threadpool_info

from qa.pipeline import QAPipeline


def test_blas_pools_run_one_thread_once_a_pipeline_exists(pipeline: QAPipeline) -> None:
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas, "numpy's OpenBLAS at least is loaded"
    assert {pool["num_threads"] for pool in blas} == {1}
    answer = pipeline.ask("Where does UNESCO-ICHEI plan to establish an IIOE National Center?")
    assert not answer.abstained
    assert "Uzbekistan" in answer.answer
