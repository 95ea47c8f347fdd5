"""The float precision document embedders run in: bfloat16 where the CPU multiplies it
natively, float32 elsewhere.

On a CPU with AMX or AVX-512 BF16 (Intel Sapphire Rapids and later, AMD Zen 4 and later)
oneDNN multiplies bfloat16 matrices several times as fast as float32 ones; elsewhere
bfloat16 is emulated and slower than float32. Batches of documents are where the time goes
when indexing, and their vectors barely move: measured on a 2-core Xeon with AMX, paragraphs
embedded by all-MiniLM-L6-v2 and multilingual-e5-small in bfloat16 keep a cosine of at least
0.998 to the float32 vectors (docs/indexing.md has the figures), yet a vector that barely moves
can still change a ranking: a model whose answers moved more than a change for speed may
cost keeps float32 under "auto" (multilingual-e5: index/embedders/e5.py). Questions, one
short text at a time, stay in float32.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

Precision = Literal["auto", "float32", "bfloat16"]
Resolved = Literal["float32", "bfloat16"]

# /proc/cpuinfo flags of a CPU with native bfloat16 matrix multiplication.
NATIVE_BFLOAT16_FLAGS = frozenset({"amx_bf16", "avx512_bf16"})
CPUINFO = Path("/proc/cpuinfo")

# oneDNN, which runs torch's bfloat16 products, compiles a kernel for every batch shape it
# meets and keeps up to 1,024: padded only to their longest text, the batches of a 10x SQuAD
# build met so many shapes that the kernels took 300 MB, each new one compiled at a cost.
# Batches computed in bfloat16 are padded to a multiple of this many tokens.
BFLOAT16_PAD_TOKENS = 16


def pad_tokens(precision: Resolved) -> int:
    """The multiple of tokens a batch computed in `precision` is padded to."""
    return BFLOAT16_PAD_TOKENS if precision == "bfloat16" else 1


def padded_width(longest: int, multiple: int) -> int:
    """`longest` tokens rounded up to a multiple of `multiple`."""
    return -(-longest // multiple) * multiple


def cpu_flags(cpuinfo: Path = CPUINFO) -> frozenset[str]:
    """The feature flags of the first CPU listed in `cpuinfo` (none when it is unreadable)."""
    try:
        with cpuinfo.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                name, _, value = line.partition(":")
                if name.strip() == "flags":
                    return frozenset(value.split())
    except OSError:
        pass
    return frozenset()


def resolve_precision(
    precision: Precision, cpuinfo: Path = CPUINFO, *, auto_bfloat16: bool = True
) -> Resolved:
    """`precision` itself, or for "auto" bfloat16 when the CPU multiplies it natively (and
    `auto_bfloat16`: a model whose answers bfloat16 moves too much keeps float32)."""
    if precision != "auto":
        return precision
    native = bool(cpu_flags(cpuinfo) & NATIVE_BFLOAT16_FLAGS)
    return "bfloat16" if native and auto_bfloat16 else "float32"
