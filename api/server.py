"""Running the service (``matcher serve``): one uvicorn process, or gunicorn with N of them.

One process serves requests in threads under one GIL, so it uses about one core; several
processes use more. With ``--workers N`` gunicorn supervises N uvicorn workers
(``uvicorn_worker.UvicornWorker``): it replaces one that dies, stops them all on SIGINT or
SIGTERM (each finishes its open requests first), and stops with an error when a worker cannot
start the app. Each worker builds its own app with :func:`api.main.create_app`, so its own
engine (taxonomy, model and index: about 1 GB with the full ESCO index).

``reuse_port``: each worker binds its own ``SO_REUSEPORT`` socket after the fork, and the
kernel spreads new connections evenly over them. With one socket shared by all workers, the
process that wakes first takes each new connection and a keep-alive connection stays with it:
measured with 32 keep-alive client connections, one of two processes ended up with over twice
the other's load, and its queue set the latency (``benchmarks/service_load.py``). gunicorn
makes each worker's socket listen as soon as the worker is forked, so the kernel would give
it connections while its app still loads (tens of seconds with full ESCO), and they would
wait; the worker class here swaps that socket for one bound to the same address that listens
only when uvicorn starts serving, after the app has started.

Before anything starts, the address is bound once to try it, so that a port in use is one
clear line and exit status 1 rather than a worker retrying it.
"""

from __future__ import annotations

import os
import socket
import sys
from typing import Any

from matcher.errors import MatcherError

# gunicorn stops a worker that has not reported for this long. A worker does not report while
# its app starts: the engine loads in about 20 s on full ESCO (benchmarks/service_load.py,
# 4 workers on 2 idle cores) and several times that on a busy machine. gunicorn's default of
# 30 s would kill workers that are only loading, again and again.
WORKER_TIMEOUT = 300
# Open requests get this long to finish after SIGTERM (as uvicorn's supervisor gave them).
GRACEFUL_TIMEOUT = 30
# Idle keep-alive connections are closed after this long: uvicorn's own default (gunicorn's
# is 2 s), so clients see the same server with one worker or several.
KEEPALIVE = 5


def reuse_port_supported() -> bool:
    """Whether each worker can have its own socket on the port (Linux ``SO_REUSEPORT``)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def check_address(host: str, port: int, *, reuse_port: bool) -> None:
    """Bind the address once and let it go again; a clear error if it cannot be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise MatcherError(f"cannot listen on {host}:{port}: "
                               f"{exc.strerror or exc}") from None


def serve(*, host: str, port: int, workers: int, log_level: str, access_log: bool) -> int:
    """Serve until interrupted; returns the exit code.

    Raises:
        MatcherError: the address cannot be bound, or a worker could not start the app.
    """
    import uvicorn

    use_gunicorn = workers > 1 and reuse_port_supported()
    check_address(host, port, reuse_port=use_gunicorn)
    if workers == 1:
        from api.main import create_app

        # One process: the engine (taxonomy, model, index) is loaded once; requests run in
        # threads.
        uvicorn.run(create_app(), host=host, port=port, log_level=log_level,
                    access_log=access_log)
        return 0
    if not use_gunicorn:
        # Without SO_REUSEPORT (not Linux) per-worker sockets are not possible; uvicorn's
        # own workers share one socket.
        uvicorn.run("api.main:create_app", factory=True, workers=workers, host=host,
                    port=port, log_level=log_level, access_log=access_log)
        return 0
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    server = gunicorn_app({
        "bind": [bind], "workers": workers, "worker_class": worker_class(),
        "reuse_port": True, "timeout": WORKER_TIMEOUT, "graceful_timeout": GRACEFUL_TIMEOUT,
        "keepalive": KEEPALIVE, "loglevel": log_level, "errorlog": "-",
        "accesslog": "-" if access_log else None, "proc_name": "meritmatch",
    })
    from gunicorn.errors import HaltServer

    master = os.getpid()
    try:
        server.run()
    except SystemExit as exc:  # gunicorn's arbiter leaves through sys.exit
        if os.getpid() != master:
            raise  # a forked worker leaving: its exit status tells the arbiter why
        code = exc.code if isinstance(exc.code, int) else 1
    except HaltServer as exc:
        # Raised again while the arbiter halts for one worker's boot error, when a second
        # worker fails too (seen in CI with two workers): the same stop, not a traceback.
        code = exc.exit_status or 1
    else:
        code = 0
    if code != 0:
        raise MatcherError(f"the server stopped (gunicorn exit status {code}): a worker could "
                           "not start the app; the log above says why")
    return 0


def unlistened(listener: Any) -> socket.socket:
    """A socket bound to ``listener``'s address (``SO_REUSEPORT``) but not listening yet, in
    its place: ``listener`` is closed. The kernel gives a reuse-port group's connections
    only to its listening sockets, and asyncio's ``create_server`` makes this one listen when
    the server starts serving."""
    sock = socket.socket(listener.family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(listener.getsockname())  # before closing the other: the port stays held
    sock.setblocking(False)
    listener.close()
    return sock


def worker_class() -> type:
    """uvicorn's gunicorn worker, taking connections only once its app has started."""
    from uvicorn_worker import UvicornWorker

    class Worker(UvicornWorker):  # type: ignore[misc]
        sockets: list[Any]  # gunicorn's listeners, set by the arbiter before init_process

        def init_process(self) -> None:
            self.sockets = [unlistened(s) for s in self.sockets]
            super().init_process()

    return Worker


def gunicorn_app(options: dict[str, Any]) -> Any:
    """gunicorn, run from this process with ``options`` as its settings; each worker loads
    the app from the factory :func:`api.main.create_app`."""
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from api.main import create_app

            return create_app()

    return Application()
