"""The time records are stamped with."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> str:
    """Now, in UTC, as ISO 8601 text."""
    return datetime.now(UTC).isoformat()
