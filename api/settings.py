"""Service settings from `CITEQA_*` environment variables."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from api.ratelimit import parse_rate


class ApiSettings(BaseSettings):
    """Bounds, access control and network settings of the HTTP service."""

    model_config = SettingsConfigDict(env_prefix="CITEQA_", extra="ignore")

    host: str = Field(default="127.0.0.1", description="Where `citeqa serve` listens.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port of `citeqa serve`.")
    max_question_chars: int = Field(default=4000, ge=1, description="Longest question accepted.")
    max_top_k: int = Field(default=50, ge=1, description="Largest `top_k` accepted.")
    max_body_bytes: int = Field(
        default=1 << 20, ge=1024, description="Largest request body, in bytes (413 beyond)."
    )
    max_upload_mb: float = Field(
        default=20, gt=0, description="Largest uploaded document, in MiB (413 beyond)."
    )
    rate_limit: str = Field(
        default="120/minute",
        description="Requests per client address, such as `10/second` or `1000 per hour`; "
        "`0` turns the limit off.",
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

    @field_validator("rate_limit")
    @classmethod
    def _check_rate_limit(cls, value: str) -> str:
        parse_rate(value)
        return value

    @field_validator("api_keys", "cors_origins", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value
