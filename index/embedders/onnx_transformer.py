"""A sentence-transformers model's transformer, exported to ONNX and run by onnxruntime.

For one short question, torch spends most of its time in per-operator overhead:
all-MiniLM-L6-v2 took 14 ms per question in torch and 7 ms in onnxruntime on 2 cores.
The export is made from the loaded weights, in memory (about 2 s, once), so there is
nothing to download or cache; pooling and normalisation stay sentence-transformers' own
modules, so both runtimes share them.
"""

from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from index.onnx_session import cpu_session

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# The vectors of both runtimes must agree this closely, or the torch path is kept.
AGREEMENT = 1e-4


class _TokenEmbeddings(torch.nn.Module):
    """The transformer with keyword inputs, returning the last hidden state."""

    def __init__(self, model: torch.nn.Module, inputs: tuple[str, ...]) -> None:
        super().__init__()
        self.model = model
        self.inputs = inputs

    def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
        output = self.model(**dict(zip(self.inputs, tensors, strict=True)))
        hidden: torch.Tensor = output.last_hidden_state
        return hidden


class OnnxTransformer:
    """Runs `model`'s first module (a Hugging Face transformer) in onnxruntime."""

    def __init__(self, model: SentenceTransformer, threads: int | None = None) -> None:
        self._model = model
        probe = model.preprocess(["probe text"])
        self._inputs = tuple(k for k in _INPUTS if k in probe)
        self._session = cpu_session(self._export(probe), threads)

    def _export(self, probe: dict[str, Any]) -> bytes:
        """The transformer as a serialized ONNX graph, traced on `probe`'s features."""
        transformer = self._model[0].auto_model
        assert isinstance(transformer, torch.nn.Module)
        transformer.eval()
        graph = io.BytesIO()
        axes = {name: {0: "batch", 1: "tokens"} for name in (*self._inputs, "hidden")}
        with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
            warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notices
            torch.onnx.export(
                _TokenEmbeddings(transformer, self._inputs),
                tuple(probe[name] for name in self._inputs),
                graph,  # type: ignore[arg-type]  # a file object is accepted too
                input_names=list(self._inputs),
                output_names=["hidden"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
        return graph.getvalue()

    def encode(self, texts: list[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Sentence embeddings, as the model's own `encode` computes them."""
        features = self._model.preprocess(texts)
        feeds = {name: features[name].numpy().astype(np.int64) for name in self._inputs}
        hidden = self._session.run(None, feeds)[0]
        features["token_embeddings"] = torch.from_numpy(np.asarray(hidden))
        with torch.inference_mode():
            for module in list(self._model.children())[1:]:
                features = module(features)
        embeddings: np.ndarray[Any, np.dtype[np.float32]] = (
            features["sentence_embedding"].numpy().astype(np.float32)
        )
        return embeddings
