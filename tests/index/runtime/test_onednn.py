"""oneDNN is switched off only while no forward pass that needs it runs."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import torch

from index.runtime.onednn import onednn_needed, onednn_off

WAIT_S = 0.3  # long enough for a thread that is not blocked to have run


def in_thread(target: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def test_the_switch_waits_for_a_pass_that_needs_onednn() -> None:
    release, switched = threading.Event(), threading.Event()
    inside: list[bool] = []

    def needs_onednn() -> None:
        with onednn_needed():
            release.wait(10)

    def switch_off() -> None:
        with onednn_off():
            inside.append(torch._C._get_mkldnn_enabled())
            switched.set()

    passing = in_thread(needs_onednn)
    time.sleep(WAIT_S)
    switching = in_thread(switch_off)
    assert not switched.wait(WAIT_S)
    assert torch._C._get_mkldnn_enabled()
    release.set()
    assert switched.wait(10)
    passing.join(10)
    switching.join(10)
    assert inside == [False]
    assert torch._C._get_mkldnn_enabled()


def test_a_waiting_switch_goes_before_passes_that_come_after_it() -> None:
    order: list[str] = []
    release_first = threading.Event()

    def first_pass() -> None:
        with onednn_needed():
            release_first.wait(10)
            order.append("first pass")

    def switch_off() -> None:
        with onednn_off():
            order.append("switched off")

    def later_pass() -> None:
        with onednn_needed():
            order.append("later pass")

    threads = [in_thread(first_pass)]
    time.sleep(WAIT_S)
    threads.append(in_thread(switch_off))
    time.sleep(WAIT_S)
    threads.append(in_thread(later_pass))
    time.sleep(WAIT_S)
    assert order == []
    release_first.set()
    for thread in threads:
        thread.join(10)
    assert order == ["first pass", "switched off", "later pass"]


def test_passes_that_need_onednn_run_side_by_side() -> None:
    both_inside = threading.Barrier(2, timeout=10)

    def needs_onednn() -> None:
        with onednn_needed():
            both_inside.wait()  # raises BrokenBarrierError if they could not overlap

    threads = [in_thread(needs_onednn), in_thread(needs_onednn)]
    for thread in threads:
        thread.join(10)
    assert not both_inside.broken
