"""Set up what an evaluation asks, from the dataset and the command-line choices.

- SQuAD JSON, in process: its contexts are indexed (see qa.eval.corpus_index), in
  `index_dir` when given, else in the cache.
- JSONL, in process: the existing index in `index_dir` (default CITEQA_INDEX_DIR).
- Either, with `url`: the running server. For SQuAD data it must serve an index of the
  same file (`citeqa eval FILE --index-dir DIR`, then `citeqa serve --index-dir DIR`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.settings import IndexSettings
from index.snapshots.repository import SnapshotRepository
from index.snapshots.snapshot import Snapshot
from qa.eval.corpus_index import CorpusIndex, default_index_dir, index_config
from qa.eval.datasets import EvalDataset
from qa.eval.targets import EVAL_TOP_K, HttpTarget, InProcessTarget, Target
from qa.eval.versions import versions
from qa.factory import build_pipeline
from qa.models import Models
from qa.rerank.cross_encoder import CrossEncoder
from qa.settings import QASettings

log = logging.getLogger(__name__)


@dataclass
class Prepared:
    """The target, what to record about it, and notes for the user."""

    target: Target
    settings: dict[str, Any]
    versions: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def prepare(
    dataset: EvalDataset,
    *,
    index_dir: Path | None = None,
    url: str | None = None,
    multilingual: bool | None = None,
    progress: bool = True,
) -> Prepared:
    """The target for `dataset`; raises SnapshotError, TargetError or ValueError."""
    if url is not None:
        return _http(dataset, url)
    qa_settings = QASettings()
    index_settings = IndexSettings()
    notes: list[str] = []
    if dataset.format == "squad":
        snapshot, models, root = _squad_index(
            dataset, index_settings, index_dir, multilingual, progress, notes
        )
    else:
        root = index_dir or index_settings.index_dir
        snapshot = SnapshotRepository(root).load_current()
        models = Models.for_manifest(
            snapshot.manifest,
            rerank=qa_settings.rerank,
            reader_precision=qa_settings.reader_precision,
        )
    if models.cross_encoder is None and qa_settings.rerank:
        models.cross_encoder = CrossEncoder()
    pipeline = build_pipeline(snapshot, qa_settings, models)
    pipeline.warm_up()  # many questions follow: prepared like a server, timed like one
    manifest = snapshot.manifest
    settings = {
        "top_k": EVAL_TOP_K,
        "qa": qa_settings.model_dump(mode="json"),
        "index": {
            "embedding": manifest.embedding.model_dump(),
            "multilingual": manifest.multilingual.model_dump() if manifest.multilingual else None,
            "chunker": manifest.chunker,
            "documents": manifest.counts.get("documents"),
            "chunks": manifest.counts.get("chunks"),
        },
    }
    return Prepared(
        InProcessTarget(pipeline, str(root)),
        settings,
        versions(manifest, rerank=qa_settings.rerank),
        notes,
    )


def _squad_index(
    dataset: EvalDataset,
    settings: IndexSettings,
    index_dir: Path | None,
    multilingual: bool | None,
    progress: bool,
    notes: list[str],
) -> tuple[Snapshot, Models, Path]:
    if multilingual is None:
        # As `citeqa index` does: the multilingual vectors also serve English questions
        # (two of the retrieval lists), so the evaluated system is the one users run.
        multilingual = settings.multilingual_model is not None
    root = index_dir or default_index_dir(dataset.documents, settings, multilingual)
    corpus = CorpusIndex(root, settings, multilingual=multilingual, progress=progress)
    snapshot, report = corpus.ensure(dataset.documents)
    if report is None:
        notes.append(f"index: {root} is up to date ({len(snapshot)} chunks)")
    else:
        notes.append(
            f"index: {root}: {len(report.added)} added, {len(report.updated)} updated, "
            f"{len(report.removed)} removed, {report.unchanged} unchanged; {report.chunks} "
            f"chunks ({report.embedded_chunks} embedded) in {report.seconds:.1f} s"
        )
    embedder, multilingual_embedder = corpus.embedders()
    models = Models(embedder=embedder, multilingual=multilingual_embedder, cross_encoder=None)
    log.info("index config %s", index_config(settings, multilingual))
    return snapshot, models, root


def _http(dataset: EvalDataset, url: str) -> Prepared:
    target = HttpTarget(url)
    ready = target.check_ready()
    notes = []
    if dataset.documents and ready.get("documents") != len(dataset.documents):
        notes.append(
            f"warning: the server holds {ready.get('documents')} documents, the dataset "
            f"{len(dataset.documents)}: is it serving an index of this file?"
        )
    return Prepared(target, {"top_k": EVAL_TOP_K}, versions(), notes)
