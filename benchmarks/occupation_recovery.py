"""Occupation recovery: can the ranking find an occupation from part of its skills?

    python benchmarks/occupation_recovery.py [--n 600] [--seed 13]

For ``n`` ESCO v1.1.1 occupations (seeded sample of those with ≥ 5 essential skills), a
synthetic candidate holds a random 60% of the occupation's essential skills plus 3 skills that
the occupation does not list. All occupations are ranked for the candidate with the engine's
suggestion scoring (:meth:`Engine.rank_occupations`); we report hit@1 and hit@5 (the
occupation itself at rank 1 / within the top 5).

Three ways of giving the candidate's skills:
- ``uris``: the ESCO URIs themselves (as if every credential were perfectly linked);
- ``mapped_en``: each skill's English preferred label passed through the mapping engine as
  if it were a learning outcome, the linked skills forming the profile (LinkPolicy defaults);
- ``mapped_en_descriptions``: the same with the first sentence of each skill's description
  instead of its label (labels are found word for word; descriptions are free text);
- ``mapped_sv``: Swedish skill labels — none exist offline (shared/DATA.md: the Swedish ESCO
  bundle is not available here), so this variant is reported as not run. Swedish occupation
  labels exist but are not relevant: the candidate is built from skills.

Writes benchmarks/results/occupation_recovery.json.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import official_engine, write_results  # noqa: E402

from matcher.profiles import (  # noqa: E402
    STRENGTH_WEIGHT,
    CandidateProfile,
    Evidence,
)
from matcher.suggest import describe  # noqa: E402


def sample(engine, n: int, seed: int) -> list[tuple[str, list[str]]]:
    taxonomy = engine.taxonomy
    essential: dict[str, list[str]] = {}
    linked: dict[str, set[str]] = {}
    for r in taxonomy.occupation_skills:
        if r.occupation_uri in taxonomy.occupations and r.skill_uri in taxonomy.skills:
            linked.setdefault(r.occupation_uri, set()).add(r.skill_uri)
            if r.essential:
                essential.setdefault(r.occupation_uri, []).append(r.skill_uri)
    rng = random.Random(seed)
    pool = sorted(o for o, skills in essential.items() if len(skills) >= 5)
    chosen = rng.sample(pool, min(n, len(pool)))
    all_skills = sorted(taxonomy.skills)
    cases = []
    for occupation in chosen:
        skills = sorted(essential[occupation])
        held = rng.sample(skills, max(1, round(0.6 * len(skills))))
        unrelated: list[str] = []
        while len(unrelated) < 3:
            uri = rng.choice(all_skills)
            if uri not in linked[occupation] and uri not in unrelated:
                unrelated.append(uri)
        cases.append((occupation, held + unrelated))
    return cases


def direct_profile(i: int, uris: list[str]) -> CandidateProfile:
    weight = STRENGTH_WEIGHT["verified"]
    return CandidateProfile(f"c{i}", {u: (Evidence("verified", 1.0, weight),) for u in uris})


def skill_text(skill, lang: str, kind: str) -> str:
    if kind == "description":
        # The first sentence: free text about the skill that is not one of its labels.
        return skill.description(lang).split(". ")[0][:300] or skill.label(lang)
    return skill.label(lang)


def mapped_profiles(engine, cases: list[tuple[str, list[str]]], lang: str,
                    kind: str = "label") -> list[CandidateProfile]:
    taxonomy = engine.taxonomy
    texts = sorted({skill_text(taxonomy.skills[u], lang, kind)
                    for _, uris in cases for u in uris})
    mapped = dict(zip(texts, engine.map_outcomes(texts, top_k=5, lang="en"), strict=True))
    profiles = []
    policy = engine.link_policy
    for i, (_, uris) in enumerate(cases):
        skills: dict[str, list[Evidence]] = {}
        for uri in uris:
            mapping = mapped[skill_text(taxonomy.skills[uri], lang, kind)]
            for link, factor in policy.select(mapping.skills):
                skills.setdefault(link.uri, []).append(Evidence("verified", link.confidence,
                                                                factor))
        profiles.append(CandidateProfile(f"c{i}", {u: tuple(e) for u, e in skills.items()}))
    return profiles


def evaluate(engine, cases, profiles) -> dict[str, float]:
    started = time.perf_counter()
    ranked = engine.rank_occupations(profiles, top_k=5)
    seconds = time.perf_counter() - started
    hit1 = sum(1 for (occ, _), top in zip(cases, ranked, strict=True) if top and top[0][0] == occ)
    hit5 = sum(1 for (occ, _), top in zip(cases, ranked, strict=True)
               if occ in [u for u, _ in top])
    n = len(cases)
    return {"n": n, "hit@1": round(100 * hit1 / n, 1), "hit@5": round(100 * hit5 / n, 1),
            "rank_seconds": round(seconds, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=600)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    engine = official_engine(show_progress=True)
    cases = sample(engine, args.n, args.seed)
    print(f"{len(cases)} occupations, seed {args.seed}; "
          f"{engine.partial_credit.nnz:,} partial-credit pairs")
    results: dict[str, object] = {}
    direct_profiles = [direct_profile(i, uris) for i, (_, uris) in enumerate(cases)]
    results["uris"] = evaluate(engine, cases, direct_profiles)
    print(f"  skills as URIs:            {results['uris']}")
    started = time.perf_counter()
    profiles = mapped_profiles(engine, cases, "en")
    results["mapped_en"] = {**evaluate(engine, cases, profiles),
                            "map_seconds": round(time.perf_counter() - started, 1)}
    print(f"  English labels, mapped:    {results['mapped_en']}")
    # Labels map onto themselves (the lexical index finds them word for word); the first
    # sentence of each skill's description is free text, closer to a learning outcome.
    started = time.perf_counter()
    described = mapped_profiles(engine, cases, "en", kind="description")
    results["mapped_en_descriptions"] = {**evaluate(engine, cases, described),
                                         "map_seconds": round(time.perf_counter() - started, 1)}
    print(f"  English descriptions, mapped: {results['mapped_en_descriptions']}")
    # The ordering before matcher/suggest.py (no specificity, length or support terms),
    # on the same candidates.
    chosen = engine.suggestion_params
    engine.suggestion_params = replace(chosen, specificity=False, length_prior=0.0,
                                       length_power=0.0, min_support=1, confidence_power=0.0,
                                       level_prior={})
    engine._occupations = None
    results["uris_ordered_as_before"] = evaluate(engine, cases, direct_profiles)
    results["mapped_en_descriptions_ordered_as_before"] = evaluate(engine, cases, described)
    engine.suggestion_params = chosen
    engine._occupations = None
    for key in [k for k in results if "_as_before" in k]:
        print(f"  ablation {key}: {results[key]}")
    sv = sum(1 for s in engine.taxonomy.skills.values() if s.has_label_in("sv"))
    if sv:
        with_sv = [(o, [u for u in uris if engine.taxonomy.skills[u].has_label_in("sv")])
                   for o, uris in cases]
        with_sv = [(o, uris) for o, uris in with_sv if uris]
        results["mapped_sv"] = evaluate(engine, with_sv, mapped_profiles(engine, with_sv, "sv"))
        print(f"  Swedish labels, mapped:    {results['mapped_sv']}")
    else:
        results["mapped_sv"] = ("not run: the taxonomy has no Swedish skill labels (no "
                                "Swedish ESCO bundle is available offline)")
        print(f"  Swedish labels: {results['mapped_sv']}")
    write_results("occupation_recovery", {
        "taxonomy": engine.taxonomy.version, "model": engine.embedder.model_id,
        "seed": args.seed, "candidate": "random 60% of essential skills + 3 unrelated skills",
        "ordering": describe(engine.suggestion_params),
        "partial_credit": engine.partial_credit.meta,
        **results,
    })


if __name__ == "__main__":
    main()
