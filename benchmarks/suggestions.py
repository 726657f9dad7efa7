"""Suggestions and employer ranking on realistic people (benchmarks/data/profiles_*.jsonl).

    python benchmarks/suggestions.py                 # dev split, the engine's parameters
    python benchmarks/suggestions.py --split dev2    # a second dev set: do dev's choices carry?
    python benchmarks/suggestions.py --split dev3    # a third, written later still
    python benchmarks/suggestions.py --split dev4    # a fourth (2026-12-01), measured first untuned
    python benchmarks/suggestions.py --sweep         # dev split, the parameter comparison
    python benchmarks/suggestions.py --title-sweep   # dev–dev3: the employer ranking's title lift
    python benchmarks/suggestions.py --split test    # once, for the report

Each person is 2–6 micro-credentials (Swedish or English outcomes) with 1–3 ESCO occupations a
counsellor would name, written and labelled without engine output (profiles_README.md). The
person's profile is built as every entry point builds it (title + outcomes mapped, the one
link policy of matcher/evidence.py; credentials unverified).

Suggestions: all ESCO occupations are ordered for each person (:meth:`Engine.rank_occupations`,
the order :meth:`Engine.suggest` uses without an interest); hit@1/5/10 and MRR over the first
labelled occupation found; ``off_field`` is the share of top-10 suggestions whose ISCO
sub-major group is outside every field the person's credentials cover (``fields_isco``).

Employer ranking: for each occupation labelled for someone in the split, every person of the
split is ranked as an employer search for that occupation ranks them
(:meth:`Engine.rank_candidates`); average precision with the people labelled with it as
relevant; MAP over the occupations.

Writes benchmarks/results/suggestions_<split>.json (the sweep: suggestions_sweep.json).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, official_engine, timed, write_results  # noqa: E402

from matcher.credentials import parse_credential  # noqa: E402
from matcher.engine import Engine  # noqa: E402
from matcher.profiles import CandidateInput, CandidateProfile  # noqa: E402
from matcher.suggest import SuggestionParams, describe  # noqa: E402

DATA = ROOT / "data"


def people(split: str) -> list[dict[str, Any]]:
    path = DATA / f"profiles_{split}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def candidate(person: dict[str, Any]) -> CandidateInput:
    """The person as the engine reads a candidates file; the Annex I fields the set does not
    give are filled with neutral values (they do not reach the mapping)."""
    creds = []
    for k, c in enumerate(person["credentials"]):
        creds.append((parse_credential({
            "id": f"urn:bench:{person['id']}:{k}", "title": c["title"],
            "learner": {"id": person["id"]},
            "awarding_body": {"name": "benchmark issuer"}, "issuer_country": "SE",
            "issued_on": "2026-01-01", "language": c["language"],
            "learning_outcomes": c["learning_outcomes"], "workload": {"hours": 40},
            "assessment_type": "practical test", "participation_form": "onsite",
            "quality_assurance": "internal review"}, source=person["id"]), False))
    return CandidateInput(person["id"], tuple(creds))


def suggestion_metrics(engine: Engine, rows: list[dict[str, Any]],
                       profiles: list[CandidateProfile]) -> dict[str, Any]:
    ranked = engine.rank_occupations(profiles, top_k=50)
    isco = {uri: o.isco_group for uri, o in engine.taxonomy.occupations.items()}
    hit = {1: [], 5: [], 10: []}
    rr, off = [], []
    examples = []
    for person, found in zip(rows, ranked, strict=True):
        uris = [u for u, _ in found]
        gold = {o["uri"] for o in person["occupations"]}
        first = next((i for i, u in enumerate(uris, start=1) if u in gold), None)
        for k in hit:
            hit[k].append(float(first is not None and first <= k))
        rr.append(1.0 / first if first else 0.0)
        fields = set(person["fields_isco"])
        top = uris[:10]
        off.append(sum(isco.get(u, "")[:2] not in fields for u in top) / max(len(top), 1))
        if first is None or first > 1:
            examples.append({"id": person["id"], "first_right_at": first,
                             "top3": [engine.taxonomy.occupations[u].label("en")
                                      for u in uris[:3]]})
    return {"n": len(rows), **{f"hit@{k}": round(100 * float(np.mean(v)), 1)
                               for k, v in hit.items()},
            "MRR": round(float(np.mean(rr)), 3),
            "off_field_top10": round(100 * float(np.mean(off)), 1),
            "misses": examples[:12]}


def employer_map(engine: Engine, rows: list[dict[str, Any]],
                 profiles: list[CandidateProfile]) -> dict[str, Any]:
    wanted: dict[str, set[str]] = {}
    for person in rows:
        for o in person["occupations"]:
            wanted.setdefault(o["uri"], set()).add(person["id"])
    aps = []
    for uri, relevant in wanted.items():
        requirement = engine.requirement_from_occupation(uri)
        result = engine.rank_candidates(requirement, profiles, top_k=len(profiles))
        order = [c.candidate_id for c in result.candidates]
        hits, precisions = 0, []
        for i, cid in enumerate(order, start=1):
            if cid in relevant:
                hits += 1
                precisions.append(hits / i)
        aps.append(sum(precisions) / len(relevant))
    return {"occupations": len(aps), "MAP": round(float(np.mean(aps)), 3)}


def sweep(engine: Engine, rows: list[dict[str, Any]],
          profiles: list[CandidateProfile]) -> list[dict[str, Any]]:
    """The comparison the defaults were chosen by (dev only)."""
    base = engine.suggestion_params
    grid: list[tuple[str, SuggestionParams]] = [
        ("before: no specificity, no length penalty, no support, no level prior",
         replace(base, specificity=False, length_prior=0.0, length_power=0.0, min_support=1,
                 confidence_power=0.0, level_prior={})),
    ]
    for specificity, power, prior, support, conf, level in itertools.product(
            (False, True), (0.0, 0.5, 1.0), (0.0, 10.0, 30.0), (1, 2, 3), (0.0, 1.0),
            ("none", "default")):
        if power == 0.0 and prior != 0.0:
            continue
        params = replace(base, specificity=specificity, length_power=power, length_prior=prior,
                         min_support=support, confidence_power=conf,
                         level_prior={} if level == "none" else base.level_prior)
        grid.append(("", params))
    out = []
    for name, params in grid:
        engine.suggestion_params = params
        engine._occupations = None  # rebuilt with the parameters
        metrics = suggestion_metrics(engine, rows, profiles)
        metrics.pop("misses")
        out.append({"name": name, "params": describe(params), **metrics})
    engine.suggestion_params = base
    engine._occupations = None
    out.sort(key=lambda r: (-r["MRR"], -r["hit@10"]))
    return out


def title_sweep(engine: Engine) -> list[dict[str, Any]]:
    """The employer ranking's title lift (matcher.scoring.score.TITLE_WEIGHT) and the lifts a
    profile keeps (matcher.title_names.LIFT_FLOOR, or only lifts whose title points to the
    occupation), on dev, dev2 and dev3 (never test): employer MAP per split and mean, and the
    suggestions' MRR and hit@10, which read the same lifts.

    Profiles are built once per split with every lift (floor 0); a floor keeps the lifts of at
    least it, as building with that floor does.
    """
    from matcher import title_names
    from matcher.scoring import score

    weight, floor = score.TITLE_WEIGHT, title_names.LIFT_FLOOR
    title_names.LIFT_FLOOR = 0.0
    built = {}
    for split in ("dev", "dev2", "dev3"):
        rows = people(split)
        built[split] = (rows, engine.candidate_profiles([candidate(p) for p in rows]))
    title_names.LIFT_FLOOR = floor
    out = []
    for keep, pointing in ((0.0, False), (0.2, False), (0.35, False), (0.5, False),
                           (0.0, True)):
        kept = {split: (rows, [replace(p, titles={u: t for u, t in p.titles.items()
                                                  if t.lift >= keep and t.lift > 0
                                                  and (t.title is not None or not pointing)})
                                for p in profiles])
                for split, (rows, profiles) in built.items()}
        suggestions = {}
        for split, (rows, profiles) in kept.items():
            metrics = suggestion_metrics(engine, rows, profiles)
            suggestions[split] = {"MRR": metrics["MRR"], "hit@10": metrics["hit@10"]}
        entries = sum(len(p.titles) for _, profiles in kept.values() for p in profiles)
        people_n = sum(len(profiles) for _, profiles in kept.values())
        for w in (0.0, 0.5, 1.0, 2.0, 4.0):
            score.TITLE_WEIGHT, score.MUST_KEY = w, 4.0 + 2.0 * w
            maps = {split: employer_map(engine, rows, profiles)["MAP"]
                    for split, (rows, profiles) in kept.items()}
            out.append({"weight": w, "floor": keep, "pointing_only": pointing,
                        "MAP": maps, "mean_MAP": round(float(np.mean(list(maps.values()))), 3),
                        "suggestions": suggestions,
                        "lifts_per_person": round(entries / people_n, 1)})
    score.TITLE_WEIGHT, score.MUST_KEY = weight, 4.0 + 2.0 * weight
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("dev", "dev2", "dev3", "dev4", "test"), default="dev")
    parser.add_argument("--sweep", action="store_true", help="compare parameters (dev only)")
    parser.add_argument("--title-sweep", action="store_true",
                        help="compare title-lift weights and floors (dev, dev2, dev3)")
    args = parser.parse_args()
    if args.title_sweep:
        results = title_sweep(official_engine(show_progress=False))
        for r in results:
            sug = " ".join(f"{k} {v['MRR']:.3f}/{v['hit@10']:.1f}"
                           for k, v in r["suggestions"].items())
            only = " pointing" if r["pointing_only"] else ""
            print(f"w {r['weight']:.1f} floor {r['floor']:.2f}{only}"
                  f"  MAP {r['mean_MAP']:.3f} {r['MAP']}  lifts/person {r['lifts_per_person']}"
                  f"  suggestions MRR/hit@10 {sug}")
        write_results("suggestions_title_sweep", {"splits": ["dev", "dev2", "dev3"],
                                                  "results": results})
        return
    if args.sweep and args.split == "test":
        parser.error("parameters are compared on dev only")
    engine = official_engine(show_progress=False)
    rows = people(args.split)
    profiles, seconds = timed(engine.candidate_profiles, [candidate(p) for p in rows])
    print(f"{len(rows)} people, profiles built in {seconds:.1f}s")
    if args.sweep:
        results = sweep(engine, rows, profiles)
        for r in results[:15]:
            print(f"MRR {r['MRR']:.3f} hit@1 {r['hit@1']:5.1f} hit@10 {r['hit@10']:5.1f} "
                  f"off {r['off_field_top10']:5.1f}  {r['name'] or r['params']}")
        before = next(r for r in results if r["name"].startswith("before"))
        print(f"before: MRR {before['MRR']:.3f} hit@1 {before['hit@1']} hit@10 "
              f"{before['hit@10']}")
        write_results("suggestions_sweep", {"split": "dev", "results": results})
        return
    suggestions = suggestion_metrics(engine, rows, profiles)
    ranking = employer_map(engine, rows, profiles)
    print(json.dumps({k: v for k, v in suggestions.items() if k != "misses"}))
    print(json.dumps(ranking))
    write_results(f"suggestions_{args.split}", {
        "split": args.split, "params": describe(engine.suggestion_params),
        "suggestions": suggestions, "employer_ranking": ranking})


if __name__ == "__main__":
    main()
