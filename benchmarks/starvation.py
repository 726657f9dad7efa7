"""Can heavy mapping clients starve employer searches? (issue 13, row 4)

Starts ``matcher serve`` (one process, SQLite) on the tests' mini ESCO taxonomy with the
``hashing`` model, so it runs in a few minutes on any machine and never builds the full
index. Job seekers with consent and declared skills are created through the API. Then:

1. **baseline**: one employer searches at ``--rate`` searches/s for ``--baseline`` seconds;
2. **under load**: the same searches while ``--heavy`` clients (each with its own key) post
   ``/v1/map`` requests at the cap (10 texts of 2,000 characters, 20,000 in all) back to back
   for ``--duration`` seconds.

Reported: search p50/p95/p99 latency in both phases, and the heavy clients' answers (200,
429 over their mapping quota, 503 when the mapping pool's queue is full). Run for each
configuration in ``--configs``: ``default`` (the shipped quotas and a one-thread mapping
pool), ``no-quota`` (quotas lifted: the mapping pool alone protects searches) and
``before`` (the code of ``--server-path``, e.g. the commit before issue 13).

    python benchmarks/starvation.py --duration 30 --baseline 10
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from benchmarks.common import write_results  # noqa: E402
from tests.fixtures import esco_mini  # noqa: E402

CONFIGS: dict[str, dict[str, str]] = {
    "before": {},  # --server-path: an older checkout (no quotas, mapping in request threads)
    "default": {},
    "no-quota": {"MATCHER_RATE_LIMIT": "1000000/minute",
                 "MATCHER_MAPPING_RATE_LIMIT": "1000000000/minute"},
}
TEXT = ("Deltagaren kan köra gaffeltruck, kontrollera truckar före användning och läsa "
        "ritningar; the learner is able to weld with MIG/MAG and handle cash registers. ")


def make_home(root: Path) -> Path:
    from matcher import read_esco
    from matcher.taxonomy import save_taxonomy

    bundles = root / "esco"
    esco_mini.write_bundle(bundles / "en", lang="en")
    esco_mini.write_bundle(bundles / "sv", lang="sv")
    esco_mini.write_relations(bundles / "relations")
    taxonomy = read_esco([bundles / "en", bundles / "sv", bundles / "relations"],
                         version="v1.1.1")
    home = root / "home"
    save_taxonomy(taxonomy, home / "taxonomy")
    return home


def start(home: Path, port: int, env_extra: dict[str, str],
          server_path: str | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MATCHER_HOME": str(home), "MATCHER_MODEL": "hashing", **env_extra}
    command = [sys.executable, "-m", "matcher.cli"]
    if server_path:  # another checkout's code (e.g. before issue 13) serves: put it first
        # and drop the editable install's import hook, which would win over sys.path
        command = [sys.executable, "-c",
                   "import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' "
                   f"not in repr(f)]; sys.path.insert(0, {server_path!r}); "
                   "from matcher.cli import main; sys.exit(main())"]
    process = subprocess.Popen([*command, "serve", "--port", str(port)], env=env,
                               stdout=(home / "server.log").open("ab"),
                               stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def keys(home: Path, roles: list[str]) -> list[str]:
    from api.settings import ServiceSettings
    from api.store import Store

    store = Store(ServiceSettings(home=home, model="hashing").store_url)
    store.upgrade()
    out = [store.create_key(role, f"bench {i}")[1] for i, role in enumerate(roles)]
    store.dispose()
    return out


def populate(url: str, home: Path, seekers: int) -> list[str]:
    skills = [esco_mini.SKILL + s[0] for s in esco_mini.SKILLS]
    rng = np.random.default_rng(0)
    with httpx.Client(base_url=url, timeout=30) as client:
        for key in keys(home, ["job_seeker"] * seekers):
            h = {"X-API-Key": key}
            client.post("/v1/me/candidate", json={"consent": True}, headers=h)
            for uri in rng.choice(skills, size=4, replace=False):
                client.post("/v1/me/candidate/skills", json={"uri": str(uri)}, headers=h)
    return skills


def searcher(url: str, key: str, skills: list[str], rate: float, stop: threading.Event,
             out: list[float]) -> None:
    body = {"requirement": {"skills": [{"uri": u} for u in skills[:5]]}, "top_k": 10}
    with httpx.Client(base_url=url, timeout=120, headers={"X-API-Key": key}) as client:
        next_at = time.perf_counter()
        while not stop.is_set():
            started = time.perf_counter()
            r = client.post("/v1/search", json=body)
            if r.status_code != 200:
                raise SystemExit(f"search failed: {r.status_code} {r.text[:200]}")
            out.append((time.perf_counter() - started) * 1000)
            next_at += 1 / rate
            time.sleep(max(0.0, next_at - time.perf_counter()))


def heavy(url: str, key: str, stop: threading.Event, out: list[int]) -> None:
    texts = [(TEXT * 20)[:2000]] * 10
    with httpx.Client(base_url=url, timeout=300, headers={"X-API-Key": key}) as client:
        while not stop.is_set():
            r = client.post("/v1/map", json={"texts": texts})
            out.append(r.status_code)
            if r.status_code in (429, 503):  # a polite client waits as told; most do not
                stop.wait(min(float(r.headers.get("Retry-After", 1)), 1.0))


def stats(ms: list[float]) -> dict[str, Any]:
    a = np.asarray(ms)
    return {"searches": len(ms), "p50_ms": round(float(np.percentile(a, 50)), 1),
            "p95_ms": round(float(np.percentile(a, 95)), 1),
            "p99_ms": round(float(np.percentile(a, 99)), 1),
            "max_ms": round(float(a.max()), 1)}


def run(config: str, args: argparse.Namespace, root: Path) -> dict[str, Any]:
    home = make_home(root / config)
    port = 18000 + os.getpid() % 1000 + len(config)
    url = f"http://127.0.0.1:{port}"
    process = start(home, port, CONFIGS[config],
                    args.server_path if config == "before" else None)
    try:
        skills = populate(url, home, args.seekers)
        employer, *mappers = keys(home, ["employer"] + ["issuer"] * args.heavy)
        base: list[float] = []
        stop = threading.Event()
        t = threading.Thread(target=searcher, args=(url, employer, skills, args.rate, stop, base))
        t.start()
        time.sleep(args.baseline)
        stop.set()
        t.join()
        loaded: list[float] = []
        answers: list[int] = []
        stop = threading.Event()
        threads = [threading.Thread(target=heavy, args=(url, k, stop, answers)) for k in mappers]
        for th in threads:
            th.start()
        time.sleep(2)  # the heavy clients are running
        t = threading.Thread(target=searcher, args=(url, employer, skills, args.rate, stop,
                                                    loaded))
        t.start()
        time.sleep(args.duration)
        stop.set()
        for th in [t, *threads]:
            th.join()
        counts = {str(s): answers.count(s) for s in sorted(set(answers))}
        result = {"config": config, "env": CONFIGS[config], "baseline": stats(base),
                  "under_load": stats(loaded), "heavy_answers": counts}
        print(result, flush=True)
        return result
    finally:
        process.terminate()
        process.wait(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--baseline", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=10.0, help="searches per second")
    parser.add_argument("--heavy", type=int, default=10, help="heavy /v1/map clients")
    parser.add_argument("--seekers", type=int, default=200)
    parser.add_argument("--configs", default="default,no-quota")
    parser.add_argument("--server-path", help="for the 'before' config: a checkout whose "
                        "matcher/ and api/ serve (e.g. `git archive` of an older commit)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="starvation-") as tmp:
        results = [run(c, args, Path(tmp)) for c in args.configs.split(",")]
    load = os.getloadavg()
    write_results("starvation", {
        "model": "hashing (lexical; the mini test taxonomy: 30-odd skills)",
        "duration_s": args.duration, "baseline_s": args.baseline, "rate": args.rate,
        "heavy_clients": args.heavy, "seekers": args.seekers,
        "load_average_after": [round(x, 2) for x in load], "results": results})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
