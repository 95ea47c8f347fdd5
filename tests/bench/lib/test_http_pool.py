"""A benchmark client's pool lets idle connections go before citeqa closes them."""

from __future__ import annotations

from api.settings import ApiSettings
from bench.lib.http_pool import pool_limits


def test_idle_connections_expire_before_the_server_closes_them() -> None:
    limits = pool_limits(8)
    assert limits.max_connections == limits.max_keepalive_connections == 8
    assert limits.keepalive_expiry is not None
    assert 0 < limits.keepalive_expiry < ApiSettings().keep_alive_timeout
