"""Ray: the same index as one process, and what the cluster adds.

    .venv/bin/python -m bench.ray_build --squad DEV_V1_1.json [--docs 200] [--questions 200]
        [--address HOST:PORT] [--out ray_build.json]

The first `--docs` SQuAD paragraphs (as documents) are built twice into two fresh FAISS
index folders, with the models loaded and warmed beforehand: once in this process, once
with the embedding on a Ray cluster, exactly as `citeqa index --ray ADDRESS` does it (the
same `RayEncoding`, with the `CITEQA_RAY_WORKERS` and `CITEQA_RAY_CPUS_PER_WORKER`
settings). Without `--address`, a local cluster is started for the run: a head and one
worker node on 127.0.0.1, one CPU each (bench/lib/ray_cluster.py).

Reported:
- agreement: the documents, chunk and sentence tables identical; per vector kind, the
  largest absolute difference and the smallest cosine between the two builds' vectors;
  a seeded sample of `--questions` SQuAD questions about those paragraphs asked of both
  indexes, counting the answers that are identical (answer text, abstained flag, each
  citation's document, quote and offsets), with the ones that differ listed;
- time: the single-process build and the Ray build (wall time of `IndexBuilder.run`), and,
  as `citeqa index --ray` prints them, each worker's documents, chunks and chunks/s while
  busy, and the overhead (the Ray encoding's wall time over the busiest worker's time).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/ray_build.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from bench.lib.offline import run_offline
from bench.lib.sampling import questions_about
from bench.lib.tables import markdown, write_results
from index.building.builder import IndexBuilder
from index.building.ray_encode import RayEncoding
from index.embedders import Embedder
from index.service import Embedders
from index.service import ray_encoding as index_ray_encoding
from index.settings import IndexSettings
from index.snapshots.repository import SnapshotRepository
from index.snapshots.snapshot import Snapshot
from index.text.chunking import SentenceChunker
from index.types import Document
from qa.eval.datasets import load_dataset
from qa.eval.versions import describe_machine, machine
from qa.factory import build_pipeline
from qa.models import Models
from qa.types import Answer

# The cosine below which two builds' vectors are taken to differ (float rounding is ~1e-7).
MIN_COSINE = 0.9999


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--squad", type=Path, required=True, help="SQuAD JSON (v1.1 dev)")
    parser.add_argument("--docs", type=int, default=200, help="paragraphs to index")
    parser.add_argument(
        "--questions", type=int, default=200, help="questions about them (seeded sample)"
    )
    parser.add_argument(
        "--address",
        metavar="HOST:PORT",
        help="an existing Ray cluster (default: start a head and a worker on 127.0.0.1)",
    )
    parser.add_argument("--out", type=Path, default=Path("ray_build.json"), help="JSON results")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    run_offline()
    dataset = load_dataset(args.squad)
    documents = dataset.documents[: args.docs]
    kept = {d.doc_id for d in documents}
    questions = [q.question for q in questions_about(dataset.questions, kept, args.questions)]
    settings = IndexSettings()
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "squad": args.squad.name,
        "documents": len(documents),
        "questions": len(questions),
    }
    embedder, multilingual = load_embedders(settings)
    with (
        tempfile.TemporaryDirectory(prefix="citeqa-ray-build-") as tmp,
        cluster(args.address) as address,
    ):
        results["cluster"] = {"address": address, "started_here": args.address is None}
        local, local_s = timed_build(
            Path(tmp) / "one-process", documents, settings, embedder, multilingual, None
        )
        remote = ray_encoding(address, settings)
        distributed, ray_s = timed_build(
            Path(tmp) / "ray", documents, settings, embedder, multilingual, remote
        )
        results["cluster"]["cpus"] = cluster_cpus()
        results["cluster"]["workers"] = remote.workers
        results["ray"] = ray_report(remote.stats)
    results["chunks"], results["sentences"] = len(local), len(local.sentences)
    results["single_process_s"], results["ray_s"] = local_s, ray_s
    results["tables"] = compare_tables(local, distributed)
    results["vectors"] = compare_vectors(local, distributed)
    results["answers"] = compare_answers(local, distributed, questions)
    results["agreement"] = agrees(results)
    write_results(args.out, results)
    print(render(results))
    return 0 if results["agreement"] else 1


def load_embedders(settings: IndexSettings) -> tuple[Embedder, Embedder | None]:
    """The embedders `citeqa index` builds with, loaded and warmed up."""
    embedders = Embedders.from_settings(settings)
    embedder, multilingual = embedders.main, embedders.multilingual
    for model in (embedder, multilingual):
        if model is not None:
            model.embed_documents(["warm up"] * 8)
    return embedder, multilingual


@contextmanager
def cluster(address: str | None) -> Iterator[str]:
    """`address`, or that of a local cluster started for the run (and stopped after it)."""
    if address is not None:
        try:
            yield address
        finally:
            import ray

            ray.shutdown()
        return
    from bench.lib.ray_cluster import local_cluster

    print("starting a local Ray cluster (a head and a worker node)", file=sys.stderr)
    with local_cluster() as started:
        yield started


def ray_encoding(address: str, settings: IndexSettings) -> RayEncoding:
    """The remote encoding `citeqa index --ray ADDRESS` builds with (index.service)."""
    remote = index_ray_encoding(settings.model_copy(update={"ray_address": address}))
    assert isinstance(remote, RayEncoding)
    return remote


def cluster_cpus() -> int:
    import ray

    return int(ray.cluster_resources().get("CPU", 0))


def timed_build(
    root: Path,
    documents: Sequence[Document],
    settings: IndexSettings,
    embedder: Embedder,
    multilingual: Embedder | None,
    remote: Any,
) -> tuple[Snapshot, float]:
    """A fresh build of `documents` into `root`; the snapshot and the build's seconds."""
    builder = IndexBuilder(
        SnapshotRepository(root),
        embedder,
        SentenceChunker(settings.chunker),
        multilingual=multilingual,
        progress=False,
        remote=remote,
    )
    where = "on Ray" if remote is not None else "in one process"
    print(f"building {len(documents)} documents {where}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    builder.run(list(documents))
    seconds = time.perf_counter() - started
    return builder.backend.load_current(), round(seconds, 2)


def ray_report(stats: Any) -> dict[str, Any]:
    """Per worker: documents, chunks, busy seconds and chunks/s while busy; the wall time,
    the overhead, and the lines `citeqa index --ray` prints."""
    return {
        "workers": {
            name: {
                "documents": w.documents,
                "chunks": w.chunks,
                "busy_s": round(w.busy_s, 2),
                "chunks_per_s": round(w.chunks_per_s, 2),
            }
            for name, w in sorted(stats.workers.items())
        },
        "wall_s": round(stats.wall_s, 2),
        "overhead": round(stats.overhead, 4),
        "printed": [f"ray: {line}" for line in stats.describe()],
    }


def compare_tables(one: Snapshot, other: Snapshot) -> dict[str, bool]:
    return {
        "documents": [(d.doc_id, d.content_hash) for d in one.documents]
        == [(d.doc_id, d.content_hash) for d in other.documents],
        "chunk_ids": one.chunk_ids == other.chunk_ids,
        "chunks": np.array_equal(np.asarray(one.chunks), np.asarray(other.chunks)),
        "sentences": np.array_equal(np.asarray(one.sentences), np.asarray(other.sentences)),
    }


def compare_vectors(one: Snapshot, other: Snapshot) -> dict[str, dict[str, Any]]:
    """Per vector kind of either build: rows, the largest absolute difference and the
    smallest cosine between the same rows of the two builds (None where they differ in
    kind or shape)."""
    found: dict[str, dict[str, Any]] = {}
    for kind in sorted(set(one.vectors) | set(other.vectors)):
        if kind not in one.vectors or kind not in other.vectors:
            found[kind] = {"rows": None, "max_abs_diff": None, "min_cosine": None}
            continue
        a = np.asarray(one.vectors[kind], dtype=np.float64)
        b = np.asarray(other.vectors[kind], dtype=np.float64)
        if a.shape != b.shape:
            found[kind] = {"rows": None, "max_abs_diff": None, "min_cosine": None}
            continue
        norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
        cosines = np.sum(a * b, axis=1) / np.where(norms > 0, norms, 1.0)
        found[kind] = {
            "rows": int(a.shape[0]),
            "max_abs_diff": float(np.max(np.abs(a - b))) if a.size else 0.0,
            "min_cosine": float(np.min(cosines)) if len(cosines) else 1.0,
        }
    return found


def answer_key(answer: Answer) -> dict[str, Any]:
    """What must be the same in both indexes' answers."""
    return {
        "answer": answer.answer,
        "abstained": answer.abstained,
        "citations": [
            {"doc_id": c.doc_id, "quote": c.quote, "start": c.start, "end": c.end}
            for c in answer.citations
        ],
    }


def compare_answers(one: Snapshot, other: Snapshot, questions: Sequence[str]) -> dict[str, Any]:
    """Each question asked of both indexes (the same models for both, as a server has
    them); how many answers are identical, and the ones that are not."""
    models = Models.for_manifest(one.manifest)
    assert models.serves(other.manifest)
    first, second = build_pipeline(one, models=models), build_pipeline(other, models=models)
    differing: list[dict[str, Any]] = []
    abstained = 0
    started = time.perf_counter()
    for number, question in enumerate(questions, start=1):
        a, b = answer_key(first.ask(question)), answer_key(second.ask(question))
        abstained += a["abstained"]
        if a != b:
            differing.append({"question": question, "one_process": a, "ray": b})
        if number % 25 == 0:
            print(f"asked {number}/{len(questions)}", file=sys.stderr, flush=True)
    return {
        "asked": len(questions),
        "identical": len(questions) - len(differing),
        "abstained": abstained,
        "seconds": round(time.perf_counter() - started, 1),
        "differing": differing,
    }


def agrees(results: dict[str, Any]) -> bool:
    answers = results["answers"]
    return (
        all(results["tables"].values())
        and all(
            v["min_cosine"] is not None and v["min_cosine"] > MIN_COSINE
            for v in results["vectors"].values()
        )
        and answers["identical"] == answers["asked"]
    )


def cosine(value: float) -> str:
    """A cosine near 1 as `1 - 2.7e-13`, so that float rounding shows as what it is."""
    return f"1 - {1 - value:.1e}" if value > 0.999 else f"{value:.6f}"


def render(results: dict[str, Any]) -> str:
    """The agreement, the two builds' times and the workers, as markdown."""
    tables = results["tables"]
    answers = results["answers"]
    rows = [
        [
            "tables (documents, chunks, sentences)",
            "identical"
            if all(tables.values())
            else "differ: " + ", ".join(name for name, same in tables.items() if not same),
        ],
    ]
    for kind, v in results["vectors"].items():
        if v["min_cosine"] is None:
            rows.append([f"`{kind}` vectors", "differ in kind or shape"])
        else:
            rows.append(
                [
                    f"`{kind}` vectors ({v['rows']})",
                    f"min cosine {cosine(v['min_cosine'])}, max abs diff {v['max_abs_diff']:.1e}",
                ]
            )
    rows.append(
        [
            "answers (text, abstained, citations' quotes and offsets)",
            f"{answers['identical']}/{answers['asked']} identical "
            f"({answers['abstained']} abstained)",
        ]
    )
    agreement = markdown(["one process vs Ray", "result"], rows)
    ray = results["ray"]
    time_rows = [
        [
            "one process",
            f"{results['single_process_s']:.1f}",
            f"{results['chunks'] / results['single_process_s']:.1f}",
            "-",
        ],
        [
            f"Ray ({len(ray['workers'])} workers)",
            f"{results['ray_s']:.1f}",
            f"{results['chunks'] / results['ray_s']:.1f}",
            f"{ray['overhead']:.0%} (encoding wall {ray['wall_s']:.1f} s)",
        ],
    ]
    timing = markdown(["build", "seconds", "chunks/s", "overhead over the busiest"], time_rows)
    workers = markdown(
        ["Ray worker", "documents", "chunks", "busy s", "chunks/s while busy"],
        [
            [
                name,
                str(w["documents"]),
                str(w["chunks"]),
                f"{w['busy_s']:.1f}",
                f"{w['chunks_per_s']:.1f}",
            ]
            for name, w in ray["workers"].items()
        ],
    )
    head = (
        f"{results['documents']} SQuAD paragraphs ({results['chunks']} chunks, "
        f"{results['sentences']} sentences), {results['questions']} questions; "
        f"{results['date']}, {describe_machine(results['machine'])}; "
        f"Ray cluster {results['cluster']['address']} "
        f"({results['cluster']['cpus']} CPUs, {results['cluster']['workers']} workers)"
    )
    parts = [head, agreement, timing, workers, "\n".join(ray["printed"])]
    if answers["differing"]:
        parts.append(
            "Differing answers:\n" + "\n".join(f"- {d['question']}" for d in answers["differing"])
        )
    return "\n\n".join(parts)


if __name__ == "__main__":
    raise SystemExit(main())
