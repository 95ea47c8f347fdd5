"""Speed benchmark: indexing throughput, query latency, requests/s, memory, cold start.

    .venv/bin/python -m bench.speed --squad DEV_V1_1.json [--docs 400] [--queries 200]
        [--duration 20] [--concurrency 1 4 16] [--multilingual] [--out speed.json]

- Indexing: a fresh index of the first `--docs` SQuAD paragraphs (0: all), in chunks/s,
  next to the raw encode rate of the same model(s) on exactly the texts the builder
  embedded (chunks and sentences): the difference is the pipeline's own overhead.
- Query latency p50/p95 of `/v1/ask` in process, then over HTTP against `citeqa serve`
  (a child process; its cold start is the time from spawn to a ready /readyz).
- Requests/s with 1, 4 and 16 concurrent clients (wrk, questions in rotation), and the
  server's resident memory after the load.

`--multilingual` also embeds chunks and sentences with multilingual-e5-small, as `citeqa
index` does by default for cross-lingual questions; without it the index is English-only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/speed.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.lib.offline import run_offline
from bench.lib.sampling import questions_about
from bench.lib.server_process import ServerProcess, free_port
from bench.lib.tables import markdown
from bench.lib.wrk import run_wrk
from index.building.builder import EMBED_BATCH
from index.embedders import Embedder, make_embedder
from index.settings import IndexSettings
from index.snapshots.snapshot import Snapshot
from qa.eval.corpus_index import CorpusIndex
from qa.eval.datasets import load_dataset
from qa.eval.metrics import percentile
from qa.eval.versions import describe_machine, machine
from qa.factory import build_pipeline
from qa.models import Models
from qa.rerank.cross_encoder import CrossEncoder
from qa.settings import QASettings

WARMUP = 5


def encode_seconds(embedder: Embedder, texts: Sequence[str]) -> float:
    """Wall time of `embed_documents` over `texts`, in the builder's batch size."""
    started = time.perf_counter()
    for i in range(0, len(texts), EMBED_BATCH):
        embedder.embed_documents(texts[i : i + EMBED_BATCH])
    return time.perf_counter() - started


def indexing(
    snapshot_dir: Path, documents: Sequence[Any], settings: IndexSettings, multilingual: bool
) -> tuple[Snapshot, dict[str, Any], Embedder, Embedder | None]:
    embedder = make_embedder(settings.embedding_model, precision=settings.document_precision)
    extra = (
        make_embedder(settings.multilingual_model, precision=settings.document_precision)
        if multilingual and settings.multilingual_model
        else None
    )
    for model in (embedder, extra):
        if model is not None:
            model.embed_documents(["warm up"] * 8)
    corpus = CorpusIndex(
        snapshot_dir,
        settings,
        multilingual=extra is not None,
        embedder=embedder,
        multilingual_embedder=extra,
        progress=False,
    )
    snapshot, report = corpus.ensure(documents)
    assert report is not None
    chunk_texts = [snapshot.chunk_text(row) for row in range(len(snapshot))]
    sentence_texts = [snapshot.sentence_text(row) for row in range(len(snapshot.sentences))]
    raw = encode_seconds(embedder, chunk_texts) + encode_seconds(embedder, sentence_texts)
    if extra is not None:
        raw += encode_seconds(extra, chunk_texts) + encode_seconds(extra, sentence_texts)
    result = {
        "documents": len(documents),
        "chunks": report.chunks,
        "sentences": len(sentence_texts),
        "build_s": round(report.seconds, 2),
        "chunks_per_s": round(report.chunks / report.seconds, 1),
        "raw_encode_s": round(raw, 2),
        "raw_chunks_per_s": round(report.chunks / raw, 1),
        "pipeline_overhead": round(report.seconds / raw - 1, 3),
        "multilingual": extra is not None,
    }
    return snapshot, result, embedder, extra


def in_process_latency(
    snapshot: Snapshot, embedder: Embedder, extra: Embedder | None, questions: list[str]
) -> dict[str, float]:
    pipeline = build_pipeline(snapshot, QASettings(), Models(embedder, extra, CrossEncoder()))
    pipeline.warm_up()  # as `citeqa serve` does
    for question in questions[:WARMUP]:
        pipeline.ask(question)
    latencies = []
    for question in questions:
        started = time.perf_counter()
        pipeline.ask(question)
        latencies.append((time.perf_counter() - started) * 1000)
    return _latency(latencies)


def http_latency(url: str, questions: list[str]) -> dict[str, float]:
    latencies = []
    with httpx.Client(base_url=url, timeout=120) as client:
        for question in questions[:WARMUP]:
            client.post("/v1/ask", json={"question": question}).raise_for_status()
        for question in questions:
            started = time.perf_counter()
            client.post("/v1/ask", json={"question": question}).raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)
    return _latency(latencies)


def _latency(latencies: list[float]) -> dict[str, float]:
    return {
        "latency_ms_p50": round(percentile(latencies, 50), 1),
        "latency_ms_p95": round(percentile(latencies, 95), 1),
        "count": len(latencies),
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="citeqa speed benchmark")
    parser.add_argument("--squad", type=Path, required=True, help="SQuAD JSON (v1.1 dev)")
    parser.add_argument("--docs", type=int, default=400, help="paragraphs to index (0: all)")
    parser.add_argument("--queries", type=int, default=200, help="questions for latency")
    parser.add_argument("--duration", type=int, default=20, help="seconds per wrk run")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument(
        "--multilingual",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="embed multilingual chunk and sentence vectors, as `citeqa index` does (default: yes)",
    )
    parser.add_argument("--out", type=Path, default=Path("speed.json"))
    parser.add_argument(
        "--vector-store",
        choices=["faiss", "milvus"],
        default="faiss",
        help="milvus: Milvus Lite served on a local port, shared with the server process",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    run_offline()
    dataset = load_dataset(args.squad)
    documents = dataset.documents[: args.docs] if args.docs else dataset.documents
    kept = {d.doc_id for d in documents}
    questions = [q.question for q in questions_about(dataset.questions, kept, args.queries)]
    this_machine = machine()
    results: dict[str, Any] = {"cpus": this_machine["cores"], "machine": this_machine}
    results["vector_store"] = args.vector_store
    with tempfile.TemporaryDirectory(prefix="citeqa-speed-") as tmp, ExitStack() as stack:
        index_dir = Path(tmp)
        if args.vector_store == "milvus":
            from index.milvus.lite import LiteServer

            lite = stack.enter_context(LiteServer(index_dir / "milvus.db", port=free_port()))
            os.environ.update(CITEQA_VECTOR_STORE="milvus", CITEQA_MILVUS_URI=lite.uri)
        snapshot, results["indexing"], embedder, extra = indexing(
            index_dir, documents, IndexSettings(), args.multilingual
        )
        results["in_process"] = in_process_latency(snapshot, embedder, extra, questions)
        server = ServerProcess.start(index_dir)
        try:
            results["server"] = {
                "up_s": round(server.up_s, 2),
                "cold_start_s": round(server.cold_start_s, 2),
            }
            results["server"].update({f"{k}_ready": v for k, v in server.memory_mb().items()})
            results["http"] = http_latency(server.url, questions)
            results["load"] = {
                str(c): run_wrk(server.url, questions, c, args.duration) for c in args.concurrency
            }
            results["server"].update(server.memory_mb())
        finally:
            server.stop()
    args.out.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    print(render(results))
    print(f"results: {args.out}")
    return 0


def _n(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def render(results: dict[str, Any]) -> str:
    ix, server = results["indexing"], results["server"]
    indexing_table = markdown(
        [
            "documents",
            "chunks",
            "sentences",
            "build s",
            "chunks/s",
            "raw encode s",
            "raw chunks/s",
            "overhead",
        ],
        [
            [
                str(ix["documents"]),
                str(ix["chunks"]),
                str(ix["sentences"]),
                _n(ix["build_s"]),
                _n(ix["chunks_per_s"]),
                _n(ix["raw_encode_s"]),
                _n(ix["raw_chunks_per_s"]),
                f"{ix['pipeline_overhead']:+.1%}",
            ]
        ],
    )
    latency_table = markdown(
        ["/v1/ask", "p50 ms", "p95 ms", "questions"],
        [
            [where, _n(r["latency_ms_p50"]), _n(r["latency_ms_p95"]), str(r["count"])]
            for where, r in (
                ("in process", results["in_process"]),
                ("HTTP (citeqa serve)", results["http"]),
            )
        ],
    )
    load_table = markdown(
        ["concurrent clients", "requests/s", "p50 ms", "p99 ms", "requests", "failed"],
        [
            [
                c,
                _n(r["requests_per_s"]),
                _n(r.get("latency_ms_p50")),
                _n(r.get("latency_ms_p99")),
                str(int(r["requests"])),
                str(int(r["failed"])),
            ]
            for c, r in results["load"].items()
        ],
    )
    server_table = markdown(
        [
            "cold start to ready s",
            "process up s",
            "RSS ready MiB",
            "RSS after load MiB",
            "peak RSS MiB",
        ],
        [
            [
                _n(server["cold_start_s"]),
                _n(server["up_s"]),
                _n(server["rss_mb_ready"]),
                _n(server["rss_mb"]),
                _n(server["peak_rss_mb"]),
            ]
        ],
    )
    note = (
        "raw: the same embedder(s) encoding exactly the chunk and sentence texts the build "
        "embedded; overhead = build time / raw encode time - 1."
    )
    return "\n\n".join(
        [
            f"Timed on {describe_machine(results['machine'])}.",
            f"## Indexing ({results['cpus']} CPUs, "
            f"{results.get('vector_store', 'faiss')})\n\n{indexing_table}\n\n{note}",
            f"## Query latency\n\n{latency_table}",
            f"## Throughput (wrk, POST /v1/ask)\n\n{load_table}",
            f"## Server\n\n{server_table}",
        ]
    )


if __name__ == "__main__":
    raise SystemExit(main())
