"""Documents are embedded in bfloat16 only where the CPU multiplies it natively."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.runtime.precision import cpu_flags, resolve_precision

CPUINFO = """processor\t: 0
vendor_id\t: GenuineIntel
flags\t\t: fpu vme sse2 avx2 {extra}
bogomips\t: 4000.00

processor\t: 1
flags\t\t: fpu vme sse2 avx2 {extra}
"""


def cpuinfo(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "cpuinfo"
    path.write_text(CPUINFO.format(extra=extra), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("avx512f amx_bf16 amx_tile", "bfloat16"),  # Sapphire Rapids and later
        ("avx512f avx512_bf16", "bfloat16"),  # Cooper Lake, Zen 4
        ("avx512f avx512_vnni", "float32"),  # no native bfloat16 product
        ("", "float32"),
    ],
)
def test_auto_follows_the_cpu_flags(tmp_path: Path, extra: str, expected: str) -> None:
    assert resolve_precision("auto", cpuinfo(tmp_path, extra)) == expected


def test_a_precision_asked_for_is_kept_whatever_the_cpu(tmp_path: Path) -> None:
    native = cpuinfo(tmp_path, "amx_bf16")
    assert resolve_precision("float32", native) == "float32"
    assert resolve_precision("bfloat16", tmp_path / "missing") == "bfloat16"


def test_an_unreadable_cpuinfo_means_float32(tmp_path: Path) -> None:
    assert cpu_flags(tmp_path / "missing") == frozenset()
    assert resolve_precision("auto", tmp_path / "missing") == "float32"
    binary = tmp_path / "binary"
    binary.write_bytes(b"model name: \xff\xfe\x00\nflags: amx_bf16\n")
    assert resolve_precision("auto", binary) == "bfloat16"  # undecodable bytes are replaced


def test_the_setting_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from index.settings import IndexSettings

    monkeypatch.setenv("CITEQA_DOCUMENT_PRECISION", "float32")
    assert IndexSettings().document_precision == "float32"
    monkeypatch.setenv("CITEQA_DOCUMENT_PRECISION", "float16")
    with pytest.raises(ValidationError):
        IndexSettings()


def test_a_model_kept_in_float32_under_auto_can_still_ask_for_bfloat16(tmp_path: Path) -> None:
    native = cpuinfo(tmp_path, "amx_bf16")
    assert resolve_precision("auto", native, auto_bfloat16=False) == "float32"
    assert resolve_precision("bfloat16", native, auto_bfloat16=False) == "bfloat16"
