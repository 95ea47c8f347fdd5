"""Files derived from models once and kept on disk (the ONNX export of the main embedder),
in CITEQA_CACHE_DIR (default: `$XDG_CACHE_HOME/citeqa`, else `~/.cache/citeqa`).

An entry is named by a key over everything its content depends on (the model's files and
the versions of the libraries that made it), so a changed model or library makes a new
entry instead of reusing a stale one. Entries are written to a temporary name and renamed,
so a process that stops midway, or two that write at once, never leave half a file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import TypeVar

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)
Loaded = TypeVar("Loaded")


def user_cache_dir() -> Path:
    """citeqa's folder in the user's cache: `$XDG_CACHE_HOME/citeqa`, else
    `~/.cache/citeqa` (the default of CITEQA_CACHE_DIR, and of the eval cache's parent)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "citeqa"


class CacheSettings(BaseSettings):
    """Where files derived from the models are kept between runs."""

    model_config = SettingsConfigDict(env_prefix="CITEQA_", extra="ignore")

    cache_dir: Path = Field(
        default_factory=user_cache_dir,
        json_schema_extra={"shown_default": "`$XDG_CACHE_HOME/citeqa`, else `~/.cache/citeqa`"},
        description="Where files derived from the models (the ONNX export of the main "
        "embedder) are kept between runs.",
    )


def cache_dir() -> Path:
    return CacheSettings().cache_dir.expanduser()


def library_versions(names: Iterable[str]) -> dict[str, str | None]:
    """Installed versions of the distributions `names` (None when one is missing)."""
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def files_fingerprint(directory: Path) -> list[tuple[str, int, int]]:
    """(relative name, size, modification time) of every file under `directory`: a model
    folder changes when one of them does, and hashing the weights would cost each start."""
    return sorted(
        (path.relative_to(directory).as_posix(), stat.st_size, stat.st_mtime_ns)
        for path in directory.rglob("*")
        if path.is_file()
        for stat in [path.stat()]
    )


def cache_key(parts: object) -> str:
    """A short stable hash of `parts` (anything JSON can write)."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def cached_file(kind: str, name: str, key: str) -> Path:
    """Where the entry `name` (a file name) of `kind` with `key` lives; it may not exist."""
    return cache_dir() / kind / key / name


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """`write(temporary path)`, then the file renamed to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(Path(temporary))
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def cached_export(
    path: Path,
    load: Callable[[Path], Loaded],
    export: Callable[[Path], None],
    fallback: Callable[[], Loaded],
    what: str,
) -> Loaded:
    """`load(path)` of the cached export; when it is missing or unreadable, `export` writes
    it again (atomically) and it is loaded; should that fail, `fallback()`."""
    if path.is_file():
        try:
            return load(path)
        except Exception as error:  # a damaged file is exported again
            log.warning(
                "cached export of %s %s is unreadable, exporting again: %s", what, path, error
            )
    try:
        write_atomically(path, export)
        return load(path)
    except Exception as error:  # any failure keeps the fallback
        log.warning("the export of %s failed, using the fallback: %s", what, error)
        return fallback()
