"""The machine recorded beside timings: CPU model, cores and vector instructions."""

from __future__ import annotations

import os
from pathlib import Path

from qa.eval.versions import describe_machine, machine, versions

CPUINFO = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 9B45
flags\t\t: fpu sse avx avx2 avx512f avx512_vnni sha_ni

processor\t: 1
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 9B45
flags\t\t: fpu sse avx avx2 avx512f avx512_vnni sha_ni
"""


def test_the_cpu_model_and_its_vector_extensions_are_read_from_cpuinfo(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(CPUINFO, encoding="utf-8")
    info = machine(cpuinfo)
    assert info == {
        "cpu": "AMD EPYC 9B45",
        "cores": len(os.sched_getaffinity(0)),
        "vector_extensions": ["avx2", "avx512f", "avx512_vnni"],
    }
    described = describe_machine(info)
    assert described == f"AMD EPYC 9B45, {info['cores']} cores, avx2 avx512f avx512_vnni"


def test_a_cpu_without_those_extensions_says_so(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("model name\t: Old CPU\nflags\t\t: fpu sse sse2 avx\n", encoding="utf-8")
    info = machine(cpuinfo)
    assert info["vector_extensions"] == []
    assert describe_machine(info).endswith(
        "cores, none of avx2, avx512f, avx_vnni, avx512_vnni, amx_int8"
    )


def test_without_cpuinfo_the_machine_is_still_described(tmp_path: Path) -> None:
    info = machine(tmp_path / "absent")
    assert info["cpu"]
    assert info["vector_extensions"] is None
    assert describe_machine(info).endswith("cores, vector instructions not known")


def test_reports_record_this_machine() -> None:
    recorded = versions()["machine"]
    assert recorded["cores"] == len(os.sched_getaffinity(0)) >= 1
    assert recorded["cpu"]
