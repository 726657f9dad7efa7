"""Occupations by name: Swedish job titles written for the project → ESCO occupations.

    python benchmarks/occupation_names.py                # dev split
    python benchmarks/occupation_names.py --split test   # once, for the report

benchmarks/data/titles_<split>.jsonl: Swedish queries naming an occupation ("undersköterska",
"jobba som lagerarbetare", "underskoterska", "lagerarbetre"), each with the 1–3 ESCO
occupations a counsellor accepts, written by hand without the label files or engine output
(titles_README.md). :meth:`Engine.match_occupations` ranks all occupations; we report hit@1,
hit@5 and MRR, overall and per kind (title, phrase, typo), in two settings:

- ``english_labels``: ESCO v1.1.1 English as the engine ships it (Swedish titles reach English
  labels through the multilingual model and the glossary);
- ``swedish_labels_imported``: the same plus the Swedish occupation labels a user imports as an
  extra-labels file (built here from ../shared/esco/sv-occupation-labels, never copied into
  the repository).

Also the lookup time per query (p50/p95, ms).
Writes benchmarks/results/occupation_names_<split>.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BUNDLES, ROOT, SHARED, official_engine, settings, write_results  # noqa: E402

from matcher import Engine, read_esco  # noqa: E402

SV_LABELS = SHARED / "esco" / "sv-occupation-labels"


def queries(split: str) -> list[dict[str, Any]]:
    path = ROOT / "data" / f"titles_{split}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def swedish_label_file(directory: Path) -> Path:
    """The extra-labels TSV (URI, language, label) a user would import."""
    with open(SV_LABELS / "corpus_elements.tsv", encoding="utf-8") as fh:
        labels = {r[0]: r[1] for r in csv.reader(fh, delimiter="\t") if len(r) >= 2}
    with open(SV_LABELS / "concept_mapping.tsv", encoding="utf-8") as fh:
        uris = {r[0]: r[1] for r in csv.reader(fh, delimiter="\t") if len(r) >= 2}
    path = directory / "sv-occupation-labels.tsv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t")
        for key, label in labels.items():
            if key in uris and "/occupation/" in uris[key]:
                writer.writerow([uris[key], "sv", label])
    return path


def evaluate(engine: Engine, rows: list[dict[str, Any]]) -> dict[str, Any]:
    _ = engine.occupation_names.vectors  # built (or loaded) before timing
    ranks, seconds, misses = [], [], []
    for row in rows:
        started = time.perf_counter()
        found = engine.match_occupations(row["query"], top_k=20)
        seconds.append(time.perf_counter() - started)
        gold = {o["uri"] for o in row["occupations"]}
        first = next((i for i, m in enumerate(found, start=1) if m.uri in gold), None)
        ranks.append(first)
        if first != 1:
            misses.append({"query": row["query"], "first_right_at": first,
                           "top": [engine.taxonomy.occupations[m.uri].label("en")
                                   for m in found[:3]]})

    def score(subset: list[int | None]) -> dict[str, float]:
        return {"n": len(subset),
                "hit@1": round(100 * float(np.mean([r == 1 for r in subset])), 1),
                "hit@5": round(100 * float(np.mean([r is not None and r <= 5 for r in subset])), 1),
                "MRR": round(float(np.mean([1 / r if r else 0.0 for r in subset])), 3)}

    by_kind = {kind: score([r for r, row in zip(ranks, rows, strict=True)
                            if row["kind"] == kind])
               for kind in sorted({row["kind"] for row in rows})}
    ms = np.array(seconds) * 1000
    return {**score(ranks), "by_kind": by_kind,
            "ms_p50": round(float(np.percentile(ms, 50)), 1),
            "ms_p95": round(float(np.percentile(ms, 95)), 1), "misses": misses[:15]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    args = parser.parse_args()
    rows = queries(args.split)
    english = official_engine(show_progress=False)
    results = {"english_labels": evaluate(english, rows)}
    if SV_LABELS.exists():
        with tempfile.TemporaryDirectory() as tmp:
            taxonomy = read_esco([*BUNDLES, swedish_label_file(Path(tmp))])
            swedish = Engine(settings(), taxonomy=taxonomy, embedder=english.embedder,
                             show_progress=False)
            results["swedish_labels_imported"] = evaluate(swedish, rows)
    for name, r in results.items():
        print(f"{name}: MRR {r['MRR']} hit@1 {r['hit@1']} hit@5 {r['hit@5']} "
              f"(p50 {r['ms_p50']} ms) " + ", ".join(
                  f"{k} MRR {v['MRR']}" for k, v in r["by_kind"].items()))
    write_results(f"occupation_names_{args.split}", {"split": args.split, **results})


if __name__ == "__main__":
    main()
