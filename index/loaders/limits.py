"""Bounds on what one document may make the loaders build (`CITEQA_*` variables)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class LoaderLimits(BaseSettings):
    """A document past one of these is refused with a LoaderError that names the bound."""

    model_config = SettingsConfigDict(env_prefix="CITEQA_", extra="ignore")

    max_front_matter_nodes: int = Field(
        default=10_000,
        ge=10,
        description="Values in YAML front matter or a sidecar, counted after aliases expand.",
    )
    max_front_matter_depth: int = Field(
        default=32, ge=2, description="Nesting of YAML front matter or a sidecar, in levels."
    )
    max_html_elements: int = Field(
        default=100_000, ge=100, description="Start tags in one HTML document."
    )
    max_html_depth: int = Field(
        default=256, ge=8, description="Nesting of elements in one HTML document."
    )
