"""X-Forwarded-For is believed only from CITEQA_TRUSTED_PROXIES (default: nobody), over
real HTTP as `citeqa serve` runs the app: a client cannot buy a fresh rate-limit bucket by
naming itself, and the access log records the real peer."""

from __future__ import annotations

import logging

import httpx
import pytest
from pydantic import ValidationError

from api.app import create_app
from api.settings import ApiSettings
from qa.pipeline import QAPipeline
from tests.conftest import LiveServer


def search_as(client: httpx.Client, forwarded_for: str) -> int:
    headers = {"X-Forwarded-For": forwarded_for}
    return client.post("/v1/search", json={"query": "IIOE"}, headers=headers).status_code


def access_clients(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    return [
        (record.client, record.peer)  # type: ignore[attr-defined]
        for record in caplog.records
        if record.name == "citeqa.access" and record.path == "/v1/search"  # type: ignore[attr-defined]
    ]


def test_forwarded_for_from_an_untrusted_peer_is_ignored(
    pipeline: QAPipeline, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="citeqa.access")
    app = create_app(ApiSettings(rate_limit="2/minute"), pipeline=pipeline)
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        statuses = [search_as(client, f"198.51.100.{i}") for i in range(1, 4)]
    assert statuses == [200, 200, 429]
    assert access_clients(caplog) == [("127.0.0.1", "127.0.0.1")] * 3


def test_forwarded_for_from_a_trusted_proxy_names_the_client(
    pipeline: QAPipeline, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="citeqa.access")
    settings = ApiSettings(rate_limit="2/minute", trusted_proxies=["127.0.0.0/8"])
    app = create_app(settings, pipeline=pipeline)
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        # Each named client has its own bucket; the proxy's own address is skipped.
        assert [search_as(client, f"198.51.100.{i}, 127.0.0.1") for i in range(1, 4)] == [200] * 3
        assert [search_as(client, "198.51.100.1") for _ in range(2)] == [200, 429]
    assert access_clients(caplog)[:3] == [
        ("198.51.100.1", "127.0.0.1"),
        ("198.51.100.2", "127.0.0.1"),
        ("198.51.100.3", "127.0.0.1"),
    ]


@pytest.mark.parametrize("value", ["*", "proxy.example", "10.0.0.0/33"])
def test_trusted_proxies_must_be_addresses_or_networks(value: str) -> None:
    with pytest.raises(ValidationError, match="CITEQA_TRUSTED_PROXIES"):
        ApiSettings(trusted_proxies=[value])
