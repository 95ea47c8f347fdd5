"""Making a rename or a new file survive a crash: a folder's entries are durable only once
the folder itself is fsynced."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """Flush the entries of folder `path` (names created, renamed or removed) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
