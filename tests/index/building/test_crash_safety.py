"""A real `citeqa index` killed with SIGKILL at several points never takes the last good
snapshot out of service, and the next rebuild completes; a damaged file is caught at load."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.settings import ApiSettings
from index.documents.corpus import load_corpus
from index.settings import IndexSettings
from index.snapshots.repository import SnapshotRepository
from index.snapshots.snapshot import Snapshot
from qa.factory import build_pipeline
from qa.models import Models
from tests.conftest import CORPUS, LiveServer, make_test_builder

CITEQA = Path(sys.executable).parent / "citeqa"
CORPUS_QUESTION = "Where does UNESCO-ICHEI plan to establish an IIOE National Center?"
RIVERS = ["Velsa", "Karrow", "Omidel", "Trusk", "Fenwater", "Ilmar", "Dovra", "Quelle"]
TOWNS = ["Tarnowick", "Bellmoor", "Asgrove", "Pellin", "Rudgate", "Haskeep", "Orvale", "Cindra"]

pytestmark = pytest.mark.slow

Probe = Callable[[Path, Path], bool]


def extra_documents(corpus: Path, count: int = 12) -> None:
    """Documents with made-up facts, so that a rebuild has real embedding work to do."""
    for i in range(count):
        river, town = RIVERS[i % len(RIVERS)], TOWNS[(i * 3) % len(TOWNS)]
        sentences = [
            f"Report {i} describes the river {river}{i} near the town of {town}{i}.",
            f"The river {river}{i} is {12 + i} kilometres long and freezes every January.",
            f"The town of {town}{i} built its first stone bridge over it in {1700 + 7 * i}.",
            f"Fishermen of {town}{i} sell trout from the {river}{i} at a market on Tuesdays.",
            f"A ferry named Gull {i} crossed the {river}{i} until the bridge was widened.",
        ]
        (corpus / f"report-{i:02d}.txt").write_text(" ".join(sentences * 3), "utf-8")


def start_index(corpus: Path, index_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    with log.open("wb") as handle:
        return subprocess.Popen(
            [str(CITEQA), "index", "--corpus", str(corpus), "--index-dir", str(index_dir)],
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=env,
        )


def after(seconds: float) -> Probe:
    started = time.monotonic()
    return lambda _index, _log: time.monotonic() - started >= seconds


def log_shows(text: bytes) -> Probe:
    return lambda _index, log: text in log.read_bytes()


def staging_has(name: str) -> Probe:
    """True once a snapshot is being written (`name` exists in its staging folder)."""

    def probe(index_dir: Path, _log: Path) -> bool:
        snapshots = index_dir / "snapshots"
        if not snapshots.is_dir():
            return False
        return any((tmp / name).exists() for tmp in snapshots.glob(".tmp-*"))

    return probe


def kill_when(process: subprocess.Popen[bytes], probe: Probe, index: Path, log: Path) -> bool:
    """SIGKILL `process` as soon as `probe` holds; False if it ended first."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if probe(index, log):
            process.send_signal(signal.SIGKILL)
            process.wait(30)
            return True
        time.sleep(0.001)
    process.kill()
    raise AssertionError("the probe never held")


def assert_serves(repository: SnapshotRepository, models: Models, snapshot_id: str) -> Snapshot:
    """Every complete snapshot verifies, and the one in service answers."""
    for other in repository.snapshot_ids():
        Snapshot.load(repository.snapshots / other)
    snapshot = repository.load_current()
    assert snapshot.snapshot_id == snapshot_id
    answer = build_pipeline(snapshot, models=models).ask(CORPUS_QUESTION)
    assert "Uzbekistan" in answer.answer
    return snapshot


def test_killed_rebuilds_leave_the_last_good_snapshot_in_service(
    tmp_path: Path, models: Models
) -> None:
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(CORPUS, corpus)
    documents, _ = load_corpus(IndexSettings(corpus_dir=corpus))
    good, _ = make_test_builder(index_dir, models).build(documents)
    repository = SnapshotRepository(index_dir)
    extra_documents(corpus)
    probes = {
        "while starting up": after(1.0),
        "while embedding": log_shows(b"embedding"),
        "when the snapshot folder is created": staging_has("."),
        "after the manifest, before the rename": staging_has("manifest.json"),
    }
    landed: list[str] = []
    for name, probe in probes.items():
        for attempt in range(3):
            log = tmp_path / f"index-{len(landed)}-{attempt}.log"
            process = start_index(corpus, index_dir, log)
            killed = kill_when(process, probe, index_dir, log)
            if killed:
                assert_serves(repository, models, good.snapshot_id)
                landed.append(name)
                break
            # The build won the race: it must have published completely.
            assert process.returncode == 0, log.read_text("utf-8", "replace")
            good = assert_serves(repository, models, repository.current_id() or "")
            shutil.rmtree(index_dir)
            good, _ = make_test_builder(index_dir, models).build(documents)
    assert len(landed) >= 3, landed

    with LiveServer(
        create_app(
            ApiSettings(rate_limit="0"),
            loader=lambda: build_pipeline(repository.load_current(), models=models),
        )
    ) as server:
        assert _ready(server.url)["snapshot_id"] == good.snapshot_id
        answer = httpx.post(server.url + "/v1/ask", json={"question": CORPUS_QUESTION}, timeout=60)
        assert answer.status_code == 200
        assert "Uzbekistan" in answer.json()["answer"]

    log = tmp_path / "index-final.log"
    final = start_index(corpus, index_dir, log)
    assert final.wait(600) == 0, log.read_text("utf-8", "replace")
    assert "12 added, 0 updated, 0 removed, 1 unchanged" in log.read_text("utf-8")
    fresh = repository.load_current()
    assert fresh.snapshot_id != good.snapshot_id
    assert len(fresh.documents) == 13
    assert not list((index_dir / "snapshots").glob(".tmp-*"))
    reply = build_pipeline(fresh, models=models).ask("How long is the river Trusk3?")
    assert "15 kilometres" in reply.answer


def test_damaged_snapshot_is_reported_and_the_previous_one_served(
    tmp_path: Path, models: Models, caplog: pytest.LogCaptureFixture
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    documents, _ = load_corpus(IndexSettings(corpus_dir=corpus))
    builder = make_test_builder(tmp_path / "index", models)
    first, _ = builder.build(documents)
    extra_documents(corpus, count=2)
    second, _ = builder.build(load_corpus(IndexSettings(corpus_dir=corpus))[0])
    assert second.path is not None
    damaged = second.path / "dense.faiss"
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0x5A
    damaged.write_bytes(bytes(data))
    repository = SnapshotRepository(tmp_path / "index")

    caplog.set_level(logging.WARNING, logger="index.snapshots.repository")
    app = create_app(
        ApiSettings(rate_limit="0"),
        loader=lambda: build_pipeline(repository.load_current(), models=models),
    )
    with LiveServer(app) as server:
        assert _ready(server.url)["snapshot_id"] == first.snapshot_id
        answer = httpx.post(server.url + "/v1/ask", json={"question": CORPUS_QUESTION}, timeout=60)
        assert "Uzbekistan" in answer.json()["answer"]
    messages = [r.getMessage() for r in caplog.records]
    assert any(
        second.snapshot_id in m and "dense.faiss is damaged (checksum mismatch)" in m
        for m in messages
    ), messages
    assert any(f"serving snapshot {first.snapshot_id} instead of" in m for m in messages)

    third, report = builder.build(load_corpus(IndexSettings(corpus_dir=corpus))[0])
    assert report.embedded_chunks > 0  # rebuilt from the good snapshot, not the damaged one
    assert repository.load_current().snapshot_id == third.snapshot_id


def _ready(url: str, timeout: float = 120) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = httpx.get(url + "/readyz", timeout=10)
        if response.status_code == 200:
            body: dict[str, object] = response.json()
            return body
        assert response.json()["status"] == "loading", response.text
        time.sleep(0.1)
    raise AssertionError("the server did not become ready")
