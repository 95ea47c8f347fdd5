"""The question-answering harness of the benchmarks: models loaded once, cached indexes,
pipelines warmed up like a server's, questions asked in process."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bench.lib.offline import run_offline
from index.embedders import Embedder, make_embedder
from index.settings import IndexSettings
from index.snapshots.snapshot import Snapshot
from index.types import Document
from qa.eval.corpus_index import CorpusIndex, cache_key, cache_root
from qa.eval.datasets import EvalDataset, EvalQuestion
from qa.eval.runner import EvalRun, run_eval
from qa.eval.targets import InProcessTarget
from qa.factory import build_pipeline
from qa.models import Models
from qa.pipeline import QAPipeline
from qa.question_encoder.encoder import QuestionEncoder
from qa.reader.reader import Reader
from qa.rerank.cross_encoder import CrossEncoder
from qa.settings import QASettings

log = logging.getLogger("bench")


@dataclass
class Bench:
    """Models loaded once, shared by every index and pipeline of the run."""

    settings: IndexSettings
    index_root: Path
    progress: bool
    embedder: Embedder
    cross_encoder: CrossEncoder
    multilingual: Embedder | None = None
    reader: Reader | None = None
    question_encoder: Embedder | None = None
    results: dict[str, Any] = field(default_factory=dict)
    tables: list[str] = field(default_factory=list)

    def models(self, snapshot: Snapshot, rerank: bool = True) -> Models:
        return Models(
            self.embedder,
            self.multilingual if snapshot.manifest.multilingual else None,
            self.cross_encoder if rerank else None,
            self.reader if rerank and snapshot.manifest.multilingual else None,
            self.question_encoder if snapshot.manifest.multilingual else None,
        )

    def index(
        self, documents: Sequence[Document], multilingual: bool, seed: Path | None = None
    ) -> Snapshot:
        if multilingual and self.multilingual is None:
            assert self.settings.multilingual_model is not None
            self.multilingual = make_embedder(
                self.settings.multilingual_model, precision=self.settings.document_precision
            )
            self.reader = Reader(precision=QASettings().reader_precision)
            self.question_encoder = QuestionEncoder(self.multilingual)
        root = self.index_root / cache_key(documents, self.settings, multilingual)
        corpus = CorpusIndex(
            root,
            self.settings,
            multilingual=multilingual,
            embedder=self.embedder,
            multilingual_embedder=self.multilingual,
            progress=self.progress,
        )
        snapshot, report = corpus.ensure(documents, seed=seed)
        if report is not None:
            log.info("indexed %s: %d chunks in %.1f s", root, report.chunks, report.seconds)
        return snapshot

    def pipeline(self, snapshot: Snapshot, **overrides: Any) -> QAPipeline:
        settings = QASettings().model_copy(update=overrides)
        pipeline = build_pipeline(snapshot, settings, self.models(snapshot, settings.rerank))
        pipeline.warm_up()  # as `citeqa serve` does, so latency is a server's
        return pipeline

    def ask(
        self, dataset: EvalDataset, pipeline: QAPipeline, questions: Sequence[EvalQuestion]
    ) -> EvalRun:
        return run_eval(
            dataset, InProcessTarget(pipeline), questions=questions, progress=self.progress
        )

    def section(self, title: str, table: str, note: str = "") -> None:
        text = f"## {title}\n\n{table}\n" + (f"\n{note}\n" if note else "")
        self.tables.append(text)
        print(text, file=sys.stderr, flush=True)


def squad_script_parser(doc: str | None, default_out: str) -> argparse.ArgumentParser:
    """The arguments of a script that asks SQuAD v1.1 questions of cached indexes:
    --squad-v1, --index-root, --out and --no-progress (the script adds its own)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0] if doc else None)
    parser.add_argument("--squad-v1", type=Path, required=True, help="SQuAD v1.1 dev JSON")
    parser.add_argument(
        "--index-root", type=Path, help=f"where indexes are cached (default {cache_root()})"
    )
    parser.add_argument("--out", type=Path, default=Path(default_out), help="JSON results file")
    parser.add_argument("--no-progress", action="store_true")
    return parser


def start_bench(
    index_root: Path | None,
    progress: bool,
    vector_store: Literal["faiss", "milvus"] | None = None,
) -> Bench:
    """A run offline, its logging set up, the models loaded once (indexes cached in
    `index_root`, by default citeqa eval's cache)."""
    run_offline()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    for noisy in ("sentence_transformers", "bm25s", "httpx", "faiss", "transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    settings = IndexSettings()
    if vector_store:
        settings.vector_store = vector_store
    return Bench(
        settings=settings,
        index_root=index_root or cache_root(),
        progress=progress,
        embedder=make_embedder(settings.embedding_model, precision=settings.document_precision),
        cross_encoder=CrossEncoder(),
    )
