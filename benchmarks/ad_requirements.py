"""Requirement profiles from real-style Swedish job ads, against a recruiter's tags.

    python benchmarks/ad_requirements.py                 # dev split
    python benchmarks/ad_requirements.py --sweep         # dev: the confidence threshold
    python benchmarks/ad_requirements.py --split test    # once, for the report

benchmarks/data/ads_<split>.jsonl: Platsbanken-style ads (company pitch, tasks, requirements,
merits, offer, application; headings, bullets or prose), each tagged by hand with the ESCO
skills a recruiter would require and those that are merits (ads_README.md), without engine
output. :meth:`Engine.requirement_from_ad` reads each ad; we report, micro-averaged over the
ads:

- precision: the share of the profile's skills the recruiter tagged (required or merit);
- recall: the share of the recruiter's tags the profile holds;
- the same counting a profile skill as right when it is the tagged skill or stands in for it
  closely (an ESCO broader/narrower skill or a skill–skill relation: partial credit ≥ 0.5),
  reported beside the strict figures as ``lenient``;
- whether required items weigh more than merits: the mean weight of found tagged-required
  skills against found tagged-merit skills.

Writes benchmarks/results/ad_requirements_<split>.json (the sweep: ad_requirements_sweep.json).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, official_engine, write_results  # noqa: E402

from matcher.engine import Engine  # noqa: E402
from matcher.requirements import AdPolicy  # noqa: E402


def ads(split: str) -> list[dict[str, Any]]:
    path = ROOT / "data" / f"ads_{split}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def close(engine: Engine, uri: str, gold: set[str]) -> bool:
    """``uri`` is a tagged skill, or stands in for one with partial credit ≥ 0.5 (hierarchy
    or relation: not embedding neighbours)."""
    if uri in gold:
        return True
    partial = engine.partial_credit
    col = partial.space.col.get(uri)
    if col is None:
        return False
    row = partial.credit.getrow(col)
    method = partial.method.getrow(col)
    for j, credit, code in zip(row.indices, row.data, method.data, strict=True):
        if credit >= 0.5 and int(code) in (1, 2, 5) and partial.space.uris[j] in gold:
            return True
    return False


def evaluate(engine: Engine, rows: list[dict[str, Any]]) -> dict[str, Any]:
    found = tagged = hits = lenient_found = lenient_tags = 0
    required_w, merit_w, per_ad = [], [], []
    for ad in rows:
        required = {r["uri"] for r in ad["required"]}
        merits = {r["uri"] for r in ad["merits"]}
        gold = required | merits
        try:
            profile = engine.requirement_from_ad(
                ad["description"]["text"], title=ad["headline"], id=ad["id"],
                occupation=(ad.get("occupation") or {}).get("label"))
            predicted = {r.uri: r for r in profile.requirements}
        except Exception:  # noqa: BLE001 - an ad that names nothing counts as empty
            predicted = {}
        right = set(predicted) & gold
        found += len(predicted)
        tagged += len(gold)
        hits += len(right)
        lenient_found += sum(close(engine, u, gold) for u in predicted)
        lenient_tags += sum(any(close(engine, u, {g}) for u in predicted) for g in gold)
        required_w += [predicted[u].weight for u in right & required]
        merit_w += [predicted[u].weight for u in right & merits]
        per_ad.append({"id": ad["id"], "found": len(predicted), "tagged": len(gold),
                       "right": len(right),
                       "wrong": sorted(engine.taxonomy.skills[u].label("en")
                                       for u in set(predicted) - gold)[:8]})
    return {
        "ads": len(rows),
        "precision": round(hits / max(found, 1), 3),
        "recall": round(hits / max(tagged, 1), 3),
        "lenient_precision": round(lenient_found / max(found, 1), 3),
        "lenient_recall": round(lenient_tags / max(tagged, 1), 3),
        "skills_per_ad": round(found / max(len(rows), 1), 1),
        "mean_weight_required": round(float(np.mean(required_w)), 3) if required_w else None,
        "mean_weight_merit": round(float(np.mean(merit_w)), 3) if merit_w else None,
        "per_ad": per_ad,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--sweep", action="store_true", help="compare thresholds (dev only)")
    args = parser.parse_args()
    if args.sweep and args.split != "dev":
        parser.error("parameters are compared on dev only")
    engine = official_engine(show_progress=False)
    rows = ads(args.split)
    if args.sweep:
        # The mappings do not depend on the policy: map each phrase once.
        remembered: dict[tuple[str, int, Any, Any], Any] = {}
        inner = engine.map_outcomes

        def map_once(texts: Any, top_k: int = 10, lang: str = "auto",
                     contexts: Any = None, written_in: Any = None) -> Any:
            keys = [(t, top_k, c, w) for t, c, w in zip(
                texts, contexts or [None] * len(texts), written_in or [None] * len(texts),
                strict=True)]
            missing = [k for k in dict.fromkeys(keys) if k not in remembered]
            if missing:
                remembered.update(zip(missing, inner(
                    [t for t, _, _, _ in missing], top_k=top_k, lang=lang,
                    contexts=[c for _, _, c, _ in missing],
                    written_in=[w for _, _, _, w in missing]), strict=True))
            return [remembered[k] for k in keys]

        engine.map_outcomes = map_once  # type: ignore[method-assign]
        base = engine.ad_policy
        out: list[dict[str, Any]] = []

        def compare(policy: AdPolicy, label: str, **record: Any) -> None:
            """Read the dev ads under ``policy``; keep and print the figures."""
            engine.ad_policy = policy
            r = evaluate(engine, rows)
            r.pop("per_ad")
            out.append({**record, **r})
            print(f"{label}: P {r['precision']} R {r['recall']} (lenient P "
                  f"{r['lenient_precision']} R {r['lenient_recall']}) {r['skills_per_ad']} "
                  "skills/ad")

        for threshold in (0.0, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5):
            for relative in (0.6, 0.8, 1.0):
                compare(replace(base, min_confidence=threshold,
                                links=replace(base.links, relative=relative)),
                        f"min_confidence {threshold:.2f} relative {relative:.1f}",
                        min_confidence=threshold, relative=relative)
        # The ad's field (its occupation and that many neighbours; 0: none) and the
        # confidence a link outside it needs.
        for neighbours in (10, 25, 50, 100):
            for confidence in (0.35, 0.45, 0.5, 0.55, 0.7, 0.85, 1.01):
                compare(replace(base, field_neighbours=neighbours, field_confidence=confidence),
                        f"field of {neighbours} neighbours, {confidence:.2f} outside",
                        field_neighbours=neighbours, field_confidence=confidence)
        # The confidence a link of a one-word phrase needs ("tvätt", "rapportering": a word
        # cut from a list says little alone).
        for one_word in (0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01):
            compare(replace(base, one_word_confidence=one_word),
                    f"one word at {one_word:.2f}", one_word_confidence=one_word)
        # A one-word phrase that is an everyday Swedish word gives no mapped link (0: off).
        for zipf in (0.0, 3.0, 3.5, 4.0, 4.5):
            compare(replace(base, everyday_zipf=zipf), f"everyday words from zipf {zipf:.1f}",
                    everyday_zipf=zipf)
        engine.ad_policy = base
        write_results("ad_requirements_sweep", {"split": "dev", "results": out})
        return
    result = evaluate(engine, rows)
    print(json.dumps({k: v for k, v in result.items() if k != "per_ad"}))
    write_results(f"ad_requirements_{args.split}", {"split": args.split, **result})


if __name__ == "__main__":
    main()
