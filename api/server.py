"""Running the service: one process, or several that share the port (``matcher serve``).

One process serves requests in threads under one GIL, so it uses about one core. Several
processes use more cores. uvicorn's own ``workers=N`` has every process accept from one
shared socket: the process that wakes first takes each new connection, and a keep-alive
connection stays with the process that accepted it. Measured with 32 keep-alive client
connections, one of two processes ended up with over twice the other's load and its queue
set the latency (``benchmarks/service_load.py``).

On Linux each process here binds its own socket with ``SO_REUSEPORT`` instead, and the kernel
spreads new connections evenly over them. This module supervises the processes: it restarts
one that dies, stops them all on SIGINT/SIGTERM, and gives up (exit 1) when a process cannot
start, e.g. because the port is taken.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import time
from typing import Any

logger = logging.getLogger(__name__)

STARTUP_FAILURE = 3  # exit code of a process that could not bind or start the app


def reuse_port_supported() -> bool:
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def serve(*, host: str, port: int, workers: int, log_level: str, access_log: bool) -> int:
    """Serve until interrupted; returns the exit code."""
    import uvicorn

    from api.main import create_app

    if workers == 1:
        # One process: the engine (taxonomy, model, index) is loaded once; requests run in
        # threads.
        uvicorn.run(create_app(), host=host, port=port, log_level=log_level,
                    access_log=access_log)
        return 0
    if not reuse_port_supported():
        uvicorn.run("api.main:create_app", factory=True, workers=workers, host=host,
                    port=port, log_level=log_level, access_log=access_log)
        return 0
    return Supervisor(workers, {"host": host, "port": port, "log_level": log_level,
                                    "access_log": access_log}).run()


def _worker(options: dict[str, Any]) -> None:
    """One server process: its own SO_REUSEPORT socket, its own engine (api.main)."""
    import uvicorn

    family = socket.AF_INET6 if ":" in options["host"] else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((options["host"], options["port"]))
    except OSError as exc:
        sys.stderr.write(f"matcher: cannot listen on {options['host']}:{options['port']}: "
                         f"{exc.strerror}\n")
        sys.exit(STARTUP_FAILURE)
    config = uvicorn.Config("api.main:create_app", factory=True, host=options["host"],
                            port=options["port"], log_level=options["log_level"],
                            access_log=options["access_log"])
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    if not server.started:
        sys.exit(STARTUP_FAILURE)


class Supervisor:
    """Starts ``workers`` server processes and keeps them running until told to stop."""

    def __init__(self, workers: int, options: dict[str, Any]) -> None:
        self.workers = workers
        self.options = options
        self.context = multiprocessing.get_context("spawn")
        self.processes: list[Any] = []
        self.stopping = False

    def _start(self) -> Any:
        process = self.context.Process(target=_worker, args=(self.options,),
                                       name="meritmatch-server", daemon=False)
        process.start()
        return process

    def _stop(self, *_: Any) -> None:
        self.stopping = True

    def run(self) -> int:
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        code = 0
        try:
            self.processes = [self._start() for _ in range(self.workers)]
            while not self.stopping:
                time.sleep(0.25)
                for i, process in enumerate(self.processes):
                    if process.is_alive() or self.stopping:
                        continue
                    if process.exitcode == STARTUP_FAILURE:
                        sys.stderr.write("matcher: a server process could not start; "
                                         "stopping\n")
                        code = 1
                        self.stopping = True
                        break
                    logger.warning("server process %s exited (%s); starting another",
                                   process.pid, process.exitcode)
                    self.processes[i] = self._start()
        finally:
            for process in self.processes:
                if process.is_alive():
                    process.terminate()  # SIGTERM: uvicorn finishes open requests, then exits
            deadline = time.monotonic() + 30
            for process in self.processes:
                process.join(max(0.0, deadline - time.monotonic()))
                if process.is_alive():
                    process.kill()
                    process.join()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return code
