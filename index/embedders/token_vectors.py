"""Token vectors from a sentence-transformers model's transformer, turned into sentence
vectors as sentence-transformers would (the model's own tokenizer, then its pooling), and
into the vectors of character spans of the same pass (index.building.sentence_pooling).

What runs the transformer is left to a subclass: onnxruntime over an exported graph
(index.embedders.onnx_transformer) or torch in a chosen precision
(index.embedders.torch_transformer).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
from tokenizers import Tokenizer

Pooling = Literal["mean", "cls", "max"]
FloatArray = npt.NDArray[np.float32]
Features = dict[str, npt.NDArray[np.int64]]


@dataclass(frozen=True, slots=True)
class SentenceModelLayout:
    """What `SentenceTransformer.encode` does to a text, read from the model's folder."""

    tokenizer_file: Path
    max_seq_length: int
    pooling: Pooling
    dim: int


def read_layout(model_dir: Path) -> SentenceModelLayout | None:
    """The layout of the sentence-transformers folder `model_dir`, or None when it is not
    transformer -> one pooling mode -> (Normalize) with a `tokenizer.json`."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text("utf-8"))
        kinds = [str(m["type"]).rsplit(".", 1)[-1] for m in modules]
        if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
            return None
        transformer = model_dir / modules[0]["path"]
        config = json.loads((transformer / "sentence_bert_config.json").read_text("utf-8"))
        pooling = json.loads((model_dir / modules[1]["path"] / "config.json").read_text("utf-8"))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    named: list[tuple[Pooling, str]] = [
        ("mean", "pooling_mode_mean_tokens"),
        ("cls", "pooling_mode_cls_token"),
        ("max", "pooling_mode_max_tokens"),
    ]
    modes = [mode for mode, key in named if pooling.get(key)]
    tokenizer_file = transformer / "tokenizer.json"
    if (
        len(modes) != 1
        or pooling.get("pooling_mode_mean_sqrt_len_tokens")
        or pooling.get("pooling_mode_weightedmean_tokens")
        or pooling.get("pooling_mode_lasttoken")
        or config.get("do_lower_case")
        or not isinstance(config.get("max_seq_length"), int)
        or not tokenizer_file.is_file()
    ):
        return None
    return SentenceModelLayout(
        tokenizer_file=tokenizer_file,
        max_seq_length=int(config["max_seq_length"]),
        pooling=modes[0],
        dim=int(pooling["word_embedding_dimension"]),
    )


class TokenVectorEncoder(ABC):
    """Sentence vectors (before normalisation): the model's tokenizer, the transformer's
    token vectors (`hidden_states`), then the pooling of `layout`. Texts are read up to
    `max_tokens` tokens (at most the model's own `max_seq_length`), special tokens apart."""

    # Batches are padded to a multiple of this many tokens (1: to the longest text).
    pad_multiple = 1

    def __init__(self, layout: SentenceModelLayout, max_tokens: int | None = None) -> None:
        tokenizer = Tokenizer.from_file(str(layout.tokenizer_file))
        # tokenizer.json may carry settings of its own (MiniLM's pads and cuts at 128):
        # sentence-transformers pads to the longest text and cuts at max_seq_length.
        special = tokenizer.num_special_tokens_to_add(is_pair=False)
        length = layout.max_seq_length
        if max_tokens is not None:
            length = min(length, max_tokens + special)
        tokenizer.enable_truncation(max_length=length)
        tokenizer.enable_padding(pad_to_multiple_of=self.pad_multiple)
        self._tokenizer = tokenizer
        self._pooling = layout.pooling

    @abstractmethod
    def hidden_states(self, features: Features) -> FloatArray:
        """The transformer's last hidden states (batch, tokens, dim) for `features`
        (input_ids, attention_mask, token_type_ids)."""

    def encode(self, texts: list[str]) -> FloatArray:
        return self.encode_with_spans(texts, [[] for _ in texts])[0]

    def encode_with_spans(
        self, texts: list[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[FloatArray, list[FloatArray]]:
        """Each text's vector, and for each of its character spans the mean of the token
        vectors of the same pass that lie inside the span (a zero row for a span whose
        tokens the model did not read whole, being cut at its length)."""
        # sentence-transformers strips each text before tokenizing it.
        stripped = [text.strip() for text in texts]
        encodings = self._tokenizer.encode_batch(stripped)
        features = {
            "input_ids": np.asarray([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.asarray([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.asarray([e.type_ids for e in encodings], dtype=np.int64),
        }
        hidden = np.asarray(self.hidden_states(features), dtype=np.float32)
        pooled = pool(hidden, features["attention_mask"], self._pooling)
        span_means = [
            span_means_of(
                hidden[row],
                encoding.offsets,
                encoding.special_tokens_mask,
                [(a - shift, b - shift) for a, b in text_spans],
            )
            for row, (encoding, text_spans, shift) in enumerate(
                zip(
                    encodings,
                    spans,
                    (len(t) - len(t.lstrip()) for t in texts),
                    strict=True,
                )
            )
        ]
        return pooled, span_means


def span_means_of(
    hidden: FloatArray,
    offsets: Sequence[tuple[int, int]],
    special: Sequence[int],
    spans: Sequence[tuple[int, int]],
) -> FloatArray:
    """For each `[start, end)` span, the mean of the token vectors `hidden` whose characters
    (`offsets`) lie inside it; a zero row when the tokens read stop before the span's end."""
    out = np.zeros((len(spans), hidden.shape[-1]), dtype=np.float32)
    if not spans:  # `encode`: no span asked for, nothing to read
        return out
    read = [
        (i, a, b)
        for i, ((a, b), sp) in enumerate(zip(offsets, special, strict=False))
        if not sp and b > a
    ]
    if not read:
        return out
    last = read[-1][2]
    starts = np.asarray([a for _, a, _ in read])
    ends = np.asarray([b for _, _, b in read])
    rows = np.asarray([i for i, _, _ in read])
    for k, (start, end) in enumerate(spans):
        if end > last:
            continue
        inside = rows[(starts >= start) & (ends <= end)]
        if len(inside):
            out[k] = hidden[inside].mean(axis=0)
    return out


def pool(hidden: FloatArray, mask: npt.NDArray[np.int64], mode: Pooling) -> FloatArray:
    """sentence-transformers' Pooling over token vectors `hidden` (batch, tokens, dim)."""
    if mode == "cls":
        return np.ascontiguousarray(hidden[:, 0], dtype=np.float32)
    weights = mask[:, :, None].astype(np.float32)
    if mode == "max":
        return np.asarray(np.where(weights > 0, hidden, -1e9).max(axis=1), dtype=np.float32)
    summed = (hidden * weights).sum(axis=1)
    return np.asarray(summed / np.maximum(weights.sum(axis=1), 1e-9), dtype=np.float32)
