"""Autocomplete speed: milliseconds per keystroke of api.search.LabelSearch on full ESCO.

Every prefix of each query below is one keystroke (a prefix ending in a space is skipped: the
page waits for the next letter). The queries are what people type into the web page's skill
and occupation fields, Swedish and English, some with typing errors or without å/ä/ö. Two
taxonomies:

- ``en``: ESCO v1.1.1 English as the benchmarks import it (benchmarks/.cache/home; imported
  from ../shared on first use);
- ``en+sv``: the same bundles plus the Swedish occupation labels of
  ../shared/esco/sv-occupation-labels, joined with esco_data/join_label_files.py into a
  temporary file (never into the repository) and read in memory: the benchmarks' import and
  its skill index are left as they are.

Only the lexical search is timed: the skill index is not loaded. When fewer skills than asked
for match, the service would then also map the text semantically (``Engine.map_outcomes``,
tens of ms: see Mapping speed in docs/benchmarks.md); the share of keystrokes where that
happens is reported. For comparison, the same keystrokes through the previous implementation
(a Python scan of every label, before rapidfuzz) and, on a sample, rapidfuzz's ``WRatio``
over every label.

    python benchmarks/autocomplete.py
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from benchmarks.common import BUNDLES, SHARED, official_engine, write_results  # noqa: E402

SV_LABELS = SHARED / "esco" / "sv-occupation-labels"

# (kind, language of the page, text typed): realistic fields, Swedish and English.
QUERIES: list[tuple[str, str, str]] = [
    ("occupation", "sv", "undersköterska"),
    ("occupation", "sv", "undersköterka"),  # typing error
    ("occupation", "sv", "lokalvardare"),  # without å
    ("occupation", "sv", "sjukskoterska"),  # without ö
    ("occupation", "sv", "truckförare"),
    ("occupation", "sv", "barnskötare"),
    ("occupation", "sv", "lastbilschaufför"),
    ("occupation", "sv", "elektriker"),
    ("occupation", "sv", "snickare"),
    ("occupation", "sv", "personlig assistent"),
    ("occupation", "sv", "systemutvecklare"),
    ("occupation", "sv", "kock"),
    ("occupation", "en", "nurse"),
    ("occupation", "en", "forklift operator"),
    ("occupation", "en", "software developer"),
    ("occupation", "en", "electrician"),
    ("occupation", "en", "care assistant"),
    ("occupation", "en", "welder"),
    ("skill", "en", "operate forklift"),
    ("skill", "en", "customer service"),
    ("skill", "en", "custmer service"),  # typing error
    ("skill", "en", "first aid"),
    ("skill", "en", "python"),
    ("skill", "en", "pyhton"),  # swapped letters
    ("skill", "en", "project management"),
    ("skill", "en", "dementia care"),
    ("skill", "en", "read engineering drawings"),
    ("skill", "en", "install solar panels"),
    ("skill", "en", "welding"),
    ("skill", "en", "hygiene"),
    ("skill", "sv", "gaffeltruck"),  # Swedish typed against English skill labels
    ("skill", "sv", "svetsa"),
]

# What the first hit must be for a few queries (read from the results, not asserted).
EXPECT = [("occupation", "sv", "undersköterka"), ("occupation", "sv", "lokalvardare"),
          ("occupation", "sv", "sjukskoterska"), ("skill", "en", "custmer service"),
          ("skill", "en", "pyhton"), ("occupation", "en", "forklift operatr")]


class LexicalOnly:
    """The engine as LabelSearch sees it, without the skill index: the taxonomy, and a
    semantic mapping that counts its calls and finds nothing."""

    def __init__(self, taxonomy: Any) -> None:
        self.taxonomy = taxonomy
        self.fallbacks = 0

    def map_outcomes(self, texts: list[str], **_: Any) -> list[Any]:
        from types import SimpleNamespace

        self.fallbacks += 1
        return [SimpleNamespace(skills=[]) for _ in texts]


def keystrokes(text: str) -> list[str]:
    return [text[:end] for end in range(1, len(text) + 1) if not text[:end].endswith(" ")]


def previous_scan(labels: list[tuple[str, str, str, bool]], query: str, lang: str,
                  limit: int = 10) -> list[str]:
    """The search before rapidfuzz (api/search.py at 0af9668): every label in Python."""
    from matcher.index import normalise_text

    q = normalise_text(query)
    best: dict[str, float] = {}
    for key, uri, label_lang, preferred in labels:
        if key.startswith(q):
            score = 1.0
        elif f" {q}" in f" {key}":
            score = 0.85
        elif q in key:
            score = 0.7
        else:
            continue
        score += (0.05 if preferred else 0.0) + (0.04 if label_lang == lang else 0.0)
        score -= min(len(key) - len(q), 60) / 1000
        if score > best.get(uri, -1.0):
            best[uri] = score
    return sorted(best, key=lambda u: -best[u])[:limit]


def all_labels(concepts: Any) -> list[tuple[str, str, str, bool]]:
    from matcher.index import normalise_text

    out = []
    for c in concepts:
        out += [(normalise_text(t), c.uri, lang, True) for lang, t in c.labels.items()]
        out += [(normalise_text(t), c.uri, lang, False) for lang, ts in c.alt_labels.items()
                for t in ts]
    return out


def percentiles(ms: list[float]) -> dict[str, float]:
    a = np.array(ms)
    return {"keystrokes": len(ms), "p50_ms": round(float(np.percentile(a, 50)), 3),
            "p95_ms": round(float(np.percentile(a, 95)), 3),
            "max_ms": round(float(a.max()), 3)}


def measure(taxonomy: Any, repeat: int, compare: bool) -> dict[str, Any]:
    from rapidfuzz import fuzz, process

    from api.search import LabelSearch

    engine = LexicalOnly(taxonomy)
    started, cpu_started = time.perf_counter(), time.process_time()
    search = LabelSearch(engine)  # type: ignore[arg-type]
    out: dict[str, Any] = {
        "labels": {kind: len(index.texts) for kind, index in search._kinds.items()},
        "build_seconds": round(time.perf_counter() - started, 2),
        "build_cpu_seconds": round(time.process_time() - cpu_started, 2),
    }
    for kind in ("occupation", "skill"):
        strokes = [(lang, s) for k, lang, text in QUERIES if k == kind for s in keystrokes(text)]
        times: list[float] = []
        cpu: list[float] = []
        engine.fallbacks = 0
        for _ in range(repeat):
            for lang, typed in strokes:
                t, c = time.perf_counter(), time.process_time()
                search.search(kind, typed, lang=lang, limit=10)  # type: ignore[arg-type]
                cpu.append(1000 * (time.process_time() - c))
                times.append(1000 * (time.perf_counter() - t))
        # Wall time is what a user waits for; CPU time is what the keystroke costs whatever
        # else the shared machine runs (the two differ when other processes take the cores).
        out[kind] = {**percentiles(times), "cpu": percentiles(cpu)}
        out[kind]["semantic_fallback_share"] = round(engine.fallbacks / len(times), 3)
        if compare:
            concepts = taxonomy.skills if kind == "skill" else taxonomy.occupations
            labels = all_labels(concepts.values())
            times = []
            for lang, typed in strokes:
                t = time.perf_counter()
                previous_scan(labels, typed, lang)
                times.append(1000 * (time.perf_counter() - t))
            out[kind]["previous_scan"] = percentiles(times)
            keys = [key for key, *_ in labels]
            sample = strokes[::max(1, len(strokes) // 12)]  # WRatio is slow: a sample
            times = []
            for _, typed in sample:
                t = time.perf_counter()
                process.extract(typed.lower(), keys, scorer=fuzz.WRatio, limit=10)
                times.append(1000 * (time.perf_counter() - t))
            out[kind]["wratio_every_label"] = percentiles(times)
    out["first_hits"] = {
        f"{kind} {lang} {text!r}": [f"{h.label} (matched {h.matched_label!r})"
                                    for h in search.search(kind, text, lang=lang,  # type: ignore[arg-type]
                                                           limit=3)]
        for kind, lang, text in EXPECT}
    return out


def swedish_taxonomy() -> Any:
    from matcher import read_esco

    work = Path(tempfile.mkdtemp(prefix="meritmatch-sv-labels-"))
    joined = work / "sv-occupation-labels.tsv"
    with joined.open("w", encoding="utf-8") as fh:
        subprocess.run([sys.executable, str(ROOT.parent / "esco_data" / "join_label_files.py"),
                        str(SV_LABELS / "corpus_elements.tsv"),
                        str(SV_LABELS / "concept_mapping.tsv"), "--lang", "sv"],
                       stdout=fh, check=True)
    return read_esco([*BUNDLES, joined])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="passes over the keystrokes")
    args = parser.parse_args()
    load_before = os.getloadavg()
    taxonomies = {"en": lambda: official_engine(show_progress=False).taxonomy}
    if SV_LABELS.exists():
        taxonomies["en+sv"] = swedish_taxonomy
    results: dict[str, Any] = {
        "command": " ".join(["python benchmarks/autocomplete.py", *sys.argv[1:]]),
        "queries": [list(q) for q in QUERIES], "repeat": args.repeat, "limit": 10,
        "load_average_before": [round(x, 2) for x in load_before],
    }
    for name, load in taxonomies.items():
        taxonomy = load()
        results[name] = measure(taxonomy, args.repeat, compare=name == "en+sv")
        r = results[name]
        print(f"{name}: {r['labels']['skill']:,} skill and {r['labels']['occupation']:,} "
              f"occupation labels, index built in {r['build_seconds']} s "
              f"({r['build_cpu_seconds']} s CPU)")
        for kind in ("occupation", "skill"):
            s = r[kind]
            line = (f"  {kind:10} {s['keystrokes']} keystrokes  p50 {s['p50_ms']:.2f} ms  "
                    f"p95 {s['p95_ms']:.2f} ms  max {s['max_ms']:.2f} ms (CPU p50 "
                    f"{s['cpu']['p50_ms']:.2f} p95 {s['cpu']['p95_ms']:.2f} max "
                    f"{s['cpu']['max_ms']:.2f})  semantic fallback "
                    f"{s['semantic_fallback_share']:.0%}")
            if "previous_scan" in s:
                line += (f"\n  {'':10} previous scan p50 {s['previous_scan']['p50_ms']:.1f} ms"
                         f" p95 {s['previous_scan']['p95_ms']:.1f} ms; WRatio over every "
                         f"label p50 {s['wratio_every_label']['p50_ms']:.0f} ms")
            print(line)
        for query, labels in r["first_hits"].items():
            print(f"  {query}: {labels}")
    results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    write_results("autocomplete", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
