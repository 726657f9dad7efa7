"""Choose the fusion weights of MappingParams on validation data only.

    python benchmarks/tune_mapping.py     # prints the grid, writes benchmarks/results/tuning.json
    python benchmarks/tune_mapping.py --gloss-sweep   # the gloss weight on Swedish dev outcomes
    python benchmarks/tune_mapping.py --plan-sweep    # which texts a sentence is looked up by
    python benchmarks/tune_mapping.py --lexical-sweep # word-for-word labels in a gloss
    python benchmarks/tune_mapping.py --clause-sweep  # from how many words English clauses
    python benchmarks/tune_mapping.py --unsaid-sweep  # what a name the text does not say costs

Objective: the mean of RP@5 on TECH and HOUSE validation and hit@5 on the Swedish and English
dev splits of the project's outcome set. Test splits are never read here. Query vectors are
cached, so the sweep costs one encode per text.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    TUNING_METRIC,
    CachingEmbedder,
    official_engine,
    outcome_set,
    rank,
    ranking_metrics,
    score_set,
    tuning_sets,
    write_results,
)

from matcher.engine import Engine  # noqa: E402
from matcher.mapping import MappingParams, OutcomeMapper  # noqa: E402
from matcher.text import SegmentPlan  # noqa: E402

GRID = {
    "clause_weight": [0.95, 0.97, 0.985],
    "gloss_weight": [0.0, 1.0],  # the gloss weight itself: --gloss-sweep
    "description_weight": [0.0, 0.1, 0.2, 0.3],
    "lexical_bonus": [0.02, 0.04],
    "prior_weight": [0.0, 0.01],
}


UNSAID = {"unsaid_weight": [0.0, 0.005, 0.01, 0.015, 0.02, 0.03]}
GLOSS_SWEEP = [1.0, 1.01, 1.02, 1.03, 1.04, 1.06, 1.08]


def gloss_sweep(engine: Engine, embedder: CachingEmbedder) -> None:
    """Swedish dev outcomes against the weight of the English gloss relative to the Swedish
    text it glosses (the other weights at their defaults; nothing else uses the gloss)."""
    dev = [r for r in outcome_set("dev") if r["lang"] == "sv"]
    rows = []
    for weight in GLOSS_SWEEP:
        params = replace(MappingParams(), gloss_weight=weight)
        engine._mapper = OutcomeMapper(engine.taxonomy, engine.index, embedder, params=params)
        metrics = score_set(engine, dev)
        rows.append({"gloss_weight": weight, **metrics})
        print(rows[-1])
    write_results("tuning_gloss", {"model": engine.embedder.model_id, "split": "sv dev",
                                   "rows": rows})


# What a sentence is looked up by (MappingParams.plan, MappingParams.swedish_plan).
EN, SV = MappingParams().plan, MappingParams().swedish_plan
BEFORE = SegmentPlan(gloss=True)  # the Swedish plan until 2026-11-26: as written + clauses
PLANS = [(EN, SV),  # in use
         (EN, BEFORE),
         (EN, replace(BEFORE, whole=False)),
         (EN, replace(BEFORE, gloss_clauses=True)),
         (SegmentPlan(whole=False), replace(BEFORE, whole=False)),
         (EN, replace(BEFORE, swedish=False)),
         (SegmentPlan(whole=False), replace(BEFORE, whole=False, swedish=False)),
         (EN, replace(SV, swedish_max_words=None)),  # Swedish as written, any length
         (EN, replace(SV, swedish=False)),  # the gloss alone
         (EN, replace(SV, swedish_max_words=4)),
         (EN, replace(SV, swedish_max_words=8)),
         (SegmentPlan(clauses=False), SV),
         (SegmentPlan(clauses=False), replace(SV, swedish=False))]


CLAUSE_SWEEP = [0, 8, 10, 12, 14, 16, 18, 22]


def plan_sweep(engine: Engine, embedder: CachingEmbedder, sets: dict[str, list],
               metric: dict[str, str], plans: list[tuple[SegmentPlan, SegmentPlan]] = PLANS,
               results_name: str = "tuning_plans") -> None:
    """Quality on validation and dev against what a sentence is looked up by, with the
    cost: tokens the model encodes per outcome over the tokens of the outcome alone."""
    count = getattr(engine.embedder, "token_count", None)
    rows = []
    for plan, swedish_plan in plans:
        params = replace(MappingParams(), plan=plan, swedish_plan=swedish_plan)
        mapper = OutcomeMapper(engine.taxonomy, engine.index, embedder, params=params)
        engine._mapper = mapper
        row: dict[str, Any] = {"plan": asdict(plan), "swedish_plan": asdict(swedish_plan)}
        for name, data in sets.items():
            metrics = score_set(engine, data)
            row[name] = metrics[metric[name]]
            if name.endswith("_dev"):
                row[f"{name}_RP@5"] = metrics["RP@5"]
                # Outcomes tagged with several skills: does the lookup surface them all?
                multi = [r for r in data if len(r["gold"]) >= 2]
                ranked = rank(engine, [r["text"] for r in multi], top_k=10)
                gold = [r["gold"] for r in multi]
                row[f"{name}_multi_RP@5"] = ranking_metrics(ranked, gold)["RP@5"]
                row[f"{name}_multi_all_in_top5"] = sum(
                    set(g) <= set(uris[:5]) for g, uris in zip(gold, ranked, strict=True))
                row[f"{name}_multi_n"] = len(multi)
                if count is not None:
                    ratios = [sum(count(s.text) for s in mapper.segment(r["text"])[0])
                              / count(r["text"]) for r in data]
                    row[f"{name}_tokens_p50"] = round(float(np.median(ratios)), 2)
                    row[f"{name}_tokens_mean"] = round(float(np.mean(ratios)), 2)
        rows.append(row)
        print(row)
    write_results(results_name, {"model": engine.embedder.model_id, "rows": rows})


LEXICAL = {"lexical_min_words": [1, 2, 3], "gloss_weight": [1.0, 1.04]}


def param_sweep(engine: Engine, embedder: CachingEmbedder, sets: dict[str, list],
                metric: dict[str, str], grid: dict[str, list[Any]], name: str) -> None:
    """Quality on validation and dev over ``grid`` (MappingParams fields), hit@1 and MRR next
    to the tuning metric, as these changes move the top of the list; writes results/NAME.json.
    --lexical-sweep: the shortest label that earns the word-for-word bonus when found in an
    English gloss (MappingParams.lexical_min_words), beside the gloss weight. --unsaid-sweep:
    what a skill whose name says what the text does not loses (MappingParams.unsaid_weight)."""
    rows = []
    for values in itertools.product(*grid.values()):
        chosen = dict(zip(grid, values, strict=True))
        params = replace(MappingParams(), **chosen)
        engine._mapper = OutcomeMapper(engine.taxonomy, engine.index, embedder, params=params)
        row: dict[str, Any] = dict(chosen)
        for set_name, data in sets.items():
            metrics = score_set(engine, data)
            row[set_name] = metrics[metric[set_name]]
            row[f"{set_name}_hit@1"], row[f"{set_name}_MRR"] = metrics["hit@1"], metrics["MRR"]
        rows.append(row)
        print(row)
    write_results(name, {"model": engine.embedder.model_id, "grid": grid,
                         "sizes": {n: len(data) for n, data in sets.items()}, "rows": rows})


def main() -> None:
    engine = official_engine()
    embedder = CachingEmbedder(engine.embedder)
    if "--gloss-sweep" in sys.argv[1:]:
        gloss_sweep(engine, embedder)
        return
    sets, metric = tuning_sets(engine), TUNING_METRIC
    if "--plan-sweep" in sys.argv[1:]:
        plan_sweep(engine, embedder, sets, metric)
        return
    if "--clause-sweep" in sys.argv[1:]:
        plan_sweep(engine, embedder, sets, metric,
                   [(replace(EN, clause_min_words=n), SV) for n in CLAUSE_SWEEP],
                   "tuning_clauses")
        return
    if "--lexical-sweep" in sys.argv[1:]:
        param_sweep(engine, embedder, sets, metric, LEXICAL, "tuning_lexical")
        return
    if "--unsaid-sweep" in sys.argv[1:]:
        param_sweep(engine, embedder, sets, metric, UNSAID, "tuning_unsaid")
        return
    base = MappingParams()
    rows = []
    for values in itertools.product(*GRID.values()):
        chosen = dict(zip(GRID, values, strict=True))
        params = replace(base, **chosen)
        mapper = OutcomeMapper(engine.taxonomy, engine.index, embedder, params=params)
        engine._mapper = mapper  # the benchmark swaps the mapper; the library never does
        scores = {name: score_set(engine, data)[metric[name]]
                  for name, data in sets.items()}
        objective = round(sum(scores.values()) / len(scores), 2)
        rows.append({**chosen, **scores, "objective": objective})
        print(rows[-1])
    rows.sort(key=lambda r: -r["objective"])
    print("best:", rows[0])
    write_results("tuning", {"model": engine.embedder.model_id, "grid": GRID, "best": rows[0],
                             "top10": rows[:10]})


if __name__ == "__main__":
    main()
