"""wrk: the Lua script posts each question as valid JSON; the output is parsed."""

from __future__ import annotations

import shutil

import pytest

from bench.lib.wrk import lua_script, parse_wrk, run_wrk
from tests.conftest import LiveServer

WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:1/v1/ask
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   250.10ms   20.00ms 400.00ms   90.00%
  Latency Distribution
     50%  245.50ms
     75%  260.00ms
     90%  280.00ms
     99%    1.20s
  32 requests in 2.01s, 40.00KB read
  Socket errors: connect 0, read 0, write 0, timeout 1
  Non-2xx or 3xx responses: 2
Requests/sec:     15.92
Transfer/sec:     19.90KB
"""


def test_parse_wrk_output() -> None:
    result = parse_wrk(WRK_OUTPUT)
    assert result == {
        "requests_per_s": 15.92,
        "requests": 32.0,
        "latency_ms_p50": 245.5,
        "latency_ms_p99": 1200.0,
        "failed": 3.0,
    }


def test_lua_bodies_escape_quotes_and_non_ascii() -> None:
    script = lua_script(['Who said "hi"?', "Кто?"])
    assert '"{\\"question\\": \\"Who said \\\\\\"hi\\\\\\"?\\"}"' in script
    assert "\\\\u041a" in script  # JSON's \u escape, itself escaped for Lua


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_wrk_posts_questions_to_a_live_server(live_server: LiveServer) -> None:
    questions = ["Where does UNESCO-ICHEI plan an IIOE National Center?", "Где центр IIOE?"]
    result = run_wrk(live_server.url, questions, connections=2, seconds=2)
    assert result["requests"] >= 1
    assert result["failed"] == 0
