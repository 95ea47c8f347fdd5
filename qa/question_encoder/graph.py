"""The question encoder run by onnxruntime from an export kept in the model cache, as the
reader is (qa.reader.graph): a cold process embeds a question across languages without
importing torch and transformers, and without dequantising the base weights. The export is
made once from the torch model, checked against it, and keyed by the weights' checksum,
the base file's and the versions of the libraries that made it. Should the export fail or
disagree, torch embeds."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from index.e5.model_file import E5ModelFile
from index.runtime.model_cache import cached_export, cached_file
from index.runtime.onnx_session import cpu_session
from qa.question_encoder.files import FILES
from qa.reader.card import verified_card
from qa.reader.graph import AGREEMENT, IdArray, export_graph, graph_key, probe_batch

if TYPE_CHECKING:
    from qa.question_encoder.network import MeanPooled

MODEL = "question_encoder"  # its name in the export's cache key
Means = npt.NDArray[np.float32]
QuestionRun = Callable[[IdArray, IdArray], Means]
"""(token ids, attention mask) of a padded batch -> the mean of the last layer over the
tokens of each row (not normalised)."""


def load_question_run(directory: Path, base: E5ModelFile) -> QuestionRun:
    """The question encoder of `directory` as a function over batches: the cached ONNX
    export, else one made now, else torch. Raises ReaderWeightsError on a checksum."""
    card = verified_card(directory, base, FILES)
    path = cached_file(
        "onnx", "question_encoder.onnx", f"citeqa-questions-{graph_key(card, MODEL)}"
    )

    @functools.cache
    def model() -> MeanPooled:
        from qa.question_encoder.network import MeanPooled
        from qa.question_encoder.weights import verified_model

        return MeanPooled(verified_model(card, directory, base))

    return cached_export(
        path,
        _onnx_run,
        lambda tmp: _export_checked(model(), tmp, base),
        lambda: _torch_run(model()),
        "the question encoder",
    )


def _onnx_run(path: Path) -> QuestionRun:
    session = cpu_session(str(path))

    def run(ids: IdArray, mask: IdArray) -> Means:
        (means,) = session.run(None, {"input_ids": ids, "attention_mask": mask})
        return np.asarray(means, dtype=np.float32)

    return run


def _torch_run(model: MeanPooled) -> QuestionRun:
    import torch

    from index.runtime.onednn import onednn_off

    def run(ids: IdArray, mask: IdArray) -> Means:
        with onednn_off(), torch.inference_mode():
            means: Means = model(torch.from_numpy(ids), torch.from_numpy(mask)).float().numpy()
        return means

    return run


def _export_checked(model: MeanPooled, path: Path, base: E5ModelFile) -> None:
    """Export `model` to `path`, then raise unless onnxruntime's vectors are torch's."""
    ids, mask = probe_batch(base)
    export_graph(model, ids, mask, path, {"means": {0: "batch"}})
    difference = float(np.abs(_onnx_run(path)(ids, mask) - _torch_run(model)(ids, mask)).max())
    if difference > AGREEMENT:
        raise ValueError(f"onnxruntime and torch disagree by {difference:.1e}")
