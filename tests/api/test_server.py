"""``matcher serve --workers N``: processes that share the port, are replaced when one dies,
and all stop together."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from api.server import reuse_port_supported
from tests.api.conftest import Server, free_port

pytestmark = pytest.mark.skipif(not reuse_port_supported(),
                                reason="SO_REUSEPORT workers are Linux-only")


def children(pid: int) -> list[int]:
    """The server processes started by ``pid`` (not multiprocessing's resource tracker)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    found = [int(c) for c in path.read_text().split()] if path.exists() else []
    return [c for c in found if _is_server(c)]


def _is_server(pid: int) -> bool:
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def wait_for(condition, timeout: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_workers_serve_together_replace_a_dead_one_and_stop_together(server_home: Path) -> None:
    server = Server(server_home, free_port(), workers=2).start(timeout=120)
    try:
        assert wait_for(lambda: len(children(server.process.pid)) == 2)
        workers = children(server.process.pid)
        # Many connections, each answered (whichever process the kernel gave it to).
        for _ in range(20):
            with httpx.Client() as client:
                assert client.get(server.url + "/v1/health").status_code == 200
        os.kill(workers[0], signal.SIGKILL)
        assert wait_for(lambda: len(children(server.process.pid)) == 2
                        and workers[0] not in children(server.process.pid))
        assert wait_for(lambda: all(
            httpx.get(server.url + "/v1/health", timeout=5).status_code == 200
            for _ in range(10)), timeout=120)
        running = children(server.process.pid)
    finally:
        server.stop()
    assert server.process.returncode == 0
    for pid in running:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(
            f"/proc/{pid}/status").read_text()


def test_a_taken_port_is_one_clear_message_and_exit_1(server_home: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "MATCHER_HOME": str(server_home), "MATCHER_MODEL": "hashing"}
        done = subprocess.run([sys.executable, "-m", "matcher.cli", "serve", "--port", str(port),
                               "--workers", "2"], env=env, capture_output=True, text=True,
                              timeout=120)
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr


def test_workers_must_be_positive(server_home: Path) -> None:
    env = {**os.environ, "MATCHER_HOME": str(server_home), "MATCHER_MODEL": "hashing"}
    done = subprocess.run([sys.executable, "-m", "matcher.cli", "serve", "--workers", "0"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "--workers must be at least 1" in done.stderr
