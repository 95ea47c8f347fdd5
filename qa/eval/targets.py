"""What an evaluation asks: a pipeline in this process, or a running server over HTTP.

Both return the `/v1/ask` body with the ranked passages (`include_passages`), and the
wall time of the call as the client sees it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from index.snapshots.snapshot import Snapshot
from qa.pipeline import QAPipeline
from qa.types import Answer

EVAL_TOP_K = 10  # passages asked for (`top_k`): hit@10, MRR@10 and nDCG@10 need ten


@dataclass(frozen=True, slots=True)
class Reply:
    answer: Answer
    latency_ms: float


class Target(Protocol):
    """Answers questions; `snapshot` is the index itself when it is in this process."""

    @property
    def snapshot(self) -> Snapshot | None: ...

    def ask(self, question: str) -> Reply: ...

    def describe(self) -> dict[str, Any]: ...


class InProcessTarget:
    def __init__(self, pipeline: QAPipeline, index_dir: str | None = None) -> None:
        self.pipeline = pipeline
        self.index_dir = index_dir

    @property
    def snapshot(self) -> Snapshot | None:
        return self.pipeline.snapshot

    def ask(self, question: str) -> Reply:
        started = time.perf_counter()
        answer = self.pipeline.ask(question, top_k=EVAL_TOP_K, include_passages=True)
        return Reply(answer, (time.perf_counter() - started) * 1000)

    def describe(self) -> dict[str, Any]:
        manifest = self.pipeline.snapshot.manifest
        return {
            "mode": "in-process",
            "index_dir": self.index_dir,
            "snapshot_id": manifest.snapshot_id,
            "documents": manifest.counts.get("documents", len(manifest.documents)),
            "chunks": manifest.counts.get("chunks"),
        }


class TargetError(RuntimeError):
    """The server could not be asked (unreachable, not ready, or an error reply)."""


class HttpTarget:
    """POST /v1/ask on a running citeqa server."""

    def __init__(self, url: str, timeout: float = 120.0, api_key: str | None = None) -> None:
        self.url = url.rstrip("/")
        headers = {"X-API-Key": api_key} if api_key else {}
        self._client = httpx.Client(base_url=self.url, timeout=timeout, headers=headers)
        self._ready: dict[str, Any] = {}

    @property
    def snapshot(self) -> Snapshot | None:
        return None

    def check_ready(self) -> dict[str, Any]:
        """The server's /readyz body; raises TargetError unless it is ready."""
        try:
            response = self._client.get("/readyz")
        except httpx.HTTPError as exc:
            raise TargetError(f"{self.url} is unreachable: {exc}") from exc
        if response.status_code != 200:
            raise TargetError(f"{self.url} is not ready: {response.status_code} {response.text}")
        body: dict[str, Any] = response.json()
        self._ready = body
        return body

    def ask(self, question: str) -> Reply:
        payload = {"question": question, "top_k": EVAL_TOP_K, "include_passages": True}
        started = time.perf_counter()
        try:
            response = self._client.post("/v1/ask", json=payload)
        except httpx.HTTPError as exc:
            raise TargetError(f"POST {self.url}/v1/ask failed: {exc}") from exc
        latency = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise TargetError(
                f"POST {self.url}/v1/ask answered {response.status_code}: {response.text[:500]}"
            )
        return Reply(Answer.model_validate(response.json()), latency)

    def describe(self) -> dict[str, Any]:
        return {
            "mode": "http",
            "url": self.url,
            "snapshot_id": self._ready.get("snapshot_id"),
            "documents": self._ready.get("documents"),
            "chunks": self._ready.get("chunks"),
        }

    def close(self) -> None:
        self._client.close()
