"""Gap courses a counsellor would sign: is a catalogue course offered for a gap on the way to
the occupation it is offered for?

    python benchmarks/gap_courses.py                  # dev and dev2 people
    python benchmarks/gap_courses.py --split test     # once, for the report

For each person of the profile benchmark (benchmarks/data/profiles_*.jsonl), the top ten
occupation suggestions (:meth:`Engine.suggest`, three courses per gap, as the CLI and the
service ask) and every course offered for each of their gaps. A course offer is *in the
field* when the occupation's ISCO-08 unit group is one the course was labelled as a sensible
step towards (``benchmarks/data/catalogue_fields.jsonl``: each of the 35 demo catalogue
courses labelled with ISCO unit groups from its own text, without engine output;
``catalogue_fields_README.md``). Also reported: the share at the minor-group level (three
digits), how many gaps get a course at all, and the offers by how the course teaches the gap
(the skill itself, or a narrower or broader one).

Writes benchmarks/results/gap_courses_<split>.json.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, official_engine, timed, write_results  # noqa: E402
from suggestions import candidate, people  # noqa: E402

from matcher import catalogue  # noqa: E402
from matcher.engine import Engine  # noqa: E402
from matcher.profiles import CandidateProfile  # noqa: E402

# How surely an offer closes its gap (the skill itself × the course's link to it).
CREDIT_BUCKETS = ((0.0, 0.3), (0.3, 0.5), (0.5, 0.99), (0.99, 1.0))
FIELDS = ROOT / "data" / "catalogue_fields.jsonl"


def course_fields() -> dict[str, set[str]]:
    rows = [json.loads(line) for line in FIELDS.read_text(encoding="utf-8").splitlines() if line]
    return {r["id"]: set(r["isco_unit_groups"]) for r in rows}


def share(n: int, d: int) -> float | None:
    return round(100 * n / d, 1) if d else None


def offers(engine: Engine, profiles: list[CandidateProfile], fields: dict[str, set[str]],
           top_k: int = 10) -> dict[str, Any]:
    occupations = engine.taxonomy.occupations
    shown = unit = minor = 0
    gaps = gaps_with_course = 0
    by_method: collections.Counter[str] = collections.Counter()
    in_field_by_method: collections.Counter[str] = collections.Counter()
    by_credit: collections.Counter[str] = collections.Counter()
    in_field_by_credit: collections.Counter[str] = collections.Counter()
    pairs: dict[tuple[str, str], bool] = {}
    examples: list[dict[str, Any]] = []
    for profile in profiles:
        result = engine.suggest(profile, top_k=top_k, courses_per_gap=3, lang="en")
        for suggestion in result.occupations:
            group = occupations[suggestion.id].isco_group or ""
            for gap in suggestion.gaps:
                gaps += 1
                gaps_with_course += bool(gap.courses)
                for course in gap.courses:
                    labelled = fields.get(course.id, set())
                    in_unit = group in labelled
                    in_minor = any(g[:3] == group[:3] for g in labelled)
                    shown += 1
                    unit += in_unit
                    minor += in_minor
                    by_method[course.method] += 1
                    in_field_by_method[course.method] += in_unit
                    bucket = next(f"{lo}–{hi}" for lo, hi in CREDIT_BUCKETS
                                  if course.credit < hi or hi == 1.0)
                    by_credit[bucket] += 1
                    in_field_by_credit[bucket] += in_unit
                    pairs[(suggestion.id, course.id)] = in_unit
                    if not in_unit and len(examples) < 40:
                        examples.append({"person": profile.id, "occupation": suggestion.title,
                                         "isco": group, "gap": gap.skill.label,
                                         "course": course.title, "teaches": course.teaches_label,
                                         "method": course.method,
                                         "credit": round(course.credit, 3)})
    return {
        "people": len(profiles), "gaps": gaps,
        "gaps_with_a_course_pct": share(gaps_with_course, gaps),
        "offers_shown": shown,
        "in_field_unit_group_pct": share(unit, shown),
        "in_field_minor_group_pct": share(minor, shown),
        "occupation_course_pairs": len(pairs),
        "pairs_in_field_pct": share(sum(pairs.values()), len(pairs)),
        "offers_by_method": {m: {"shown": n, "in_field_pct": share(in_field_by_method[m], n)}
                             for m, n in by_method.most_common()},
        "offers_by_credit": {b: {"shown": by_credit[b],
                                 "in_field_pct": share(in_field_by_credit[b], by_credit[b])}
                             for b in (f"{lo}–{hi}" for lo, hi in CREDIT_BUCKETS)},
        "out_of_field_examples": examples,
    }


# The rule that decides whether a course is about the job (matcher.catalogue.about_the_job),
# and the alternatives compared on dev.
RULES: dict[str, tuple[Callable[[int, int], bool], float]] = {
    "chosen: at least 2 of what it teaches are the job's skills, or half; credit >= 0.3":
        (catalogue.about_the_job, catalogue.MIN_CREDIT),
    "none (before)": (lambda shared, taught: True, 0.0),
    "credit >= 0.3 alone": (lambda shared, taught: True, 0.3),
    "at least 2, or half; no credit floor": (catalogue.about_the_job, 0.0),
    "at least 3, or half; credit >= 0.3":
        (lambda shared, taught: shared >= 3 or (shared > 0 and 2 * shared >= taught), 0.3),
    "a quarter; credit >= 0.3": (lambda shared, taught: shared > 0 and 4 * shared >= taught, 0.3),
    "a third; credit >= 0.3": (lambda shared, taught: shared > 0 and 3 * shared >= taught, 0.3),
    "at least 2, or half; credit >= 0.5": (catalogue.about_the_job, 0.5),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("dev", "test"), default="dev",
                        help="dev: the dev and dev2 people, every rule; test: once, the "
                        "chosen rule and none, for the report")
    args = parser.parse_args()
    engine = official_engine(show_progress=False)
    fields = course_fields()
    splits = ("dev", "dev2") if args.split == "dev" else ("test",)
    rules = RULES if args.split == "dev" else dict(list(RULES.items())[:2])  # and before
    chosen = catalogue.about_the_job, catalogue.MIN_CREDIT
    out: dict[str, Any] = {}
    for split in splits:
        rows = people(split)
        profiles, seconds = timed(engine.candidate_profiles, [candidate(p) for p in rows])
        print(f"{split}: {len(rows)} people, profiles in {seconds:.0f}s")
        out[split] = {}
        for name, (rule, floor) in rules.items():
            catalogue.about_the_job, catalogue.MIN_CREDIT = rule, floor  # type: ignore[assignment]
            try:
                out[split][name], seconds = timed(offers, engine, profiles, fields)
            finally:
                catalogue.about_the_job, catalogue.MIN_CREDIT = chosen  # type: ignore[assignment]
            if name != next(iter(rules)):  # examples of the chosen rule only
                out[split][name].pop("out_of_field_examples")
            print(f"  {name} ({seconds:.0f}s): " + json.dumps(
                {k: v for k, v in out[split][name].items()
                 if k not in ("out_of_field_examples", "people")}))
    write_results(f"gap_courses_{args.split}", {"splits": out})


if __name__ == "__main__":
    main()
