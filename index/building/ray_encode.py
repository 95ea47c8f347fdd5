"""Embedding on a Ray cluster: the documents a build must embed go through Ray Data.

The build itself is unchanged (the same windows, content-hash plan, sink, checkpoints and
publication, FAISS or Milvus): only the step that turns planned documents into sentence
and chunk tables and vectors runs elsewhere. Each window's planned documents become a Ray
dataset; `map_batches` hands small batches to a pool of actors, one per worker slot of the
cluster, each holding the embedders and running the very `Encoder` a single process runs,
so the vectors are the same. Results stream back as they finish and the sink writes them.

Every node needs citeqa installed with the same models (`pip install citeqa[ray]`), since
the actors import it; nothing is copied by Ray.
"""

from __future__ import annotations

import logging
import os
import pickle
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from index.building.encode import Encoded
from index.building.progress import BuildProgress
from index.runtime.precision import Precision
from index.text.chunking import ChunkerSettings, SentenceChunker
from index.types import Document

log = logging.getLogger(__name__)

# Documents per batch handed to an actor: few enough that long and short documents spread
# evenly over the actors, enough that its encoder fills its batches (200 SQuAD paragraphs on
# two one-CPU workers: 5.8-6.2 chunks/s per worker in batches of 4, 6.3-7.3 in 16, 7.2-7.4
# in 48; docs/indexing.md).
DOCS_PER_BATCH = 16
OFFLINE = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")


@dataclass
class WorkerStats:
    """What one actor did: documents, chunks and the seconds it spent encoding them."""

    documents: int = 0
    chunks: int = 0
    busy_s: float = 0.0

    @property
    def chunks_per_s(self) -> float:
        return self.chunks / self.busy_s if self.busy_s else 0.0


@dataclass
class RayStats:
    """Per-worker throughput and the time the cluster added on top of encoding."""

    workers: dict[str, WorkerStats] = field(default_factory=dict)
    wall_s: float = 0.0

    @property
    def overhead(self) -> float:
        """Wall time over the busiest worker's encoding time, minus 1: what scheduling,
        model loading in the actors and moving data cost, as a fraction."""
        busiest = max((w.busy_s for w in self.workers.values()), default=0.0)
        return self.wall_s / busiest - 1 if busiest else 0.0

    def describe(self) -> list[str]:
        lines = [
            f"{name}: {w.documents} documents, {w.chunks} chunks, "
            f"{w.chunks_per_s:.1f} chunks/s while busy ({w.busy_s:.1f} s)"
            for name, w in sorted(self.workers.items())
        ]
        lines.append(f"wall {self.wall_s:.1f} s, overhead {self.overhead:.0%} over the busiest")
        return lines


class EncodeActor:
    """One worker slot: loads the embedders once, then encodes batches of documents."""

    def __init__(
        self,
        embedding_model: str,
        multilingual_model: str | None,
        chunker: dict[str, int],
        threads: int,
        precision: Precision,
    ) -> None:
        import torch

        from index.building.encode import Encoder
        from index.embedders import make_embedder

        torch.set_num_threads(threads)
        self.encoder = Encoder(
            make_embedder(embedding_model, threads=threads, precision=precision),
            SentenceChunker(ChunkerSettings(size=chunker["size"], overlap=chunker["overlap"])),
            (
                make_embedder(multilingual_model, threads=threads, precision=precision)
                if multilingual_model
                else None
            ),
        )
        self.name = f"{socket.gethostname()}:{os.getpid()}"

    def __call__(self, batch: dict[str, np.ndarray[Any, Any]]) -> dict[str, np.ndarray[Any, Any]]:
        docs: list[Document] = [pickle.loads(blob) for blob in batch["doc"]]
        started = time.perf_counter()
        encoded = self.encoder.encode(docs)
        seconds = time.perf_counter() - started
        return {
            "doc_id": np.array([doc.doc_id for doc in docs], dtype=object),
            "encoded": np.array([pickle.dumps(e) for e in encoded], dtype=object),
            "chunks": np.array([len(e.chunks) for e in encoded], dtype=np.int64),
            "seconds": np.full(len(docs), seconds / max(len(docs), 1)),
            "worker": np.array([self.name] * len(docs), dtype=object),
        }


class RayEncoding:
    """Encodes planned documents on the Ray cluster at `address` (see the module docstring)."""

    def __init__(
        self,
        address: str,
        embedding_model: str,
        multilingual_model: str | None,
        chunker: ChunkerSettings,
        workers: int | None = None,
        cpus_per_worker: int = 1,
        precision: Precision = "auto",
    ) -> None:
        import ray

        if not ray.is_initialized():
            # The actors load the models offline, whatever the nodes' own environment says.
            env = {name: os.environ.get(name, "1") for name in OFFLINE}
            env["TOKENIZERS_PARALLELISM"] = "false"
            ray.init(
                address=address,
                log_to_driver=False,
                logging_level=logging.WARNING,
                runtime_env={"env_vars": env},
            )
        cluster_cpus = int(ray.cluster_resources().get("CPU", 1))
        self.workers = workers or max(1, cluster_cpus // cpus_per_worker)
        self.cpus_per_worker = cpus_per_worker
        self._actor_args = {
            "embedding_model": embedding_model,
            "multilingual_model": multilingual_model,
            "chunker": {"size": chunker.size, "overlap": chunker.overlap},
            "threads": cpus_per_worker,
            "precision": precision,
        }
        self.stats = RayStats()
        log.info("Ray cluster at %s: %d CPUs, %d workers", address, cluster_cpus, self.workers)

    def encode(self, docs: Sequence[Document], progress: BuildProgress | None) -> list[Encoded]:
        """Each document's tables and vectors, in the order of `docs`."""
        if not docs:
            return []
        import ray.data

        started = time.perf_counter()
        items = [{"doc": pickle.dumps(doc)} for doc in docs]
        dataset = ray.data.from_items(items, override_num_blocks=max(1, len(items))).map_batches(
            EncodeActor,
            fn_constructor_kwargs=self._actor_args,
            batch_size=DOCS_PER_BATCH,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=min(self.workers, len(items))),
            num_cpus=self.cpus_per_worker,
        )
        results: dict[str, Encoded] = {}
        for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
            rows = zip(
                batch["doc_id"], batch["encoded"], batch["chunks"], batch["seconds"],
                batch["worker"], strict=True,
            )  # fmt: skip
            for doc_id, blob, chunks, seconds, worker in rows:
                results[str(doc_id)] = pickle.loads(blob)
                stats = self.stats.workers.setdefault(str(worker), WorkerStats())
                stats.documents += 1
                stats.chunks += int(chunks)
                stats.busy_s += float(seconds)
            if progress is not None:
                progress.chunks_embedded(int(np.sum(batch["chunks"])), None)
        self.stats.wall_s += time.perf_counter() - started
        return [results[doc.doc_id] for doc in docs]
