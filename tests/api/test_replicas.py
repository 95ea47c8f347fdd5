"""Two `citeqa serve` replicas share one Milvus (Lite, served by `citeqa milvus-lite`):
a document uploaded through one is answered by the other, and deleted through the other,
without restarts; each replica keeps nothing on its local disk that the other needs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.admin_support import AUTH, CORPUS_ANSWER, CORPUS_QUESTION, KEY, upload
from tests.conftest import CORPUS, free_port, wait_until_ready

pytestmark = pytest.mark.slow

CITEQA = Path(sys.executable).parent / "citeqa"
COLOUR_QUESTION = "What colour was the Glimmerfen lighthouse painted?"
LIGHTHOUSE = (
    "Glimmerfen lighthouse\nThe Glimmerfen lighthouse was painted teal in 1987 by Orla Vance. "
    "Visitors climb 131 steps to reach the gallery at the top of the tower."
)


class Process:
    """A citeqa command in the background, its output in a log file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("wb") as handle:
            self.process = subprocess.Popen(
                [str(CITEQA), *args], env=env, stdout=handle, stderr=subprocess.STDOUT
            )

    def output(self) -> str:
        return self.log.read_text("utf-8", "replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def milvus(tmp_path: Path) -> Iterator[str]:
    """`citeqa milvus-lite` on a free loopback port; its URI."""
    port = free_port()
    lite = Process(
        ["milvus-lite", "--db", str(tmp_path / "milvus.db"), "--port", str(port)],
        dict(os.environ),
        tmp_path / "milvus.log",
    )
    deadline = time.monotonic() + 60
    while "serving" not in lite.output():
        assert lite.process.poll() is None, lite.output()
        assert time.monotonic() < deadline, lite.output()
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    lite.stop()


def environment(uri: str, index_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "CITEQA_VECTOR_STORE": "milvus",
        "CITEQA_MILVUS_URI": uri,
        "CITEQA_MILVUS_POLL_SECONDS": "0.5",
        "CITEQA_INDEX_DIR": str(index_dir),
        "CITEQA_CORPUS_DIR": str(index_dir / "no-corpus-here"),
        "CITEQA_API_KEYS": KEY,
        "CITEQA_RATE_LIMIT": "0",
    }


def eventually_answers(client: httpx.Client, question: str, fact: str, present: bool) -> None:
    deadline = time.monotonic() + 120
    answer = ""
    while time.monotonic() < deadline:
        response = client.post("/v1/ask", json={"question": question})
        assert response.status_code == 200, response.text
        answer = response.json()["answer"]
        if (fact in answer) == present:
            return
        time.sleep(0.5)
    raise AssertionError(f"{question!r} -> {answer!r}")


def test_a_document_uploaded_to_one_replica_is_answered_by_the_other(
    tmp_path: Path, milvus: str
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    job_env = environment(milvus, tmp_path / "job")
    indexing = subprocess.run(
        [str(CITEQA), "index", "--corpus", str(corpus)],
        env=job_env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert indexing.returncode == 0, indexing.stderr
    assert "1 added" in indexing.stdout

    replicas = []
    try:
        for name in ("a", "b"):
            port = free_port()
            process = Process(
                ["serve", "--port", str(port)],
                environment(milvus, tmp_path / f"replica-{name}"),
                tmp_path / f"replica-{name}.log",
            )
            replicas.append((f"http://127.0.0.1:{port}", process))
        for url, process in replicas:
            wait_until_ready(url, process.process, timeout=300, output=process.output)
        (url_a, _), (url_b, _) = replicas
        with (
            httpx.Client(base_url=url_a, timeout=120) as a,
            httpx.Client(base_url=url_b, timeout=120) as b,
        ):
            assert CORPUS_ANSWER in b.post("/v1/ask", json={"question": CORPUS_QUESTION}).text
            response = upload(a, "glimmerfen.txt", LIGHTHOUSE)
            assert response.status_code == 202, response.text
            eventually_answers(b, COLOUR_QUESTION, "teal", present=True)
            info = b.get("/v1/documents/glimmerfen.txt", headers=AUTH).json()
            assert (info["origin"], info["status"]) == ("upload", "indexed")

            assert b.delete("/v1/documents/glimmerfen.txt", headers=AUTH).status_code == 202
            eventually_answers(a, COLOUR_QUESTION, "teal", present=False)
            assert CORPUS_ANSWER in a.post("/v1/ask", json={"question": CORPUS_QUESTION}).text
            assert a.get("/v1/documents/glimmerfen.txt", headers=AUTH).status_code == 404
    finally:
        for _, process in replicas:
            process.stop()
    for name in ("a", "b"):  # nothing of the index was written to a replica's folder
        assert not (tmp_path / f"replica-{name}" / "snapshots").exists()
