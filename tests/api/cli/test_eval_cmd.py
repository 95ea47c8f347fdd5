"""`citeqa eval` as a user runs it: SQuAD and JSONL data, in process and against
`citeqa serve`, reports, --compare and --fail-under. Runs the commands of the example
"eval-runs" in docs/evaluation-and-benchmarks.md."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from qa.eval.aggregate import ABSTENTION_METRICS, ALL_METRICS, LATENCY_METRICS
from tests.api.cli.in_process import invoke
from tests.conftest import REPO, free_port, wait_until_ready
from tests.docs.examples import commands, example

pytestmark = pytest.mark.slow

CITEQA = [sys.executable, "-m", "api.cli"]
DATA = REPO / "tests" / "data"
QUESTION_FIELDS = {
    "id",
    "question",
    "answers",
    "unanswerable",
    "answer",
    "abstained",
    "citations",
    "retrieved",
    "latency_ms",
}


def documented(index: int, reports: Path, url: str = "") -> list[str]:
    """Command `index` of the documented example, its `reports/` folder moved to `reports`
    and its server to `url`."""
    argv = commands(example("eval-runs"))[index].argv
    assert argv[0] == "citeqa"
    moved = [a.replace("reports/", f"{reports}/") for a in argv[1:]]
    return [a.replace("http://127.0.0.1:8000", url) if url else a for a in moved]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A private eval cache and default index folder for this module's commands."""
    return {
        "CITEQA_EVAL_CACHE": str(tmp_path_factory.mktemp("eval-cache")),
        "CITEQA_INDEX_DIR": str(tmp_path_factory.mktemp("index")),
        "CITEQA_RATE_LIMIT": "0",
    }


def citeqa(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CITEQA, *args],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=REPO,
        env={**os.environ, **env},
        check=False,
    )


@pytest.fixture(scope="module")
def base_report(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`citeqa eval tests/data/squad_v2_slice.json --limit 40 --out reports/base`."""
    reports = tmp_path_factory.mktemp("reports")
    out = reports / "base"
    result = citeqa(env, *documented(0, reports))
    assert result.returncode == 0, result.stderr
    assert "33 added" in result.stderr
    assert f"wrote {out}/report.json" in result.stdout
    return out


def test_squad_eval_writes_the_three_files(base_report: Path) -> None:
    report = json.loads((base_report / "report.json").read_text())
    assert list(report["metrics"]) == list(ALL_METRICS)  # v2.0: abstention metrics too
    metrics = report["metrics"]
    assert metrics["count"] == 40
    for name, value in metrics.items():
        if name not in (*LATENCY_METRICS, "count"):
            assert 0.0 <= value <= 1.0, name
    assert report["dataset"]["format"] == "squad"
    assert report["dataset"]["documents"] == 33
    # As `citeqa index` does: the multilingual vectors are a retrieval list for English too.
    assert report["settings"]["index"]["multilingual"]["model_id"].endswith("multilingual-e5-small")
    assert report["versions"]["python"]
    assert report["versions"]["models"]["embedding"]["model_id"].endswith("all-MiniLM-L6-v2")
    rows = [json.loads(line) for line in (base_report / "questions.jsonl").read_text().splitlines()]
    assert len(rows) == 40
    assert all(set(row) >= QUESTION_FIELDS for row in rows)
    assert any(row["unanswerable"] for row in rows)
    assert all(len(row["retrieved"]) == 10 for row in rows)
    page = (base_report / "report.html").read_text()
    assert len(re.findall(r"src='data:image/png;base64,", page)) == 3
    assert "Worst misses" in page


def test_a_second_run_reuses_the_cached_index(
    env: dict[str, str], base_report: Path, tmp_path: Path
) -> None:
    """The v1.1 slice has the same paragraphs as the v2.0 slice: same cache entry."""
    result = citeqa(
        env, "eval", "tests/data/squad_slice.json", "--limit", "5", "--out", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    assert "is up to date" in result.stderr
    metrics = json.loads((tmp_path / "report.json").read_text())["metrics"]
    assert not set(ABSTENTION_METRICS) & set(metrics)  # v1.1: no unanswerable questions


def test_compare_and_fail_under(env: dict[str, str], base_report: Path, tmp_path: Path) -> None:
    """The regression check with --compare and two --fail-under thresholds."""
    out = base_report.parent / "new"
    command = documented(1, base_report.parent)
    assert command[command.index("--compare") + 1] == str(base_report / "report.json")
    result = citeqa(env, *command)
    assert result.returncode == 0, result.stderr
    assert "compared with" in result.stdout
    assert re.search(r"hit@5\s+\S+\s+\S+\s+\+0\.0000", result.stdout)
    assert "<th>baseline</th>" in (out / "report.html").read_text()
    args = command[: command.index("--compare")]
    short = citeqa(env, *args, "--fail-under", "hit@5=1.01", "--fail-under", "count=1")
    assert short.returncode == 1
    assert "fail-under: hit@5 = " in short.stderr
    assert "fail-under: count" not in short.stderr


@pytest.fixture(scope="module")
def corpus_index(env: dict[str, str]) -> Path:
    """`citeqa index --corpus corpus` (into CITEQA_INDEX_DIR)."""
    result = citeqa(env, *documented(2, REPO))
    assert result.returncode == 0, result.stderr
    return Path(env["CITEQA_INDEX_DIR"])


@pytest.fixture(scope="module")
def server(env: dict[str, str], corpus_index: Path) -> Iterator[str]:
    """`citeqa serve` over the same index."""
    assert commands(example("eval-runs"))[4].background
    port = free_port()
    process = subprocess.Popen(
        [*CITEQA, *documented(4, REPO), "--port", str(port)],
        cwd=REPO,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, process, timeout=300)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_jsonl_in_process_and_over_http(
    env: dict[str, str], corpus_index: Path, server: str, tmp_path: Path
) -> None:
    """The corpus questions against the index, then against the server."""
    local = citeqa(env, *documented(3, tmp_path))
    assert local.returncode == 0, local.stderr
    remote = citeqa(env, *documented(5, tmp_path, server))
    assert remote.returncode == 0, remote.stderr
    folders = ("corpus", "corpus-http")
    reports = [json.loads((tmp_path / d / "report.json").read_text()) for d in folders]
    for name in set(ALL_METRICS) - set(LATENCY_METRICS):
        assert reports[0]["metrics"][name] == reports[1]["metrics"][name], name
    assert reports[0]["target"]["mode"] == "in-process"
    assert reports[1]["target"]["mode"] == "http"
    assert reports[1]["details"]["citations_unverifiable"] == 0


def test_bad_invocations_fail_before_asking(env: dict[str, str], tmp_path: Path) -> None:
    cases = [
        (["eval", str(tmp_path / "none.json")], "cannot read the file"),
        (["eval", f"{DATA}/squad_slice.json", "--fail-under", "hit@7=1"], "unknown metric"),
        (
            ["eval", f"{DATA}/squad_slice.json", "--compare", str(tmp_path)],
            "cannot read the report",
        ),
        (
            ["eval", f"{DATA}/squad_slice.json", "--index-dir", "x", "--url", "http://x"],
            "either --index-dir or --url",
        ),
        (
            [
                "eval",
                f"{DATA}/corpus_questions.en.jsonl",
                "--url",
                f"http://127.0.0.1:{free_port()}",
            ],
            "unreachable",
        ),
        (
            [
                "eval",
                f"{DATA}/corpus_questions.en.jsonl",
                "--index-dir",
                str(tmp_path / "empty"),
            ],
            "no snapshot has been built",
        ),
    ]
    for args, message in cases:
        # In process: each fails before a model or an index is loaded.
        result = invoke(*args, "--out", str(tmp_path / "out"), env=env)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert not (tmp_path / "out").exists()
