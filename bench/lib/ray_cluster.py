"""A local Ray cluster for benchmarks and tests: a head and one worker node on 127.0.0.1.

Each node is `ray start --block` in a process group of its own, stopped at the end. What it
takes to run on a small, shared machine:
- Ray's sockets live under its temp dir and a socket path may not exceed 107 bytes, so the
  temp dir is a short folder under /tmp (pytest's tmp paths made the head exit at start);
- Ray starts its workers at nice 15: on a machine busy with other jobs, importing torch in
  one took 130 s instead of 5, so the nodes get `RAY_worker_niceness=0`;
- `ray.init` waits for ever for a head that died, so the head's port is awaited first
  (failing with its log if it exits), then the worker node's CPUs in the cluster;
- the ports Ray otherwise takes by default (6379, the client server's 10001, the dashboard
  agent's 52365) are free ports picked here, so that two clusters can run side by side.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.lib.server_process import free_port

START_TIMEOUT_S = 180.0


class RayClusterError(RuntimeError):
    """A node of the local cluster did not start; the message ends with its log."""


def ray_start(*args: str, log: Path) -> subprocess.Popen[bytes]:
    """`ray start --block ARGS` in a process group of its own, its workers at this
    process's priority, its output in `log`."""
    command = [str(Path(sys.executable).parent / "ray"), "start", "--block", *args]
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0", RAY_worker_niceness="0")
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=out, start_new_session=True)


def stop(node: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the node's process group (the raylet, GCS and workers it started)."""
    if node.poll() is None:
        try:
            os.killpg(node.pid, signal.SIGTERM)
            node.wait(60)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(node.pid, signal.SIGKILL)
            node.wait(30)


def _tail(log: Path, chars: int = 3000) -> str:
    try:
        return log.read_text("utf-8", "replace")[-chars:]
    except OSError:
        return ""


def wait_for_port(
    head: subprocess.Popen[bytes], port: int, log: Path, timeout: float = START_TIMEOUT_S
) -> None:
    """Wait until the head listens on `port`; raise with its log if it exits or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if head.poll() is not None:
            raise RayClusterError(f"the Ray head exited:\n{_tail(log)}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise RayClusterError(f"the Ray head did not listen within {timeout:.0f} s:\n{_tail(log)}")


def wait_for_cpus(
    address: str, cpus: int, worker: subprocess.Popen[bytes], log: Path, timeout: float
) -> None:
    """Wait until the cluster at `address` counts `cpus` CPUs (the worker node joined).
    The connection is closed again, so that the caller connects as it would to any
    cluster (`RayEncoding` passes its own runtime environment to `ray.init`)."""
    import ray

    deadline = time.monotonic() + timeout
    ray.init(address=address, log_to_driver=False)
    try:
        while ray.cluster_resources().get("CPU", 0) < cpus:
            if worker.poll() is not None:
                raise RayClusterError(f"the Ray worker node exited:\n{_tail(log)}")
            if time.monotonic() > deadline:
                raise RayClusterError(f"the worker node did not join:\n{_tail(log)}")
            time.sleep(1)
    finally:
        ray.shutdown()


@contextmanager
def local_cluster(cpus_per_node: int = 1, timeout: float = START_TIMEOUT_S) -> Iterator[str]:
    """A head and one worker node on 127.0.0.1, `cpus_per_node` CPUs each; yields the head's
    address (HOST:PORT). Both nodes are stopped and their temp dir removed on exit."""
    root = Path(tempfile.mkdtemp(prefix="citeqa-ray-", dir="/tmp"))
    port = free_port()
    address = f"127.0.0.1:{port}"
    common = ["--node-ip-address=127.0.0.1", f"--num-cpus={cpus_per_node}"]
    common.append("--disable-usage-stats")
    head_log, worker_log = root / "head.log", root / "worker.log"
    nodes: list[subprocess.Popen[bytes]] = []
    try:
        nodes.append(
            ray_start(
                "--head",
                f"--port={port}",
                "--include-dashboard=false",
                f"--ray-client-server-port={free_port()}",
                f"--dashboard-agent-listen-port={free_port()}",
                f"--temp-dir={root}/t",
                *common,
                log=head_log,
            )
        )
        wait_for_port(nodes[0], port, head_log, timeout)
        nodes.append(
            ray_start(
                f"--address={address}",
                f"--dashboard-agent-listen-port={free_port()}",
                *common,
                log=worker_log,
            )
        )
        wait_for_cpus(address, 2 * cpus_per_node, nodes[1], worker_log, timeout)
        yield address
    finally:
        _disconnect()
        for node in reversed(nodes):
            stop(node)
        shutil.rmtree(root, ignore_errors=True)


def _disconnect() -> None:
    """Close this process's connection to the cluster, if it has one (a driver whose
    cluster is gone waits for it)."""
    import ray

    if ray.is_initialized():
        ray.shutdown()
