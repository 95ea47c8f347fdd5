"""Every bound is a setting documented in docs/limits.md with its variable and default."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from api.conversations import ConversationSettings
from api.settings import ApiSettings
from index.loaders.limits import LoaderLimits

LIMITS = Path(__file__).resolve().parents[2] / "docs" / "limits.md"
# The settings that are not bounds: where to listen, keys, origins, log format.
NOT_BOUNDS = {"host", "port", "api_keys", "cors_origins", "log_format"}


def bounds() -> list[tuple[str, object]]:
    found = []
    for settings in (ApiSettings(), ConversationSettings(), LoaderLimits()):
        assert isinstance(settings, BaseSettings)
        prefix = settings.model_config.get("env_prefix", "")
        for name in type(settings).model_fields:
            if name not in NOT_BOUNDS:
                found.append((f"{prefix}{name}".upper(), getattr(settings, name)))
    return found


UNITS = {"kib": 1 << 10, "mib": 1 << 20, "minutes": 60}
FIGURE = re.compile(r"(\d[\d,]*(?:\.\d+)?) ?(KiB|MiB|minutes)?")


@pytest.mark.parametrize(("variable", "default"), bounds(), ids=lambda v: str(v))
def test_each_bound_is_documented_with_its_default(variable: str, default: object) -> None:
    text = LIMITS.read_text("utf-8")
    rows = [line for line in text.splitlines() if f"`{variable}`" in line]
    assert rows, f"{variable} is not in docs/limits.md"
    if isinstance(default, int | float) and not isinstance(default, bool):
        values = {
            float(number.replace(",", "")) * UNITS.get(unit.lower(), 1)
            for row in rows
            for number, unit in FIGURE.findall(row)
        }
        assert default in values, (variable, default, rows)
