"""A build embedded on a real local Ray cluster (a head and a worker on loopback) publishes
the same index as a build in one process: the same tables, vectors within float rounding,
and the same answers."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("ray")

from index.building.builder import IndexBuilder
from index.building.ray_encode import RayEncoding
from index.documents.corpus import load_corpus
from index.settings import IndexSettings
from index.snapshots.repository import SnapshotRepository
from index.text.chunking import SentenceChunker
from qa.eval.datasets import load_dataset
from qa.factory import build_pipeline
from qa.models import Models
from tests.conftest import CORPUS, DATA, free_port

pytestmark = pytest.mark.slow


def ray_start(*args: str, log: Path) -> subprocess.Popen[bytes]:
    """`ray start ... --block` in a process group of its own (stopped by the fixture). Its
    workers run at the test's priority: by default Ray starts them at nice 15, and on a
    machine busy with other jobs importing torch in one took 130 s instead of 5."""
    command = [str(Path(sys.executable).parent / "ray"), "start", "--block", *args]
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0", RAY_worker_niceness="0")
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=out, start_new_session=True)


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[str]:
    """A head and a worker node on 127.0.0.1, one CPU each; yields the head's address."""
    import ray

    # Ray's sockets live under its temp dir and a socket path may not exceed 107 bytes:
    # pytest's own tmp paths (longer under pytest-xdist) made the head exit at start.
    root = Path(tempfile.mkdtemp(prefix="citeqa-ray-", dir="/tmp"))
    port = free_port()
    address = f"127.0.0.1:{port}"
    common = ["--node-ip-address=127.0.0.1", "--num-cpus=1", "--disable-usage-stats"]
    head = ray_start(
        "--head", f"--port={port}", "--include-dashboard=false", f"--temp-dir={root}/t",
        *common, log=root / "head.log",
    )  # fmt: skip
    nodes = [head]
    try:
        wait_for_port(head, port, root / "head.log")
        nodes.append(ray_start(f"--address={address}", *common, log=root / "worker.log"))
        deadline = time.monotonic() + 180
        ray.init(address=address, log_to_driver=False)
        while ray.cluster_resources().get("CPU", 0) < 2:
            assert time.monotonic() < deadline, "the worker node did not join"
            time.sleep(1)
        yield address
    finally:
        ray.shutdown()
        for node in reversed(nodes):
            if node.poll() is None:
                os.killpg(node.pid, signal.SIGTERM)
                node.wait(60)
        shutil.rmtree(root, ignore_errors=True)


def wait_for_port(head: subprocess.Popen[bytes], port: int, log: Path) -> None:
    """Wait until the head listens on `port`; fail with its log if it exits or takes over
    two minutes (`ray.init` would wait for a dead head for ever)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if head.poll() is not None:
            pytest.fail(f"the Ray head exited:\n{log.read_text('utf-8', 'replace')[-3000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    pytest.fail(f"the Ray head did not listen within 120 s:\n{log.read_text('utf-8', 'replace')}")


def test_a_ray_build_equals_a_single_process_build(
    ray_cluster: str, tmp_path: Path, models: Models
) -> None:
    settings = IndexSettings(corpus_dir=CORPUS)
    documents, _ = load_corpus(settings)
    assert models.multilingual is not None
    remote = RayEncoding(
        ray_cluster,
        settings.embedding_model,
        settings.multilingual_model,
        settings.chunker,
    )

    def builder(root: Path, ray: RayEncoding | None) -> IndexBuilder:
        return IndexBuilder(
            SnapshotRepository(root),
            models.embedder,
            SentenceChunker(settings.chunker),
            multilingual=models.multilingual,
            progress=False,
            remote=ray,
        )

    local, _ = builder(tmp_path / "local", None).build(documents)
    distributed, report = builder(tmp_path / "ray", remote).build(documents)
    assert report.embedded_chunks == len(local)
    assert distributed.documents == local.documents
    assert distributed.chunks.tolist() == local.chunks.tolist()
    assert distributed.sentences.tolist() == local.sentences.tolist()
    assert set(distributed.vectors) == set(local.vectors)
    for name, vectors in local.vectors.items():
        cosines = np.sum(np.asarray(distributed.vectors[name]) * np.asarray(vectors), axis=1)
        assert float(cosines.min()) > 0.9999, name
    # The statistics add up (an actor that became ready after the other had taken every
    # batch has none: its node is in the cluster, checked by the fixture).
    assert 1 <= len(remote.stats.workers) <= 2
    assert sum(w.chunks for w in remote.stats.workers.values()) == len(local)
    print("\n".join(remote.stats.describe()))
    # The same answers to corpus questions in English, Russian and Kazakh (12 of each: all
    # 136 took over 20 minutes on a busy 2-core machine; bench runs ask more).
    questions = [
        q.question
        for lang in ("en", "ru", "kk")
        for q in load_dataset(DATA / f"corpus_questions.{lang}.jsonl").questions[:12]
    ]
    one, many = build_pipeline(local, models=models), build_pipeline(distributed, models=models)
    for question in questions:
        a, b = one.ask(question), many.ask(question)
        assert (b.answer, b.abstained) == (a.answer, a.abstained), question
        assert [(c.doc_id, c.start, c.end) for c in b.citations] == [
            (c.doc_id, c.start, c.end) for c in a.citations
        ], question
