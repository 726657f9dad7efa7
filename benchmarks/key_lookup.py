"""What reading the API key from the database on every request costs (issue 13, row 8).

Before issue 13 a valid key was cached for 5 s per process, so a key revoked through another
process kept working for up to 5 s. Now every request reads it (``Store.find_key``: one
lookup on the unique ``key_hash`` index through SQLAlchemy Core). This times that lookup on a
store with ``--keys`` keys, on SQLite (a file, WAL) and, with ``--database-url``, on
PostgreSQL.

    python benchmarks/key_lookup.py --keys 1000 --lookups 5000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from api.store import Store  # noqa: E402
from benchmarks.common import write_results  # noqa: E402


def measure(url: str, keys: int, lookups: int) -> dict[str, float | str]:
    store = Store(url)
    store.upgrade()
    secrets = [store.create_key("employer", f"k{i}")[1] for i in range(keys)]
    rng = np.random.default_rng(0)
    picks = rng.integers(0, keys, size=lookups)
    for i in picks[:200]:  # warm the connection pool and the page cache
        store.find_key(secrets[i])
    times = []
    for i in picks:
        started = time.perf_counter()
        assert store.find_key(secrets[i]) is not None
        times.append((time.perf_counter() - started) * 1e6)
    store.dispose()
    a = np.asarray(times)
    return {"database": store.dialect, "p50_us": round(float(np.percentile(a, 50)), 1),
            "p95_us": round(float(np.percentile(a, 95)), 1),
            "mean_us": round(float(a.mean()), 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keys", type=int, default=1000)
    parser.add_argument("--lookups", type=int, default=5000)
    parser.add_argument("--database-url", help="also measure on this (empty) PostgreSQL db")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(measure(f"sqlite:///{tmp}/keys.db", args.keys, args.lookups))
    if args.database_url:
        results.append(measure(args.database_url, args.keys, args.lookups))
    for r in results:
        print(r)
    write_results("key_lookup", {"keys": args.keys, "lookups": args.lookups,
                                 "results": results})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
