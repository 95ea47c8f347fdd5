"""Per-client rate limit: 429 with Retry-After past the limit, per client, "0" = off."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import ValidationError

from api.app import create_app
from api.http.ratelimit import ADMIN_PREFIXES, Rate, TokenBuckets, parse_rate
from api.settings import ApiSettings
from qa.pipeline import QAPipeline


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("120/minute", Rate(120, 60)),
        ("10/second", Rate(10, 1)),
        ("10/s", Rate(10, 1)),
        ("1000 per hour", Rate(1000, 3600)),
        ("5/10minutes", Rate(5, 600)),
        ("2/day", Rate(2, 86400)),
        (" 7 / min ", Rate(7, 60)),
        ("0", None),
        ("off", None),
    ],
)
def test_parse_rate(text: str, rate: Rate | None) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["fast", "120", "120/fortnight", "0/minute", "5/0minutes", "-1/s"])
def test_bad_rate_is_refused_at_start_up(text: str) -> None:
    with pytest.raises(ValueError, match="rate limit"):
        parse_rate(text)
    with pytest.raises(ValidationError):
        ApiSettings(rate_limit=text)


def test_token_bucket_allows_a_burst_then_refills() -> None:
    now = [100.0]
    buckets = TokenBuckets(Rate(3, 60), clock=lambda: now[0])
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(20.0)
    assert buckets.take("b") == 0.0  # another client has its own bucket
    now[0] += 20.0
    assert buckets.take("a") == 0.0
    assert buckets.take("a") > 0


def test_idle_buckets_are_dropped() -> None:
    now = [0.0]
    buckets = TokenBuckets(Rate(1, 1), clock=lambda: now[0])
    for i in range(1023):
        buckets.take(f"client-{i}")
    now[0] += 5
    buckets.take("late")  # a call prunes the buckets idle for over a period
    assert len(buckets._buckets) == 1


def test_over_the_limit_is_429_with_retry_after(pipeline: QAPipeline) -> None:
    app = create_app(ApiSettings(rate_limit="3/minute"), pipeline=pipeline)
    with TestClient(app, client=("203.0.113.7", 4000)) as client:
        for _ in range(3):
            assert client.post("/v1/search", json={"query": "IIOE"}).status_code == 200
        refused = client.post("/v1/search", json={"query": "IIOE"})
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 20
        assert refused.json()["error"]["code"] == "rate_limited"
        assert refused.headers["x-request-id"]
        # Probes are never limited.
        for _ in range(5):
            assert client.get("/healthz").status_code == 200
        metrics = client.get("/metrics").text
    with TestClient(app, client=("203.0.113.8", 4000)) as other:
        assert other.post("/v1/search", json={"query": "IIOE"}).status_code == 200
    samples = {
        (s.labels["route"], s.labels["status"]): s.value
        for family in text_string_to_metric_families(metrics)
        if family.name == "citeqa_http_requests"
        for s in family.samples
        if s.name == "citeqa_http_requests_total"
    }
    assert samples[("/v1/search", "429")] == 1
    assert samples[("/v1/search", "200")] == 3


def test_zero_turns_the_limit_off(pipeline: QAPipeline) -> None:
    app = create_app(ApiSettings(rate_limit="0"), pipeline=pipeline)
    with TestClient(app) as client:
        assert all(client.get("/openapi.json").status_code == 200 for _ in range(50))


def test_the_bucket_table_is_bounded() -> None:
    now = [0.0]
    buckets = TokenBuckets(Rate(2, 60), clock=lambda: now[0], max_clients=100)
    buckets.take("first")
    buckets.take("first")
    for i in range(1_000):
        now[0] += 0.001  # every bucket is still in use: pruning idle ones frees nothing
        buckets.take(f"client-{i}")
    assert len(buckets._buckets) <= 100
    assert buckets.take("client-999") == 0.0  # the most recent ones are kept
    assert buckets.take("client-999") > 0


def test_admin_calls_have_their_own_bucket(pipeline: QAPipeline) -> None:
    settings = ApiSettings(rate_limit="2/minute", admin_rate_limit="3/minute", api_keys=["k"])
    app = create_app(settings, pipeline=pipeline)
    with TestClient(app, client=("203.0.113.9", 4000)) as client:
        for _ in range(2):
            assert client.post("/v1/search", json={"query": "IIOE"}).status_code == 200
        assert client.post("/v1/search", json={"query": "IIOE"}).status_code == 429
        admin = [client.get("/v1/documents", headers={"X-API-Key": "k"}) for _ in range(4)]
        # 503: this app has no index directory, so no admin; the point is that it is not 429.
        assert [r.status_code for r in admin] == [503, 503, 503, 429]
        assert "3 per 60 s" in admin[-1].json()["error"]["message"]
    with TestClient(app, client=("203.0.113.10", 4000)) as client:
        for _ in range(3):
            assert client.get("/v1/index", headers={"X-API-Key": "k"}).status_code == 503
        assert client.get("/v1/index", headers={"X-API-Key": "k"}).status_code == 429
        assert client.post("/v1/search", json={"query": "IIOE"}).status_code == 200


def test_every_admin_route_is_in_the_admin_bucket() -> None:
    from api.routes import documents, refresh

    paths = {route.path for module in (documents, refresh) for route in module.router.routes}
    assert paths
    assert all(path.startswith(ADMIN_PREFIXES) for path in paths), paths


def test_turning_the_rate_limit_off_turns_the_admin_limit_off_too(pipeline: QAPipeline) -> None:
    settings = ApiSettings(rate_limit="0", admin_rate_limit="1/minute", api_keys=["k"])
    with TestClient(create_app(settings, pipeline=pipeline)) as client:
        statuses = {
            client.get("/v1/index", headers={"X-API-Key": "k"}).status_code for _ in range(5)
        }
    assert 429 not in statuses
