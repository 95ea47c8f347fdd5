"""Assemble a pipeline from settings and the snapshot in service."""

from __future__ import annotations

from dataclasses import replace

from index.settings import IndexSettings
from index.snapshots.backends import open_backend
from index.snapshots.snapshot import Snapshot
from qa.calibration import CROSS_ENCODER, Calibration
from qa.compose.base import Composer
from qa.compose.extractive import ExtractiveComposer, ExtractiveSettings
from qa.models import Models
from qa.pipeline import QAPipeline
from qa.reader.short_answer import ShortAnswerFinder
from qa.rerank.sentences import SentenceReranker, SentenceRerankSettings
from qa.retrieval.hybrid import HybridRetriever
from qa.settings import QASettings


def build_pipeline(
    snapshot: Snapshot, settings: QASettings | None = None, models: Models | None = None
) -> QAPipeline:
    settings = settings or QASettings()
    models = models or Models.for_manifest(
        snapshot.manifest,
        rerank=settings.rerank,
        reader=settings.reader,
        question_tokens=settings.max_question_tokens,
        reader_precision=settings.reader_precision,
    )
    if settings.question_encoder:
        models.attach_question_encoder(settings.max_question_tokens)
    elif models.question_encoder is not None:
        models = replace(models, question_encoder=None)
    if not settings.rerank and (models.cross_encoder or models.reader) is not None:
        # `rerank=False` holds for given models too
        models = replace(models, cross_encoder=None, reader=None)
    if not settings.reader and models.reader is not None:
        models = replace(models, reader=None)
    calibration = Calibration.load().with_threshold(CROSS_ENCODER, settings.abstain_threshold)
    return QAPipeline(
        snapshot,
        models,
        settings,
        retriever=HybridRetriever(settings),
        reranker=SentenceReranker(
            models.cross_encoder,
            reader=models.reader,
            settings=SentenceRerankSettings(
                pool_chunks=settings.rerank_pool_chunks,
                first_pass=settings.rerank_first_pass,
                second_pass=settings.rerank_second_pass,
                confident_logit=settings.rerank_confident_logit,
                reader_reads_english=settings.reader_reads_english,
            ),
        ),
        composer=make_composer(
            settings, models, extractive_composer(calibration, settings.max_answer_sentences)
        ),
        short_answers=ShortAnswerFinder(models.reader, calibration.short_answer)
        if models.reader is not None and settings.short_answers
        else None,
    )


def extractive_composer(calibration: Calibration, max_sentences: int) -> ExtractiveComposer:
    """The extractive composer that answers with `calibration`'s thresholds, margins and
    confidence curves."""
    return ExtractiveComposer(
        ExtractiveSettings(
            abstain_below=calibration.abstain_below,
            abstain_below_unseen=calibration.abstain_below_unseen,
            margins=calibration.margins,
            confidence=calibration.confidence,
            language_confidence=calibration.language_confidence,
            language_abstain_below=calibration.language_abstain_below,
            max_sentences=max_sentences,
        )
    )


def make_composer(settings: QASettings, models: Models, extractive: ExtractiveComposer) -> Composer:
    """The extractive composer, or with CITEQA_LLM a generative one that falls back to it
    (imported only then: LangChain takes most of a second to import)."""
    if settings.llm == "none":
        return extractive
    from qa.compose.generative import GenerativeComposer
    from qa.compose.support import SupportChecker
    from qa.llm import make_chat_client

    return GenerativeComposer(
        make_chat_client(settings),
        extractive,
        SupportChecker(models.embedder, models.multilingual),
        passages=settings.llm_passages,
    )


def load_pipeline(
    index_settings: IndexSettings | None = None,
    settings: QASettings | None = None,
    *,
    warm_up: bool = False,
) -> QAPipeline:
    """The pipeline over the snapshot in service (CITEQA_INDEX_DIR, or Milvus); a server
    warms it up so that its first question is as fast as the others."""
    index_settings = index_settings or IndexSettings()
    snapshot = open_backend(index_settings).load_current()
    pipeline = build_pipeline(snapshot, settings)
    if warm_up:
        pipeline.warm_up()
    return pipeline
