"""Prometheus metrics of one app: requests, answer stages, the index and its refreshes.

Each app has its own registry (several apps may live in one process, as in tests).
Index and refresh figures are read when /metrics is scraped, not pushed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from index.building.refresh import RefreshStatus
from index.snapshots.snapshot import Snapshot

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
KNOWN_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


class Metrics:
    """The metric families; `observe_request` and `observe_answer` feed them."""

    def __init__(
        self,
        snapshot: Callable[[], Snapshot | None],
        refresh_status: Callable[[], RefreshStatus | None],
    ) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "citeqa_http_requests",
            "HTTP requests by method, route template and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "citeqa_http_request_duration_seconds",
            "Time from request to the end of the response, by route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "citeqa_http_requests_in_flight", "Requests being served.", registry=self.registry
        )
        self.stages = Histogram(
            "citeqa_answer_stage_duration_seconds",
            "Time per answer stage (embed, retrieve, rerank, compose, ...).",
            ["stage"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.answers = Counter(
            "citeqa_answers", "Answers composed, abstentions included.", registry=self.registry
        )
        self.abstentions = Counter(
            "citeqa_abstentions",
            "Answers that abstained (the documents did not hold the answer).",
            registry=self.registry,
        )
        self.registry.register(IndexCollector(snapshot, refresh_status))

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        method = method if method in KNOWN_METHODS else "OTHER"
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def observe_answer(self, timings_ms: dict[str, float], abstained: bool) -> None:
        for stage, ms in timings_ms.items():
            if stage != "total":
                self.stages.labels(stage).observe(ms / 1000)
        self.answers.inc()
        if abstained:
            self.abstentions.inc()


class IndexCollector(Collector):
    """Index size, snapshot version and refresh figures, read at scrape time."""

    def __init__(
        self,
        snapshot: Callable[[], Snapshot | None],
        refresh_status: Callable[[], RefreshStatus | None],
    ) -> None:
        self._snapshot = snapshot
        self._refresh_status = refresh_status
        self._bytes: tuple[str, int] | None = None

    def collect(self) -> Iterator[Metric]:
        snapshot = self._snapshot()
        if snapshot is not None:
            yield from self._index(snapshot)
        status = self._refresh_status()
        if status is not None:
            yield from _refresh(status)

    def _index(self, snapshot: Snapshot) -> Iterator[Metric]:
        manifest = snapshot.manifest
        yield _gauge(
            "citeqa_index_documents",
            "Documents in the snapshot in service.",
            len(snapshot.documents),
        )
        yield _gauge("citeqa_index_chunks", "Chunks in the snapshot in service.", len(snapshot))
        yield _gauge(
            "citeqa_index_sentences",
            "Sentences in the snapshot in service.",
            len(snapshot.sentences),
        )
        yield _gauge(
            "citeqa_index_bytes", "Size on disk of the snapshot in service.", self._size(snapshot)
        )
        info = GaugeMetricFamily(
            "citeqa_snapshot_info",
            "The snapshot in service (always 1); its id and embedding model are labels.",
            labels=["snapshot_id", "embedding_model"],
        )
        info.add_metric([manifest.snapshot_id, manifest.embedding.model_id], 1)
        yield info
        yield _gauge(
            "citeqa_snapshot_created_timestamp_seconds",
            "When the snapshot in service was built (Unix time).",
            _timestamp(manifest.created_at),
        )

    def _size(self, snapshot: Snapshot) -> int:
        if self._bytes is None or self._bytes[0] != snapshot.snapshot_id:
            self._bytes = (snapshot.snapshot_id, _tree_size(snapshot.path))
        return self._bytes[1]


def _refresh(status: RefreshStatus) -> Iterator[Metric]:
    runs = CounterMetricFamily(
        "citeqa_index_refreshes", "Background index refreshes by result.", labels=["result"]
    )
    runs.add_metric(["ok"], status.succeeded)
    runs.add_metric(["failed"], status.failed)
    yield runs
    yield _gauge(
        "citeqa_index_refresh_pending",
        "1 while a refresh is queued or running.",
        int(status.state != "idle"),
    )
    if status.last is not None:
        report = status.last.report
        yield _gauge(
            "citeqa_index_last_refresh_seconds", "Duration of the last refresh.", report.seconds
        )
        yield _gauge(
            "citeqa_index_last_refresh_embedded_chunks",
            "Chunks embedded by the last refresh (unchanged documents are not embedded).",
            report.embedded_chunks,
        )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _tree_size(path: Path | None) -> int:
    if path is None or not path.is_dir():
        return 0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _timestamp(iso: str) -> float:
    try:
        return datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return 0.0
