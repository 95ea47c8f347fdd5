"""Milvus boolean expressions: version visibility and the API's metadata filters.

Filters follow index.stores.filters: every key is ANDed, a key matches when the field
equals one of the values or, for a list-valued field, contains one of them. Each chunk and
sentence row stores its filterable fields (the document's metadata, doc_id, lang, title)
in the JSON field `fields`, so any key is evaluated inside Milvus's search.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from index.stores.filters import Filter, Scalar

ANY_BATCH = 1000  # values per `in [...]` list, to keep expressions small


def visible(version: int) -> str:
    """Rows of index version `version`."""
    return f"born <= {int(version)} and died > {int(version)}"


def filter_expression(filters: Filter) -> str:
    """`filters` as a Milvus expression over the JSON field `fields` ("" when empty)."""
    clauses = []
    for key, values in sorted(filters.items()):
        path = f"fields[{_string(key)}]"
        tests = []
        for literal in _literal_lists(values):
            tests.append(f"{path} in {literal}")
            tests.append(f"json_contains_any({path}, {literal})")
        clauses.append("(" + " or ".join(tests) + ")" if tests else "false")
    return " and ".join(clauses)


def in_list(field: str, values: Iterable[int | str]) -> str:
    """`field in [values]`, for integer or string values."""
    items = [str(int(v)) if isinstance(v, int) else _string(v) for v in values]
    return f"{field} in [{', '.join(items)}]"


def both(*expressions: str) -> str:
    return " and ".join(f"({e})" for e in expressions if e)


def _literal_lists(values: Iterable[Scalar]) -> list[str]:
    """One list literal per value type: Milvus compares a JSON value within its type."""
    strings = sorted(v for v in values if isinstance(v, str))
    bools = sorted(v for v in values if isinstance(v, bool))
    numbers = sorted(v for v in values if isinstance(v, int | float) and not isinstance(v, bool))
    lists = []
    if strings:
        lists.append("[" + ", ".join(_string(v) for v in strings) + "]")
    if bools:
        lists.append("[" + ", ".join("true" if v else "false" for v in bools) + "]")
    if numbers:
        lists.append("[" + ", ".join(repr(v) for v in numbers) + "]")
    return lists


def _string(value: str) -> str:
    """A double-quoted string literal; quotes, backslashes and controls escaped."""
    return json.dumps(value, ensure_ascii=False)
