"""Metadata filters: `{"key": value}` or `{"key": {"$in": [...]}}`, all keys ANDed.

Filters select rows before ranking: both the dense and the keyword index search only the
rows a filter allows, so a filter never empties a result list that had matches.

One concept, two names on its way down from a request:
- `filters`: the conditions a client sends, and, once `parse_filters` has checked them,
  the parsed `Filter`; every parameter or attribute holding them, raw or parsed, is
  called `filters`;
- `allowed`: the row ids a `Filter` lets through (`FieldIndex.allowed_rows`), which the
  searches take; a `Selection` when it comes from a filter, so that it still carries it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from index.stores.base import RowIds

Scalar = str | int | float | bool
Filter = dict[str, frozenset[Scalar]]
"""Parsed `filters`: each key -> the values it may take (any one of them), keys ANDed."""


class Selection(np.ndarray[Any, np.dtype[np.int64]]):
    """Row ids allowed by `filters`, carrying the filters themselves, so that a search
    engine holding the rows (Milvus) can evaluate them inside its own query instead."""

    filters: Filter

    @classmethod
    def of(cls, rows: RowIds, filters: Filter) -> Selection:
        selection = np.asarray(rows, dtype=np.int64).view(cls)
        selection.filters = filters
        return selection

    def __array_finalize__(self, obj: object) -> None:
        self.filters = getattr(obj, "filters", {})


MAX_FILTER_KEYS = 16
MAX_FILTER_VALUES = 256
MAX_FILTER_KEY_CHARS = 100


class FilterError(ValueError):
    """A filter that is not of the accepted shape."""


def parse_filters(raw: Mapping[str, Any] | None) -> Filter:
    """Validate a client's filters into key -> allowed values."""
    if not raw:
        return {}
    if len(raw) > MAX_FILTER_KEYS:
        raise FilterError(f"at most {MAX_FILTER_KEYS} filter keys are allowed")
    parsed: Filter = {}
    for key, condition in raw.items():
        if not isinstance(key, str) or not key or len(key) > MAX_FILTER_KEY_CHARS:
            raise FilterError(
                f"filter keys must be non-empty strings of at most {MAX_FILTER_KEY_CHARS} "
                "characters"
            )
        parsed[key] = frozenset(_allowed_values(key, condition))
    return parsed


def _allowed_values(key: str, condition: Any) -> list[Scalar]:
    if isinstance(condition, Mapping):
        if set(condition) == {"$eq"}:
            return [_scalar(key, condition["$eq"])]
        if set(condition) == {"$in"}:
            values = condition["$in"]
            if not isinstance(values, list) or not values or len(values) > MAX_FILTER_VALUES:
                raise FilterError(
                    f"filter {key!r}: $in takes a list of 1 to {MAX_FILTER_VALUES} values"
                )
            return [_scalar(key, value) for value in values]
        raise FilterError(f"filter {key!r}: use a value, {{'$eq': value}} or {{'$in': [...]}}")
    return [_scalar(key, condition)]


def _scalar(key: str, value: Any) -> Scalar:
    if isinstance(value, str | bool | int | float) and not (
        isinstance(value, float) and not np.isfinite(value)
    ):
        return value
    raise FilterError(f"filter {key!r}: values must be strings, numbers or booleans")


class FieldIndex:
    """Inverted index from (field, value) to row ids, for filters over chunk rows."""

    def __init__(self, rows: Iterable[Mapping[str, Any]]) -> None:
        postings: dict[str, dict[Scalar, list[int]]] = defaultdict(lambda: defaultdict(list))
        count = 0
        for row_id, fields in enumerate(rows):
            count = row_id + 1
            for key, value in fields.items():
                for item in value if isinstance(value, list | tuple) else [value]:
                    if isinstance(item, str | int | float | bool):
                        postings[key][item].append(row_id)
        self._size = count
        self._postings = {
            key: {value: np.asarray(ids, dtype=np.int64) for value, ids in values.items()}
            for key, values in postings.items()
        }

    def allowed_rows(self, filters: Filter) -> RowIds | None:
        """The rows `filters` allows: sorted row ids matching every condition, as a
        Selection carrying `filters`; None when `filters` is empty (every row)."""
        if not filters:
            return None
        result: RowIds | None = None
        for key, values in filters.items():
            postings = self._postings.get(key, {})
            lists = [postings[v] for v in values if v in postings]
            matched = np.unique(np.concatenate(lists)) if lists else np.zeros(0, np.int64)
            result = matched if result is None else np.intersect1d(result, matched)
        assert result is not None
        return Selection.of(result, filters)
