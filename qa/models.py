"""The models a pipeline needs, loaded once and shared across snapshot swaps."""

from __future__ import annotations

from dataclasses import dataclass

from index.embedders import E5_NAMES, QUESTION_TOKENS, Embedder, make_embedder
from index.runtime.precision import Precision
from index.snapshots.manifest import Manifest
from qa.question_encoder.encoder import QuestionEncoder
from qa.reader.reader import Reader
from qa.rerank.cross_encoder import CrossEncoder


@dataclass
class Models:
    embedder: Embedder
    multilingual: Embedder | None
    cross_encoder: CrossEncoder | None
    reader: Reader | None = None
    question_encoder: Embedder | None = None

    @classmethod
    def for_manifest(
        cls,
        manifest: Manifest,
        rerank: bool = True,
        reader: bool = True,
        question_tokens: int = QUESTION_TOKENS,
        reader_precision: Precision = "auto",
    ) -> Models:
        """Embedders named by the snapshot's manifest (never a different model than it was
        built with), reading questions up to `question_tokens` tokens, the cross-encoder when
        reranking is on, and the multilingual reader when reranking and `reader` are on and
        the snapshot has multilingual vectors, reading in `reader_precision`. Models load on
        first use."""
        return cls(
            embedder=make_embedder(manifest.embedding.model_id, question_tokens),
            multilingual=make_embedder(manifest.multilingual.model_id, question_tokens)
            if manifest.multilingual
            else None,
            cross_encoder=CrossEncoder() if rerank else None,
            reader=Reader(precision=reader_precision)
            if rerank and reader and manifest.multilingual
            else None,
        )

    def attach_question_encoder(self, question_tokens: int = QUESTION_TOKENS) -> None:
        """Give e5's multilingual vectors the question encoder (qa.question_encoder) for
        questions across languages, once: pipelines that share these models share it."""
        multilingual = self.multilingual
        if (
            self.question_encoder is None
            and multilingual is not None
            and multilingual.model_id in E5_NAMES
        ):
            self.question_encoder = QuestionEncoder(multilingual, question_tokens)

    def serves(self, manifest: Manifest) -> bool:
        """True when these embedders produce the vectors of `manifest`'s snapshot."""
        multilingual = manifest.multilingual
        return (
            self.embedder.model_id == manifest.embedding.model_id
            and self.embedder.dim == manifest.embedding.dim
            and (multilingual is None) == (self.multilingual is None)
            and (
                multilingual is None
                or (
                    self.multilingual is not None
                    and self.multilingual.model_id == multilingual.model_id
                    and self.multilingual.dim == multilingual.dim
                )
            )
        )
