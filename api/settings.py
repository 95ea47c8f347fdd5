"""Service settings from `CITEQA_*` environment variables: every bound on what a client
can send or hold (docs/limits.md lists them with the bounds of the other settings)."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from api.http.ratelimit import parse_rate


class ApiSettings(BaseSettings):
    """Bounds, access control and network settings of the HTTP service."""

    model_config = SettingsConfigDict(env_prefix="CITEQA_", extra="ignore")

    host: str = Field(default="127.0.0.1", description="Where `citeqa serve` listens.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port of `citeqa serve`.")
    max_question_chars: int = Field(default=4000, ge=1, description="Longest question accepted.")
    max_top_k: int = Field(
        default=50, ge=1, description="Largest `top_k` (ranked passages returned) accepted."
    )
    max_body_bytes: int = Field(
        default=1 << 20, ge=1024, description="Largest request body, in bytes (413 beyond)."
    )
    max_json_depth: int = Field(
        default=32, ge=4, description="Nesting of JSON bodies and upload metadata, in levels."
    )
    max_history_turns: int = Field(default=20, ge=0, description="Turns a request may send.")
    max_turn_chars: int = Field(default=20_000, ge=1, description="Characters of one turn.")
    max_messages: int = Field(
        default=200, ge=1, description="Messages of an OpenAI-style chat completion request."
    )
    max_metadata_bytes: int = Field(
        default=64 << 10, ge=1024, description="The metadata field of an upload, in bytes."
    )
    max_upload_mb: float = Field(
        default=20, gt=0, description="Largest uploaded document, in MiB (413 beyond)."
    )
    rate_limit: str = Field(
        default="120/minute",
        description="Requests per client address, such as `10/second` or `1000 per hour`; "
        "`0` turns the limit off (the admin limit too).",
    )
    admin_rate_limit: str = Field(
        default="60/minute", description="Per client, for the document and index routes."
    )
    rate_limit_max_clients: int = Field(
        default=100_000, ge=1, description="Rate-limit buckets kept (per kind)."
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Addresses or networks whose X-Forwarded-For is believed; none by default.",
    )
    request_read_timeout: float = Field(
        default=10.0,
        gt=0,
        description="Seconds for a request head, and the longest pause within a body.",
    )
    min_body_rate: float = Field(
        default=1024.0, gt=0, description="Bytes a second a request body must average."
    )
    response_write_timeout: float = Field(
        default=60.0, gt=0, description="Seconds a response may wait for an unread client."
    )
    keep_alive_timeout: int = Field(
        default=5, ge=1, description="Seconds an idle connection is kept between requests."
    )
    max_header_bytes: int = Field(
        default=16 << 10, ge=4096, description="Request line and headers, in bytes."
    )
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated keys of the admin routes; none turns the admin off.",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated origins allowed to call the API from a browser.",
    )
    log_format: Literal["json", "text"] = Field(
        default="json", description="Log lines of `citeqa serve`."
    )

    @field_validator("rate_limit", "admin_rate_limit")
    @classmethod
    def _check_rate_limit(cls, value: str) -> str:
        parse_rate(value)
        return value

    @field_validator("api_keys", "cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_networks(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError as exc:
                raise ValueError(
                    f"CITEQA_TRUSTED_PROXIES: {item!r} is not an IP address or network "
                    "(such as 10.0.0.5 or 10.0.0.0/8)"
                ) from exc
        return value
