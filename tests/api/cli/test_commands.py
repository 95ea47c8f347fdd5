"""`citeqa index`, `citeqa ask --json` and `citeqa serve` as a user runs them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.api.cli.in_process import invoke
from tests.conftest import CORPUS, free_port, wait_until_ready

# Most of these start `citeqa` processes, each loading the models.
pytestmark = pytest.mark.slow

CITEQA = [sys.executable, "-m", "api.cli"]
QUESTION = "Where does UNESCO-ICHEI plan to establish an IIOE National Center?"
DOCUMENT = (CORPUS / "unesco-ichei-iioe-central-asia.txt").read_text(encoding="utf-8")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CITEQA, *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
        check=False,
    )


def run_reporting_torch(*args: str) -> subprocess.CompletedProcess[str]:
    """`citeqa ARGS`, printing at exit whether torch was imported."""
    script = (
        "import atexit, runpy, sys; "
        "atexit.register(lambda: print('torch imported:', 'torch' in sys.modules)); "
        f"sys.argv = ['citeqa', *{list(args)!r}]; runpy.run_module('api.cli', run_name='__main__')"
    )
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def built_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    corpus = tmp_path_factory.mktemp("corpus")
    for path in CORPUS.iterdir():
        shutil.copy(path, corpus / path.name)
    index_dir = tmp_path_factory.mktemp("index")
    result = run("index", "--corpus", str(corpus), "--index-dir", str(index_dir))
    assert result.returncode == 0, result.stderr
    assert "1 added" in result.stdout
    return corpus, index_dir


def test_index_is_incremental_and_reports_changes(built_index: tuple[Path, Path]) -> None:
    corpus, index_dir = built_index
    again = run("index", "--corpus", str(corpus), "--index-dir", str(index_dir))
    assert again.returncode == 0, again.stderr
    assert "0 added, 0 updated, 0 removed, 1 unchanged" in again.stdout
    assert "(0 embedded)" in again.stdout


def test_index_reports_the_whole_time_and_loads_no_model_when_nothing_changed(
    built_index: tuple[Path, Path],
) -> None:
    """The printed seconds are the process's own (imports included; it printed 0.1 s after
    33 s), and with nothing changed no embedder is loaded, so torch is never imported."""
    corpus, index_dir = built_index
    started = time.perf_counter()
    result = run_reporting_torch("index", "--corpus", str(corpus), "--index-dir", str(index_dir))
    wall = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    assert "1 unchanged" in result.stdout
    assert "torch imported: False" in result.stdout
    seconds = re.search(r"; ([\d.]+) s; snapshot", result.stdout)
    assert seconds is not None, result.stdout
    assert 0.5 * wall <= float(seconds.group(1)) <= wall + 0.1, (seconds.group(1), wall)


def test_ask_reads_a_russian_question_without_importing_torch(
    built_index: tuple[Path, Path],
) -> None:
    """The reader of a one-off question runs from its ONNX export (CITEQA_READER_PRECISION
    auto is float32 for `citeqa ask`), so torch is not imported: a cold question is 4 s
    sooner. The first run may make the export (with torch), the second reads it."""
    _, index_dir = built_index
    question = "Где ЮНЕСКО-ИКВО планирует создать национальный центр IIOE?"
    first = run("ask", question, "--json", "--index-dir", str(index_dir))
    assert first.returncode == 0, first.stderr
    second = run_reporting_torch("ask", question, "--index-dir", str(index_dir))
    assert second.returncode == 0, second.stderr
    assert "Uzbekistan" in second.stdout
    assert "torch imported: False" in second.stdout


def test_ask_json_prints_the_http_body(built_index: tuple[Path, Path]) -> None:
    _, index_dir = built_index
    result = run("ask", QUESTION, "--json", "--index-dir", str(index_dir))
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert set(body) == {
        "answer",
        "abstained",
        "citations",
        "confidence",
        "short_answer",
        "timings_ms",
    }
    assert body["short_answer"]["text"] == "Uzbekistan"
    assert "Uzbekistan" in body["answer"]
    for citation in body["citations"]:
        assert DOCUMENT[citation["start"] : citation["end"]] == citation["quote"]


def test_ask_prints_answer_and_sources(built_index: tuple[Path, Path]) -> None:
    _, index_dir = built_index
    result = run("ask", QUESTION, "--index-dir", str(index_dir))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Uzbekistan [")  # the short answer comes first
    assert "[1] UNESCO-ICHEI introduced IIOE to Central Asian countries" in result.stdout
    assert "Loading weights" not in result.stderr  # no model-loading progress bar


def test_ask_top_k_prints_that_many_passages(built_index: tuple[Path, Path]) -> None:
    """`--top-k N`: the N best-ranked passages after the sources (`passages` with --json),
    the answer unchanged."""
    _, index_dir = built_index
    result = run("ask", QUESTION, "--json", "--top-k", "2", "--index-dir", str(index_dir))
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert len(body["passages"]) == 2
    for passage in body["passages"]:
        assert DOCUMENT[passage["start"] : passage["end"]] == passage["text"]
    assert "Uzbekistan" in body["passages"][0]["text"]
    printed = run("ask", QUESTION, "--top-k", "3", "--index-dir", str(index_dir))
    assert printed.returncode == 0, printed.stderr
    answer, passages = printed.stdout.split("\nPassages:\n")
    assert answer.startswith("Uzbekistan [")
    lines = passages.splitlines()
    assert [line.split(". ", 1)[0] for line in lines] == ["1", "2", "3"]
    first = body["passages"][0]
    assert lines[0].startswith(f"1. {first['title']} ({first['source']}, characters ")


def test_bad_invocations_fail_clearly(tmp_path: Path) -> None:
    """In process: each fails before a model or an index is loaded."""
    missing = invoke("index", "--corpus", str(tmp_path / "nope"), "--index-dir", str(tmp_path))
    assert missing.returncode == 2
    assert "does not exist" in missing.stderr
    empty = invoke("ask", "   ", "--index-dir", str(tmp_path))
    assert empty.returncode == 2
    for top_k in ("0", "51", "two"):
        bad_top_k = invoke("ask", QUESTION, "--top-k", top_k, "--index-dir", str(tmp_path))
        assert bad_top_k.returncode == 2
        assert "--top-k" in bad_top_k.stderr
    no_index = invoke("ask", QUESTION, "--index-dir", str(tmp_path / "none"))
    assert no_index.returncode != 0
    assert "no snapshot has been built" in no_index.stderr


def test_serve_answers_the_same_as_ask(built_index: tuple[Path, Path]) -> None:
    _, index_dir = built_index
    port = free_port()
    server = subprocess.Popen(
        [*CITEQA, "serve", "--port", str(port), "--index-dir", str(index_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_ready(url, server, timeout=180)
        body = httpx.post(url + "/v1/ask", json={"question": QUESTION}, timeout=60).json()
        cli = json.loads(run("ask", QUESTION, "--json", "--index-dir", str(index_dir)).stdout)
        # The one question of `citeqa ask` is read in float32 (onnxruntime), a server's in
        # bfloat16 where the CPU has it: the reader's score may differ in its rounding.
        scores = [payload["short_answer"].pop("score") for payload in (body, cli)]
        assert scores[0] == pytest.approx(scores[1], abs=0.02)
        for payload in (body, cli):
            payload.pop("timings_ms")
        assert body == cli
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_index_skips_hostile_files_with_their_reasons_and_exits_0(tmp_path: Path) -> None:
    from tests.index.loaders.test_hostile_documents import alias_bomb, deep_html, deep_yaml

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "bomb.md").write_text(alias_bomb(7), "utf-8")
    (corpus / "deep.html").write_text(deep_html(3_000), "utf-8")
    (corpus / "deep.md").write_text(deep_yaml(3_000), "utf-8")
    (tmp_path / "secret.txt").write_text("The vault code is 0451.", "utf-8")
    os.symlink(tmp_path / "secret.txt", corpus / "secret.txt")
    result = run("index", "--corpus", str(corpus), "--index-dir", str(tmp_path / "index"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "1 added" in result.stdout
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    assert sorted(line.split(":")[0] for line in skipped) == [
        "skipped bomb.md",
        "skipped deep.html",
        "skipped deep.md",
        "skipped secret.txt",
    ]
