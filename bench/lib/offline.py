"""A benchmark process runs offline: the models ship inside packages, nothing is fetched."""

from __future__ import annotations

import os


def run_offline() -> None:
    """Tell the Hugging Face libraries not to reach a hub, and tokenizers not to fork
    threads (unless the caller's environment says otherwise)."""
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        os.environ.setdefault(name, "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
