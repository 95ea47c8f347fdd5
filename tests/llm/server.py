"""One llama.cpp server (bench.lib.llama_server) for the whole test session, whichever test
module asks first; it stops when the session's process exits."""

from __future__ import annotations

import atexit

from bench.lib.llama_server import MODEL_NAME, LlamaServer

__all__ = ["MODEL_NAME", "LlamaServer", "shared_llama_server"]

_shared: LlamaServer | None = None


def shared_llama_server() -> LlamaServer:
    """The session's server, started on first use."""
    global _shared
    if _shared is None:
        _shared = LlamaServer().start()
        atexit.register(_shared.stop)
    return _shared
