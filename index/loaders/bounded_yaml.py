"""YAML from documents (front matter, sidecars), read with bounds: its shape is checked on
the parser's event stream, which needs no recursion and builds nothing, before any value
is constructed.

Refused: nesting deeper than `max_front_matter_depth` ("too_deep"), more than
`max_front_matter_nodes` values once aliases are expanded ("front_matter_too_large": a
few hundred bytes of nested aliases expand to hundreds of megabytes), an alias inside the
node it names, and anything the safe constructors cannot build ("bad_metadata").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from index.loaders.errors import LoaderError
from index.loaders.limits import LoaderLimits


@dataclass
class _Open:
    """A collection being read: its expanded size so far and its anchor."""

    size: int
    anchor: str | None


def load_yaml_mapping(text: str, limits: LoaderLimits, what: str) -> dict[str, Any]:
    """`text` as a mapping with string keys ({} for an empty document)."""
    _check_shape(text, limits, what)
    try:
        data = yaml.safe_load(text)
    except Exception as exc:  # the constructors raise ValueError and others on hostile values
        raise LoaderError("bad_metadata", f"{what} is not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise LoaderError("bad_metadata", f"{what} must be a YAML mapping")
    return {str(k): v for k, v in data.items()}


def _check_shape(text: str, limits: LoaderLimits, what: str) -> None:
    """Walk the events: depth, and the expanded size (an alias counts as its anchor's)."""
    stack = [_Open(0, None)]  # the bottom one is the document itself
    sizes: dict[str, int] = {}  # anchor -> expanded size, once its node is complete
    total = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionEndEvent):
                done = stack.pop()
                if done.anchor is not None:
                    sizes[done.anchor] = done.size
                stack[-1].size += done.size
                continue
            if isinstance(event, yaml.CollectionStartEvent):
                if event.anchor is not None:
                    sizes.pop(event.anchor, None)  # redefined: unusable until complete
                stack.append(_Open(1, event.anchor))
                if len(stack) - 1 > limits.max_front_matter_depth:
                    raise LoaderError(
                        "too_deep",
                        f"{what} is nested deeper than {limits.max_front_matter_depth} levels",
                    )
                total += 1
            elif isinstance(event, yaml.ScalarEvent | yaml.AliasEvent):
                size = _node_size(event, sizes, what)
                stack[-1].size += size
                total += size
            if total > limits.max_front_matter_nodes:
                raise LoaderError(
                    "front_matter_too_large",
                    f"{what} holds over {limits.max_front_matter_nodes:,} values once its "
                    "aliases are expanded",
                )
    except yaml.YAMLError as exc:
        raise LoaderError("bad_metadata", f"{what} is not valid YAML: {exc}") from exc


def _node_size(event: yaml.ScalarEvent | yaml.AliasEvent, sizes: dict[str, int], what: str) -> int:
    if isinstance(event, yaml.ScalarEvent):
        if event.anchor is not None:
            sizes[event.anchor] = 1
        return 1
    if event.anchor not in sizes:  # undefined, or the alias sits inside the node it names
        raise LoaderError(
            "bad_metadata", f"{what}: the alias *{event.anchor} names no complete node before it"
        )
    return sizes[event.anchor]
