"""A sentence-transformers model's transformer as an ONNX graph, run by onnxruntime with the
model's own tokenizer and pooling done in numpy, so questions are embedded without torch.

For one short question, torch spends most of its time in per-operator overhead:
all-MiniLM-L6-v2 took 14 ms per question in torch and 7 ms in onnxruntime on 2 cores. The
graph is exported once from the loaded weights (about 2 s, and torch must be imported for
it) and kept in the model cache (index.runtime.model_cache), keyed by the model's files and the
versions of the libraries involved; later processes load the file, which takes a fraction
of a second and no torch at all.

Only the usual layout is handled: a Hugging Face transformer, then mean, CLS or max pooling,
then optionally Normalize (index.embedders.token_vectors.read_layout); any other model keeps
the torch path.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.embedders.token_vectors import (
    Features,
    FloatArray,
    SentenceModelLayout,
    TokenVectorEncoder,
)
from index.runtime.onnx_session import cpu_session

if TYPE_CHECKING:
    import torch
    from sentence_transformers import SentenceTransformer

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OPSET = 17
# The vectors of both runtimes must agree this closely, or the torch path is kept.
AGREEMENT = 1e-4


class OnnxSentenceEncoder(TokenVectorEncoder):
    """Token vectors from an exported graph, run by onnxruntime."""

    def __init__(
        self,
        graph: Path | bytes,
        layout: SentenceModelLayout,
        max_tokens: int | None = None,
        threads: int | None = None,
    ) -> None:
        super().__init__(layout, max_tokens)
        self._session = cpu_session(graph if isinstance(graph, bytes) else str(graph), threads)
        self._inputs = [i.name for i in self._session.get_inputs()]

    def hidden_states(self, features: Features) -> FloatArray:
        outputs = self._session.run(None, {name: features[name] for name in self._inputs})
        return np.asarray(outputs[0], dtype=np.float32)


def export_transformer(model: SentenceTransformer, path: Path) -> None:
    """Write `model`'s transformer (keyword inputs -> last hidden state) to `path` as ONNX."""
    import torch

    class TokenEmbeddings(torch.nn.Module):
        def __init__(self, transformer: torch.nn.Module, inputs: tuple[str, ...]) -> None:
            super().__init__()
            self.transformer = transformer
            self.inputs = inputs

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            output = self.transformer(**dict(zip(self.inputs, tensors, strict=True)))
            hidden: torch.Tensor = output.last_hidden_state
            return hidden

    probe: dict[str, Any] = model.preprocess(["probe text", "a second, longer probe text"])
    inputs = tuple(name for name in INPUTS if name in probe)
    transformer = model[0].auto_model
    assert isinstance(transformer, torch.nn.Module)
    transformer.eval()
    axes = {name: {0: "batch", 1: "tokens"} for name in (*inputs, "hidden")}
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notices
        torch.onnx.export(
            TokenEmbeddings(transformer, inputs),
            tuple(probe[name] for name in inputs),
            str(path),
            input_names=list(inputs),
            output_names=["hidden"],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )
