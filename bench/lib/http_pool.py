"""The connection pool of a benchmark's HTTP client."""

from __future__ import annotations

import httpx

from api.settings import ApiSettings

# citeqa closes a connection left idle for `keep_alive_timeout` seconds. A client that
# reuses one just as the server closes it reads a closed socket (httpx.ReadError, which
# failed a soak run once), so the pool lets idle connections go at half that.
KEEPALIVE_EXPIRY = ApiSettings.model_fields["keep_alive_timeout"].default / 2


def pool_limits(connections: int) -> httpx.Limits:
    """At most `connections` open and kept, idle ones dropped before the server drops them."""
    return httpx.Limits(
        max_connections=connections,
        max_keepalive_connections=connections,
        keepalive_expiry=KEEPALIVE_EXPIRY,
    )
