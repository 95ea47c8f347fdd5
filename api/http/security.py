"""Admin access: API keys from CITEQA_API_KEYS, sent as `X-API-Key: KEY` or
`Authorization: Bearer KEY`. No key is 401, a wrong key 403; with no keys configured the
admin routes are off (403). Keys are compared in constant time."""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from typing import Annotated

from fastapi import Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.http.errors import ApiError
from api.state import get_settings

api_key_header = APIKeyHeader(
    name="X-API-Key",
    scheme_name="ApiKey",
    description="One of the keys in CITEQA_API_KEYS.",
    auto_error=False,
)
bearer_token = HTTPBearer(
    scheme_name="BearerKey",
    description="One of the keys in CITEQA_API_KEYS, as `Authorization: Bearer KEY`.",
    auto_error=False,
)


def require_api_key(
    request: Request,
    api_key: Annotated[str | None, Security(api_key_header)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_token)],
) -> None:
    """The dependency of every admin route."""
    keys = get_settings(request).api_keys
    if not keys:
        raise ApiError(
            403, "admin_disabled", "the admin API is off: set CITEQA_API_KEYS to turn it on"
        )
    presented = api_key or (bearer.credentials if bearer else None)
    if not presented:
        raise ApiError(
            401,
            "unauthorized",
            "an API key is required: send X-API-Key: KEY or Authorization: Bearer KEY",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not key_matches(presented, keys):
        raise ApiError(403, "forbidden", "the API key is not valid")


def key_matches(presented: str, keys: Sequence[str]) -> bool:
    """Constant-time comparison against every configured key (no early exit)."""
    candidate = presented.encode("utf-8")
    matched = False
    for key in keys:
        matched |= hmac.compare_digest(candidate, key.encode("utf-8"))
    return matched
