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

# Every check on every operation, /v1/chat included: a request the schema allows is
# accepted, one it forbids is refused, and each answer has its documented status, media
# type and body. Two operations are exempt from positive_data_acceptance only, because
# their rule cannot be written in JSON Schema: an upload's type is told by its content (a
# schema-valid file can be refused with 415 or 422), and a chat completion's question is
# its *last* message, which must be the user's.
CONFIG = """
[checks]
enabled = true

[[operations]]
include-path = "/v1/documents"
include-method = "POST"
checks.positive_data_acceptance.enabled = false

[[operations]]
include-path = "/v1/chat/completions"
include-method = "POST"
checks.positive_data_acceptance.enabled = false
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
