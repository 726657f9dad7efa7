"""Pool churn: employer searches, and how soon a profile write is searchable on every server
process, while profiles change — four server processes on one PostgreSQL database.

1. A throwaway PostgreSQL cluster (initdb + pg_ctl on a free loopback port, as the tests'
   ``postgres`` fixture does), its schema made by the migrations of the code under test.
   N consenting synthetic candidates (default 1,000,000) are COPYed in, each with 8–20
   self-declared ESCO skills (60 % of one or two occupations' essential skills and a few
   others); 200 saved requirement profiles (ESCO occupations); 60 *probe* job seekers (no
   skills yet) and 60 *toggle* job seekers (like the others), each with an API key. No
   personal data. Twenty *marker* skills are held by no synthetic candidate, nor is any skill
   that stands in for one (partial credit), so a search for the markers finds only probes.
2. Two servers, ``matcher serve --workers 2`` on port A (where writes go) and the same on
   port B (standing in for a second machine): four processes, one database, started one
   server after the other.
3. For ``--duration`` seconds:
   - 20 profile writes/s through port A (httpx): half a probe declaring a marker skill it did
     not hold (each (probe, marker) pair once), half a toggle candidate turning consent off or
     on;
   - employer searches at ``--search-rate``/s through port B (httpx, open loop: latency counts
     from the scheduled time), each a saved requirement profile, top 10, audited;
   - an observer that asks each of the four processes, on a keep-alive connection pinned to
     it (the server side of the connection found in /proc), every ``--observe-every`` seconds
     which markers the probes hold (one search for the 20 markers).
   After the writes stop the observer goes on for up to ``--grace`` seconds; then the run
   ends, and writes and searches still unanswered are reported as such.

Reports: search p50/p95/p99 and errors; for each marker write, the time from its response to
the first observation that shows it on *every* process (p50/p95/max; the observer's period is
the resolution), and writes never seen everywhere; resident memory per server process; the
start-up time (launch to answering /v1/health, per server) and the pool's full-load time per
process where the server reports it (``candidate_pool`` in /v1/health). Runs accumulate in
``results/pool_churn.json`` under ``runs`` by ``--label``.

The baseline (the pool before the change log, commit 0af9668) runs the same measurement with
the servers started from a checkout of that commit::

    git worktree add /tmp/old 0af9668
    python benchmarks/pool_churn.py --candidates 50000 --label change-log
    python benchmarks/pool_churn.py --candidates 50000 --label baseline-0af9668 --code /tmp/old

``--matrix-only`` times the in-memory matrix alone at ``--candidates`` (1M fits) in this
process, in CPU time: build, search as built / with ``--tail`` changed rows / after compaction
against ``rank_matrix`` on one matrix, one change applied, one compaction.

The engine is ESCO v1.1.1 (imported from ../shared) with the ``hashing`` embedder (the pool
and the ranking do not use the model; the partial credit's embedding neighbours come from
it), kept in benchmarks/.cache/home-hashing.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import pwd
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from benchmarks.common import (  # noqa: E402
    RESULTS,
    process_cpu,
    read_response,
    resident_mb,
    write_results,
)

PROBES = 60
TOGGLES = 60
MARKERS = 20


# -- PostgreSQL --------------------------------------------------------------------------------
def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Postgres:
    """A PostgreSQL cluster of its own in a temporary directory (as tests/api/conftest.py)."""

    def __init__(self) -> None:
        found = shutil.which("initdb")
        if found:
            self.bin = Path(found).resolve().parent
        else:
            candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
            if not candidates:
                raise SystemExit("PostgreSQL server binaries not found (apt-get install "
                                 "postgresql)")
            self.bin = candidates[-1].parent
        self.root = Path(tempfile.mkdtemp(prefix="meritmatch-churn-pg-"))
        self.run_as: list[str] = []
        self.port = free_port()

    def start(self) -> str:
        data, sock = self.root / "data", self.root / "sock"
        sock.mkdir()
        if os.geteuid() == 0:  # initdb refuses root
            user = pwd.getpwnam("postgres")
            for path in (self.root, sock):
                os.chown(path, user.pw_uid, user.pw_gid)
            self.run_as = ["runuser", "-u", "postgres", "--"]
        subprocess.run([*self.run_as, str(self.bin / "initdb"), "-D", str(data), "-U",
                        "meritmatch", "--auth=trust", "-E", "UTF8", "--no-sync"],
                       check=True, capture_output=True)
        options = (f"-p {self.port} -k {sock} -c listen_addresses=127.0.0.1 "
                   "-c max_connections=300 -c shared_buffers=512MB")
        subprocess.run([*self.run_as, str(self.bin / "pg_ctl"), "-D", str(data), "-w", "-t",
                        "120", "-l", str(self.root / "server.log"), "-o", options, "start"],
                       check=True, capture_output=True)
        import psycopg

        with psycopg.connect(f"postgresql://meritmatch@127.0.0.1:{self.port}/postgres",
                             autocommit=True) as conn:
            conn.execute("CREATE DATABASE churn")
        return f"postgresql://meritmatch@127.0.0.1:{self.port}/churn"

    def stop(self) -> None:
        subprocess.run([*self.run_as, str(self.bin / "pg_ctl"), "-D", str(self.root / "data"),
                        "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


# -- data ----------------------------------------------------------------------------------------
def code_env(code: Path, home: Path, url: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(code), "MATCHER_HOME": str(home),
            "MATCHER_MODEL": "hashing", "MATCHER_DATABASE_URL": url}


def migrate(code: Path, home: Path, url: str) -> None:
    """The schema, by the migrations of the code under test (the baseline knows only 0001)."""
    # The store's settings moved to the service (api/settings.py, issue 12); older code under
    # test (--code) still has them in matcher.config.
    subprocess.run([sys.executable, "-c", "from api.store import Store\n"
                    "try:\n    from api.settings import ServiceSettings as S\n"
                    "except ImportError:\n    from matcher.config import Settings as S\n"
                    "Store(S().store_url).upgrade()"],
                   env=code_env(code, home, url), cwd=code, check=True)


def new_key(rows: list[tuple[Any, ...]], role: str, owner: str, now: datetime) -> str:
    secret = "mm_" + secrets.token_urlsafe(32)
    rows.append((hashlib.sha256(secret.encode()).hexdigest(), secret[:10], role, owner,
                 f"churn {role}", now))
    return secret


def fill(url: str, engine: Any, n: int, seed: int = 0) -> dict[str, Any]:
    """COPY the synthetic candidates, requirement profiles and keys in; returns what the
    load needs (keys, ids, markers)."""
    import psycopg
    from psycopg.types.json import Json

    rng = random.Random(seed)
    taxonomy, partial = engine.taxonomy, engine.partial_credit
    space = partial.space
    all_skills = list(taxonomy.skills)
    markers = rng.sample(all_skills, MARKERS)
    banned = set(markers)
    for marker in markers:  # skills that stand in for a marker (partial credit)
        column = partial.credit_csc[:, space.col[marker]]
        banned.update(space.uris[i] for i in column.indices)
    essential: dict[str, list[str]] = {}
    for rel in taxonomy.occupation_skills:
        if rel.essential and rel.skill_uri in taxonomy.skills and rel.skill_uri not in banned:
            essential.setdefault(rel.occupation_uri, []).append(rel.skill_uri)
    occupations = [o for o, skills in essential.items() if len(skills) >= 5]
    others = [s for s in all_skills if s not in banned]
    now = datetime.now(UTC)
    keys: list[tuple[Any, ...]] = []
    probe_keys = {f"c_probe{i:03d}": new_key(keys, "job_seeker", f"probe-{i}", now)
                  for i in range(PROBES)}
    toggle_keys = {f"c_toggle{i:03d}": new_key(keys, "job_seeker", f"toggle-{i}", now)
                   for i in range(TOGGLES)}
    employer = new_key(keys, "employer", "churn-employer", now)
    started = time.perf_counter()
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy("COPY api_keys (key_hash, prefix, role, owner, name, created_at) "
                      "FROM STDIN") as copy:
            for row in keys:
                copy.write_row(row)
        people = ([(cid, f"probe-{i}", []) for i, cid in enumerate(probe_keys)]
                  + [(cid, f"toggle-{i}", None) for i, cid in enumerate(toggle_keys)]
                  + [(f"c_bench{i:07d}", f"bench-seeker-{i}", None) for i in range(n)])
        with cur.copy("COPY candidates (id, owner, consent, consent_changed_at, share_contact, "
                      "created_at, updated_at) FROM STDIN") as copy:
            for cid, owner, _ in people:
                copy.write_row((cid, owner, True, now, False, now, now))
        with cur.copy("COPY declared_skills (candidate_id, skill_uri, added_at) "
                      "FROM STDIN") as copy:
            for cid, _, fixed in people:
                if fixed is not None:
                    continue
                skills: list[str] = []
                for occupation in rng.sample(occupations, rng.choice((1, 2))):
                    pool = essential[occupation]
                    skills += rng.sample(pool, max(1, int(0.6 * len(pool))))
                skills += rng.sample(others, rng.randint(2, 5))
                for uri in list(dict.fromkeys(skills))[:rng.randint(8, 20)]:
                    copy.write_row((cid, uri, now))
        requirement_ids = []
        for j, occupation in enumerate(rng.sample(occupations, min(200, len(occupations)))):
            profile = engine.requirement_from_occupation(occupation, lang="sv")
            rid = f"r_churn{j:04d}"
            cur.execute("INSERT INTO requirement_profiles (id, owner, title, source, "
                        "requirements, created_at) VALUES (%s, %s, %s, %s, %s, %s)",
                        (rid, "churn-employer", profile.title, "occupation",
                         Json([{"uri": r.uri, "weight": r.weight, "must_have": r.must_have,
                                "origin": r.origin} for r in profile.requirements]), now))
            requirement_ids.append(rid)
        cur.execute("UPDATE counters SET value = value + 1 WHERE name = 'candidates'")
        conn.commit()
        cur.execute("ANALYZE")
    return {"probe_keys": probe_keys, "toggle_keys": toggle_keys, "employer": employer,
            "markers": markers, "requirement_ids": requirement_ids,
            "insert_seconds": round(time.perf_counter() - started, 1)}


# -- servers -------------------------------------------------------------------------------------
def start_server(code: Path, home: Path, url: str, port: int, workers: int,
                 log: Path) -> tuple[subprocess.Popen[bytes], float]:
    import httpx

    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "matcher.cli", "serve", "--port",
                                str(port), "--workers", str(workers)],
                               env=code_env(code, home, url), cwd=code, stdout=log.open("wb"),
                               stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 3600
    ready = 0
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text()[-3000:]}")
        try:
            # Every process answers once all of them are up: ask a few times on new
            # connections (the kernel spreads them).
            ok = httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=2).status_code == 200
            ready = ready + 1 if ok else 0
            if ready >= 3 * workers and len(workers_of(process.pid)) == workers:
                return process, time.perf_counter() - started
        except httpx.HTTPError:
            ready = 0
        time.sleep(0.25)
    raise SystemExit("server did not start in an hour")


def workers_of(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    children = [int(c) for c in path.read_text().split()] if path.exists() else []
    out = []
    for child in children:
        try:
            # The old supervisor's processes were spawned (multiprocessing), gunicorn's
            # workers are forks of `matcher serve` (issue 12); neither is a resource tracker.
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            if ((b"spawn_main" in cmdline or b"matcher.cli" in cmdline)
                    and b"resource_tracker" not in cmdline):
                out.append(child)
        except OSError:
            continue
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (0 when it is gone)."""
    return sum(process_cpu(pid) or (0.0, 0.0))


def socket_owner(server_port: int, client_port: int, pids: list[int]) -> int | None:
    """Which server process holds the server side of a loopback connection (Linux /proc)."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if (int(local.split(":")[1], 16) == server_port
                and int(remote.split(":")[1], 16) == client_port):
            inode = fields[9]
    if inode is None:
        return None
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return pid
        except OSError:
            continue
    return None


class Pinned:
    """A keep-alive HTTP/1.1 connection to one server process."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 port: int) -> None:
        self.reader, self.writer, self.port = reader, writer, port
        self.pid: int | None = None
        self.broken = False

    async def request(self, method: str, path: str, body: Any = None,
                      key: str | None = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else b""
        head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n")
        if key:
            head += f"X-API-Key: {key}\r\n"
        self.writer.write(head.encode() + b"\r\n" + data)
        status, body = await read_response(self.reader)
        return status, json.loads(body)


async def pin_connections(port: int, pids: list[int], tries: int = 200) -> dict[int, Pinned]:
    """One keep-alive connection per server process of the server on ``port``."""
    pinned: dict[int, Pinned] = {}
    for _ in range(tries):
        conn = Pinned(*await asyncio.open_connection("127.0.0.1", port), port)
        await conn.request("GET", "/v1/health")
        owner = socket_owner(port, conn.writer.get_extra_info("sockname")[1], pids)
        if owner is not None and owner not in pinned:
            conn.pid = owner
            pinned[owner] = conn
        else:
            conn.writer.close()
        if len(pinned) == len(pids):
            return pinned
    raise SystemExit(f"could not reach every process of the server on port {port}")


# -- the load ------------------------------------------------------------------------------------
def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "max": None}
    arr = np.array(values)
    return {"p50": round(float(np.percentile(arr, 50)), 3),
            "p95": round(float(np.percentile(arr, 95)), 3),
            "max": round(float(arr.max()), 3)}


async def churn(args: argparse.Namespace, data: dict[str, Any], ports: list[int],
                pinned: dict[int, Pinned]) -> dict[str, Any]:
    import httpx

    markers = data["markers"]
    probes = list(data["probe_keys"])
    toggles = list(data["toggle_keys"])
    marker_writes: list[dict[str, Any]] = []  # probe, marker, acked, seen_on {pid: t}
    write_status: list[int] = []
    search_samples: list[tuple[float, int]] = []
    loop_start = time.perf_counter()
    writes_done = asyncio.Event()
    write_url, search_url = (f"http://127.0.0.1:{p}" for p in ports)
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    timeout = httpx.Timeout(600.0)

    w = httpx.AsyncClient(base_url=write_url, limits=limits, timeout=timeout)
    s = httpx.AsyncClient(base_url=search_url, limits=limits, timeout=timeout)
    # Everything stops here: a request still unanswered then is counted as such (the
    # baseline's processes can spend minutes reloading, all their threads waiting).
    end = loop_start + args.duration + args.grace
    try:

        async def one_write(i: int) -> None:
            try:
                if i % 2 == 0:  # a marker declared by a probe: measured
                    j = i // 2
                    probe, marker = probes[j % PROBES], markers[(j // PROBES) % MARKERS]
                    r = await asyncio.wait_for(w.post(
                        "/v1/me/candidate/skills", json={"uri": marker},
                        headers={"X-API-Key": data["probe_keys"][probe]}),
                        max(0.01, end - time.perf_counter()))
                    if r.status_code == 201:
                        marker_writes.append({"probe": probe, "marker": marker,
                                              "acked": time.perf_counter(), "seen": {}})
                else:  # consent off or on
                    j = i // 2
                    toggle = toggles[j % TOGGLES]
                    r = await asyncio.wait_for(w.patch(
                        "/v1/me/candidate", json={"consent": (j // TOGGLES) % 2 == 1},
                        headers={"X-API-Key": data["toggle_keys"][toggle]}),
                        max(0.01, end - time.perf_counter()))
                write_status.append(r.status_code)
            except httpx.HTTPError:
                write_status.append(0)
            except TimeoutError:
                pass  # unanswered when the run ended

        async def one_search(i: int) -> None:
            due = loop_start + i / args.search_rate
            rid = data["requirement_ids"][i % len(data["requirement_ids"])]
            try:
                r = await asyncio.wait_for(s.post(
                    "/v1/search", json={"requirement_id": rid, "top_k": 10},
                    headers={"X-API-Key": data["employer"]}),
                    max(0.01, end - time.perf_counter()))
                status = r.status_code
            except httpx.HTTPError:
                status = 0
            except TimeoutError:
                return  # unanswered when the run ended
            search_samples.append((time.perf_counter() - due, status))

        pending: list[asyncio.Task[None]] = []
        scheduled = {"writes": 0, "searches": 0}

        async def schedule(rate: float, job: Any, kind: str) -> None:
            i = 0
            while i / rate < args.duration:
                delay = loop_start + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                pending.append(asyncio.create_task(job(i)))
                scheduled[kind] += 1
                i += 1

        observe_body = {"requirement": {"skills": [{"uri": m} for m in markers]},
                        "top_k": PROBES}

        async def observe(conn: Pinned) -> None:
            while True:
                sent = time.perf_counter()
                try:
                    status, body = await asyncio.wait_for(
                        conn.request("POST", "/v1/search", observe_body, data["employer"]),
                        max(0.01, end - sent))
                except TimeoutError:
                    conn.broken = True  # a response may still arrive on it
                    return
                got = time.perf_counter()
                if status == 200:
                    held = {(c["candidate_id"], m["uri"]) for c in body["results"]
                            for m in c["matched"]}
                    for write in list(marker_writes):
                        if conn.pid not in write["seen"] and (write["probe"],
                                                              write["marker"]) in held:
                            write["seen"][conn.pid] = max(0.0, got - write["acked"])
                if got >= end or (writes_done.is_set() and all(
                        len(w_["seen"]) == len(pinned) for w_ in marker_writes)):
                    return
                await asyncio.sleep(max(0.0, args.observe_every - (time.perf_counter()
                                                                   - sent)))

        async def schedules() -> None:
            await asyncio.gather(schedule(args.write_rate, one_write, "writes"),
                                 schedule(args.search_rate, one_search, "searches"))
            writes_done.set()

        await asyncio.gather(schedules(), *(observe(c) for c in pinned.values()))
        await asyncio.gather(*pending)  # each ends by `end` at the latest
    finally:
        for client in (w, s):
            try:
                await asyncio.wait_for(client.aclose(), 10)
            except (TimeoutError, httpx.HTTPError):
                pass

    everywhere = [max(w_["seen"].values()) for w_ in marker_writes
                  if len(w_["seen"]) == len(pinned)]
    per_process = {str(pid): percentiles([w_["seen"][pid] for w_ in marker_writes
                                          if pid in w_["seen"]]) for pid in pinned}
    latencies = [1000 * t for t, status in search_samples if status == 200]
    return {
        "writes": {"sent": scheduled["writes"],
                   "unanswered_at_end": scheduled["writes"] - len(write_status),
                   "ok": sum(1 for c in write_status if c in (200, 201)),
                   "errors": sum(1 for c in write_status if c not in (200, 201)),
                   "error_statuses": sorted(c for c in write_status if c not in (200, 201))},
        "visible_everywhere_s": percentiles(everywhere),
        "visible_per_process_s": per_process,
        "marker_writes": len(marker_writes),
        "never_visible_everywhere": len(marker_writes) - len(everywhere),
        "search": {"requests": scheduled["searches"],
                   "unanswered_at_end": scheduled["searches"] - len(search_samples),
                   "ok": len(latencies),
                   "errors": len(search_samples) - len(latencies),
                   "error_statuses": sorted(c for _, c in search_samples if c != 200),
                   "p50_ms": round(float(np.percentile(latencies, 50)), 1) if latencies else None,
                   "p95_ms": round(float(np.percentile(latencies, 95)), 1) if latencies else None,
                   "p99_ms": round(float(np.percentile(latencies, 99)), 1) if latencies else None,
                   "max_ms": round(max(latencies), 1) if latencies else None},
    }


async def pool_states(pinned: dict[int, Pinned]) -> dict[str, Any]:
    """Each process's ``candidate_pool`` from /v1/health (None: no answer within 10 s, e.g.
    every request thread of the baseline waiting for a reload)."""
    out: dict[str, Any] = {}
    for pid in list(pinned):
        try:
            out[str(pid)] = await asyncio.wait_for(_pool_state(pinned, pid), 10)
        except TimeoutError:
            out[str(pid)] = None
    return out


async def _pool_state(pinned: dict[int, Pinned], pid: int) -> Any:
    conn = pinned[pid]
    try:
        if conn.broken:
            raise ConnectionError("a response may still be on its way")
        _, body = await conn.request("GET", "/v1/health")
    except (ConnectionError, IndexError, asyncio.IncompleteReadError):
        # Closed by the server after 5 s idle (uvicorn), or unusable: pin another one.
        conn.writer.close()
        conn = pinned[pid] = (await pin_connections(conn.port, [pid]))[pid]
        _, body = await conn.request("GET", "/v1/health")
    return body.get("candidate_pool")  # absent before the change log


async def measure(args: argparse.Namespace, data: dict[str, Any], ports: list[int],
                  pids: dict[int, list[int]]) -> dict[str, Any]:
    pinned: dict[int, Pinned] = {}
    for port in ports:
        pinned |= await pin_connections(port, pids[port])
    before = await pool_states(pinned)
    result = await churn(args, data, ports, pinned)
    result["pool_before"], result["pool_after"] = before, await pool_states(pinned)
    for conn in pinned.values():
        conn.writer.close()
    return result


def start_profiles(args: argparse.Namespace, pids: list[int]) -> list[subprocess.Popen[bytes]]:
    """py-spy on each server process for the writes' duration (plus the pinning's second)."""
    args.profile.mkdir(parents=True, exist_ok=True)
    return [subprocess.Popen(["py-spy", "record", "-d", str(int(args.duration) + 1), "-r", "100",
                              "-f", "raw", "-o", str(args.profile / f"{pid}.txt"), "-p", str(pid)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for pid in pids]


def matrix_only(args: argparse.Namespace) -> int:
    """In one process, no database: the pool's matrix at ``--candidates`` (1M fits here).

    Synthetic profiles (15 self-declared skills each, drawn uniformly); 30 requirement
    profiles from ESCO occupations. Times: building the matrix; a search (score, top 10,
    explanations) on the matrix as built, with ``--tail`` changed candidates in the tail, and
    after compaction, against :func:`matcher.scoring.rank.rank_matrix` on one matrix; applying one
    changed profile; a compaction. Timed in CPU seconds of this thread (``time.thread_time``),
    so that other work on the machine does not count.
    """
    clock = time.thread_time
    from api import ranking as api_ranking
    from api.pool_matrix import PoolMatrix
    from matcher import Engine, Settings
    from matcher.profiles import CandidateProfile, Evidence
    from matcher.scoring.rank import rank_matrix
    from matcher.scoring.score import candidate_matrix, title_columns

    engine = Engine(Settings(home=args.home, model="hashing"), show_progress=False)
    taxonomy, partial = engine.taxonomy, engine.partial_credit
    rng = random.Random(0)
    skills = list(taxonomy.skills)
    evidence = Evidence("self_declared", 1.0, 0.5)

    def profile(candidate_id: str) -> CandidateProfile:
        return CandidateProfile(candidate_id, dict.fromkeys(rng.sample(skills, 15), (evidence,)))

    profiles = [profile(f"c_{rng.getrandbits(48):012x}") for _ in range(args.candidates)]
    started = clock()
    titles = title_columns(taxonomy, partial.space)
    matrix = PoolMatrix(partial.space, titles, profiles)
    build = clock() - started
    occupations = sorted({r.occupation_uri for r in taxonomy.occupation_skills})
    requirements = [engine.requirement_from_occupation(o, lang="sv")
                    for o in rng.sample(occupations, 30)]

    class Pool:
        def snapshot(self, space: Any = None) -> Any:
            return matrix.snapshot()

    def searches() -> dict[str, float]:
        times = []
        for requirement in requirements:
            t0 = clock()
            api_ranking.rank(engine, Pool(), requirement, top_k=10,  # type: ignore[arg-type]
                             lang="sv")
            times.append(1000 * (clock() - t0))
        return {"p50_ms": round(float(np.percentile(times, 50)), 1),
                "p95_ms": round(float(np.percentile(times, 95)), 1)}

    out: dict[str, Any] = {"build_seconds": round(build, 2), "search_as_built": searches()}
    ordered = sorted(profiles, key=lambda p: p.id)
    one = candidate_matrix(ordered, partial.space, titles).tocsc()
    ids = [p.id for p in ordered]
    times = []
    for requirement in requirements:
        t0 = clock()
        rank_matrix(requirement, one, ids, partial, taxonomy, profile_of=ordered.__getitem__,
                    top_k=10, lang="sv")
        times.append(1000 * (clock() - t0))
    out["search_one_matrix_rank_matrix"] = {"p50_ms": round(float(np.percentile(times, 50)), 1),
                                            "p95_ms": round(float(np.percentile(times, 95)), 1)}
    del one, ordered
    applies = []
    for _ in range(args.tail):
        changed = profile(profiles[rng.randrange(len(profiles))].id)
        t0 = clock()
        matrix.apply([changed])
        applies.append(1000 * (clock() - t0))
    out["apply_one_ms"] = {"p50": round(float(np.percentile(applies, 50)), 2),
                           "p95": round(float(np.percentile(applies, 95)), 2),
                           "max": round(max(applies), 2)}
    out["tail_rows"] = matrix.tail_rows
    out["search_with_tail"] = searches()
    t0 = clock()
    matrix.compact()
    out["compact_seconds"] = round(clock() - t0, 2)
    out["search_after_compaction"] = searches()
    out["resident_mb"] = resident_mb(os.getpid())
    run = {"command": " ".join(["python benchmarks/pool_churn.py", *sys.argv[1:]]),
           "candidates": args.candidates, **out,
           "load_average": [round(x, 2) for x in os.getloadavg()],
           "date": datetime.now(UTC).isoformat(timespec="seconds")}
    path = RESULTS / "pool_churn.json"
    previous = json.loads(path.read_text()).get("runs", {}) if path.exists() else {}
    previous[args.label] = run
    write_results("pool_churn", {"runs": previous})
    print(json.dumps(run, indent=1))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=1_000_000)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of writes")
    parser.add_argument("--write-rate", type=float, default=20.0, help="profile writes/s")
    parser.add_argument("--search-rate", type=float, default=20.0, help="employer searches/s")
    parser.add_argument("--observe-every", type=float, default=0.2,
                        help="seconds between two observations of each process")
    parser.add_argument("--grace", type=float, default=60.0,
                        help="seconds to keep observing after the writes; then the run ends "
                        "and requests still unanswered are counted as such")
    parser.add_argument("--workers", type=int, default=2, help="processes per server")
    parser.add_argument("--code", type=Path, default=ROOT.parent,
                        help="checkout to run the servers from (the baseline: another one)")
    parser.add_argument("--label", default="change-log", help="name of this run")
    parser.add_argument("--home", type=Path, default=ROOT / ".cache" / "home-hashing")
    parser.add_argument("--matrix-only", action="store_true",
                        help="time the in-memory matrix alone, in this process (no servers)")
    parser.add_argument("--profile", type=Path, default=None,
                        help="directory: py-spy (pip install py-spy) samples each server "
                             "process for --duration seconds from the first write, one "
                             "collapsed-stack file per process (the sampling takes CPU: such "
                             "runs measure where time goes, not how long)")
    parser.add_argument("--tail", type=int, default=20_000,
                        help="--matrix-only: changed candidates applied before compaction")
    args = parser.parse_args()
    if args.matrix_only:
        return matrix_only(args)

    from matcher import Engine, Settings

    code = args.code.resolve()
    engine = Engine(Settings(home=args.home, model="hashing"), show_progress=False)
    _ = engine.mapper, engine.partial_credit  # built and saved once, loaded by the servers
    commit = subprocess.run(["git", "-C", str(code), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    work = Path(tempfile.mkdtemp(prefix="meritmatch-churn-"))
    pg = Postgres()
    servers: list[subprocess.Popen[bytes]] = []
    pids: dict[int, list[int]] = {}
    try:
        url = pg.start()
        migrate(code, args.home, url)
        data = fill(url, engine, args.candidates)
        print(f"{args.candidates:,} candidates in PostgreSQL in {data['insert_seconds']}s "
              f"({work})", flush=True)
        ports = [free_port(), free_port()]
        startup = {}
        for name, port in zip(("A", "B"), ports, strict=True):
            process, seconds = start_server(code, args.home, url, port, args.workers,
                                            work / f"server-{name}.log")
            servers.append(process)
            startup[name] = round(seconds, 1)
            pids[port] = workers_of(process.pid)
            print(f"server {name} (port {port}, processes {pids[port]}) answering after "
                  f"{seconds:.1f}s", flush=True)
        load_before = os.getloadavg()
        everyone = [pid for port in ports for pid in pids[port]]
        cpu_before = {pid: cpu_seconds(pid) for pid in everyone}
        profilers = [] if args.profile is None else start_profiles(args, everyone)
        result = asyncio.run(measure(args, data, ports, pids))
        for profiler in profilers:
            profiler.wait(120)
        # CPU the server processes spent during the run: unlike latencies, not inflated by
        # other work on a shared machine.
        cpu = {str(pid): round(cpu_seconds(pid) - cpu_before[pid], 1) for pid in everyone}
        memory = {str(pid): resident_mb(pid) for pid in everyone}
    finally:
        for process in servers:
            process.terminate()
        for process in servers:
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
        for port_pids in pids.values():  # left behind by a supervisor that was killed
            for pid in port_pids:
                if Path(f"/proc/{pid}").exists():
                    os.kill(pid, signal.SIGKILL)
        pg.stop()
    run = {
        "command": " ".join(["python benchmarks/pool_churn.py", *sys.argv[1:]]),
        "code": f"{code} ({commit})", "candidates": args.candidates,
        "database": "PostgreSQL (throwaway cluster, loopback)",
        "servers": f"2 × matcher serve --workers {args.workers} (ports A and B), one database",
        "write_rate": args.write_rate, "search_rate": args.search_rate,
        "duration_seconds": args.duration, "observe_every_seconds": args.observe_every,
        "insert_seconds": data["insert_seconds"],
        "startup_seconds_to_health": startup,
        "full_load_seconds_per_process": {
            pid: (state or {}).get("load_seconds") for pid, state in
            result["pool_before"].items()},
        "resident_mb_per_process": memory,
        "server_cpu_seconds_during_run": cpu,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        **result,
    }
    path = RESULTS / "pool_churn.json"
    previous = json.loads(path.read_text()).get("runs", {}) if path.exists() else {}
    previous[args.label] = run | {"date": datetime.now(UTC).isoformat(timespec="seconds")}
    write_results("pool_churn", {"runs": previous})
    s, v = result["search"], result["visible_everywhere_s"]
    print(f"[{args.label}] searches p50 {s['p50_ms']} ms p95 {s['p95_ms']} ms "
          f"(errors {s['errors']}/{s['requests']}); writes {result['writes']}; "
          f"visible on every process p50 {v['p50']} s p95 {v['p95']} s max {v['max']} s, "
          f"never {result['never_visible_everywhere']}/{result['marker_writes']}; "
          f"RSS MB {memory}; server CPU s {cpu}; start-up {startup} s; full loads "
          f"{run['full_load_seconds_per_process']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
