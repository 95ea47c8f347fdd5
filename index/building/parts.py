"""Vectors of the parts of long documents, kept on disk until their document is written.

A document of thousands of chunks takes minutes to embed. Its parts are saved here as they
are embedded, under a name made of what their vectors depend on (models, chunker, text,
chunk range); a build that was killed or stopped finds them and embeds only what is left.
A part is written to a temporary file and renamed, so a crash never leaves half a part.
"""

from __future__ import annotations

import logging
import os
import shutil
import zipfile
from pathlib import Path

import numpy as np

from index.embedders.base import Vectors

log = logging.getLogger(__name__)


class PartStore:
    """Parts in a folder, one .npz file each, named by their key."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def get(self, key: str) -> dict[str, Vectors] | None:
        path = self.root / f"{key}.npz"
        try:
            with np.load(path, allow_pickle=False) as data:
                return {name: np.ascontiguousarray(data[name]) for name in data.files}
        except FileNotFoundError:
            return None
        except (OSError, ValueError, zipfile.BadZipFile) as exc:
            log.warning("ignoring an unreadable saved part %s: %s", path.name, exc)
            return None

    def put(self, key: str, vectors: dict[str, Vectors]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{key}.tmp.npz"
        with tmp.open("wb") as handle:
            np.savez(handle, allow_pickle=False, **vectors)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.root / f"{key}.npz")

    def clear(self) -> None:
        """Forget every part (after a build that wrote all the documents it had)."""
        shutil.rmtree(self.root, ignore_errors=True)
