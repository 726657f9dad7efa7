"""``matcher serve --workers N``: gunicorn's uvicorn workers share the port, one that dies is
replaced, all stop together; a port in use is one clear line."""

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
                                reason="gunicorn with SO_REUSEPORT workers is Linux-only")


def children(pid: int) -> list[int]:
    """The server processes started by ``pid`` (gunicorn's workers: forks of ``pid``)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    found = [int(c) for c in path.read_text().split()] if path.exists() else []
    return [c for c in found if _alive(c)]


def _alive(pid: int) -> bool:
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text()
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


@pytest.mark.parametrize("workers", ["2", "1"])
def test_a_taken_port_is_one_clear_message_and_exit_1(server_home: Path, workers: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "MATCHER_HOME": str(server_home), "MATCHER_MODEL": "hashing"}
        done = subprocess.run([sys.executable, "-m", "matcher.cli", "serve", "--port", str(port),
                               "--workers", workers], env=env, capture_output=True, text=True,
                              timeout=120)
    assert done.returncode == 1
    assert done.stderr == (f"matcher: error: cannot listen on 127.0.0.1:{port}: "
                           "Address already in use\n")


def test_a_worker_that_cannot_start_stops_the_server(server_home: Path) -> None:
    # The app fails at start-up (unknown model): gunicorn stops rather than restarting the
    # workers forever, and the command says so and exits 1.
    env = {**os.environ, "MATCHER_HOME": str(server_home), "MATCHER_MODEL": "gpt-9"}
    done = subprocess.run([sys.executable, "-m", "matcher.cli", "serve", "--port",
                           str(free_port()), "--workers", "2"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1
    assert "unknown model 'gpt-9'" in done.stderr
    assert done.stderr.splitlines()[-1].startswith("matcher: error: the server stopped")


def test_workers_must_be_positive(server_home: Path) -> None:
    env = {**os.environ, "MATCHER_HOME": str(server_home), "MATCHER_MODEL": "hashing"}
    done = subprocess.run([sys.executable, "-m", "matcher.cli", "serve", "--workers", "0"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "--workers must be at least 1" in done.stderr


def test_a_worker_takes_connections_only_once_its_app_has_started() -> None:
    from api.server import unlistened

    # As gunicorn leaves a forked worker's socket: bound with SO_REUSEPORT and listening.
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    address = listener.getsockname()
    sock = unlistened(listener)
    try:
        assert listener.fileno() == -1 and sock.getsockname() == address
        # The app is still starting: the kernel gives this socket no connections ...
        with pytest.raises(ConnectionRefusedError), socket.create_connection(address, 5):
            pass
        # ... until uvicorn serves on it (asyncio's create_server makes it listen).
        sock.listen()
        with socket.create_connection(address, 5):
            pass
    finally:
        sock.close()


@pytest.mark.skipif(not reuse_port_supported(), reason="gunicorn needs SO_REUSEPORT here")
def test_a_halt_raised_while_halting_is_the_same_clear_stop(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # With two workers failing at boot, gunicorn's arbiter can raise HaltServer again while
    # it halts for the first one (seen in CI): the command must still end with its message.
    from gunicorn.errors import HaltServer

    from api import server
    from matcher.errors import MatcherError

    class Halting:
        def run(self) -> None:
            raise HaltServer("Worker failed to boot.", 3)

    monkeypatch.setattr(server, "gunicorn_app", lambda options: Halting())
    with pytest.raises(MatcherError, match=r"the server stopped \(gunicorn exit status 3\)"):
        server.serve(host="127.0.0.1", port=free_port(), workers=2, log_level="warning",
                     access_log=False)
