"""ONNX Runtime sessions on the CPU, set up the same way for every model we run."""

from __future__ import annotations

import os

import onnxruntime as ort


def cpu_session(
    model: str | bytes, threads: int | None = None, *, spin: bool = False
) -> ort.InferenceSession:
    """A session over `model` (a file path or the serialized graph) using `threads` cores
    (default: all the process may use).

    By default idle threads sleep at once instead of spinning: the models of one question
    run one after another on the same cores, and concurrent questions share them. With the
    cross-encoder's threads spinning all the time, in-process /v1/ask p50 was 223 ms,
    sleeping 149 ms (2 cores, 400 SQuAD paragraphs, 110 questions). With `spin`, threads
    spin between the operators of one run and stop when it returns: faster for a run that
    has the cores to itself, slower for two runs at once (they spin against each other).
    """
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or len(os.sched_getaffinity(0))
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
    if spin:
        options.add_session_config_entry("session.force_spinning_stop", "1")
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
