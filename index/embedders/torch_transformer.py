"""A sentence-transformers model's transformer run by torch in float32 or bfloat16, with the
model's own tokenizer and pooling (index.embedders.token_vectors).

This is how documents are embedded where the CPU multiplies bfloat16 natively
(index.runtime.precision): on a 2-core Xeon with AMX, all-MiniLM-L6-v2 embedded SQuAD
paragraphs 1.6-1.7x as fast in bfloat16 as in float32. Token vectors come back as float32
before they are pooled, so only the transformer's own arithmetic is in bfloat16.
"""

from __future__ import annotations

import copy
import inspect
from typing import TYPE_CHECKING

import numpy as np

from index.embedders.token_vectors import (
    Features,
    FloatArray,
    SentenceModelLayout,
    TokenVectorEncoder,
)
from index.runtime.precision import BFLOAT16_PAD_TOKENS, Resolved

if TYPE_CHECKING:
    import torch


class TorchSentenceEncoder(TokenVectorEncoder):
    """Token vectors from a copy of `transformer` in `precision` (the original is left as
    it is)."""

    pad_multiple = BFLOAT16_PAD_TOKENS  # few batch shapes (index.runtime.precision)

    def __init__(
        self,
        transformer: torch.nn.Module,
        layout: SentenceModelLayout,
        precision: Resolved,
        max_tokens: int | None = None,
    ) -> None:
        import torch

        super().__init__(layout, max_tokens)
        dtype = torch.bfloat16 if precision == "bfloat16" else torch.float32
        self._model = copy.deepcopy(transformer).to(dtype).eval()
        self._inputs = tuple(
            name
            for name in ("input_ids", "attention_mask", "token_type_ids")
            if name in _forward_parameters(self._model)
        )

    def hidden_states(self, features: Features) -> FloatArray:
        import torch

        from index.runtime.onednn import onednn_needed

        with onednn_needed(), torch.inference_mode():
            inputs = {name: torch.from_numpy(features[name]) for name in self._inputs}
            output = self._model(**inputs)
            hidden = output.last_hidden_state.float().numpy()
        return np.asarray(hidden, dtype=np.float32)


def _forward_parameters(model: torch.nn.Module) -> frozenset[str]:
    """The keyword inputs `model.forward` takes."""
    return frozenset(inspect.signature(model.forward).parameters)
