"""bench/load.py: a short run against a live server, with its two refreshes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.load import main, percentile
from qa.models import Models
from tests.api.admin_support import KEY, admin_app, make_index
from tests.conftest import LiveServer


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile([3.0], 99) == 3.0


@pytest.mark.slow
def test_short_run_has_no_errors_and_both_refreshes_finish(tmp_path: Path, models: Models) -> None:
    settings = make_index(tmp_path / "index", models)
    out = tmp_path / "load.json"
    with LiveServer(admin_app(settings, models)) as server:
        code = main(
            [
                "--url",
                server.url,
                "--clients",
                "3",
                "--duration",
                "4",
                "--api-key",
                KEY,
                "--out",
                str(out),
            ]
        )
    summary = json.loads(out.read_text("utf-8"))
    assert code == 0, summary
    assert summary["errors"] == 0
    assert summary["requests"] >= 3
    assert summary["latency"]["p50_ms"] > 0
    upload, delete = summary["refreshes"]
    assert upload["action"] == "upload"
    assert delete["action"] == "delete"
    assert upload["snapshot_after"] != upload["snapshot_before"]
    assert delete["snapshot_after"] != upload["snapshot_after"]
    assert upload["embedded_chunks"] >= 1
