"""Mapping quality: TECH and HOUSE skill linking, and the project's Swedish/English outcomes.

    python benchmarks/mapping_quality.py            # writes benchmarks/results/mapping_quality.json

Skill linking (Decorte et al. 2022; protocol in shared/DATA.md): each sentence with at least one
gold label is mapped against all of ESCO; RP@K = |gold ∩ top-K| / min(K, |gold|); MRR over the
first gold hit within the top 100. Outcomes: hit@1, hit@5, MRR per language and split.
"""

from __future__ import annotations

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


def main() -> None:
    engine = official_engine()
    _, seconds = timed(lambda: engine.index)
    print(f"index ready in {seconds:.1f}s ({engine.index.meta['variants']} variants)")
    labels = label_index(engine)
    results: dict[str, dict] = {"skill_linking": {}, "outcomes": {}}
    print(f"{'set':<22}{'n':>5}{'RP@5':>7}{'RP@10':>7}{'MRR':>7}{'hit@1':>7}{'hit@5':>7}")
    for name in ("tech", "house"):
        for split in ("validation", "test"):
            rows = skill_linking_set(name, split, labels)
            metrics = ranking_metrics(rank(engine, [r["text"] for r in rows]),
                                      [r["gold"] for r in rows])
            results["skill_linking"][f"{name}_{split}"] = metrics
            _print(f"{name} {split}", metrics)
    for split in ("dev", "test"):
        rows = outcome_set(split)
        for lang in ("sv", "en"):
            subset = [r for r in rows if r["lang"] == lang]
            metrics = ranking_metrics(rank(engine, [r["text"] for r in subset]),
                                      [r["gold"] for r in subset])
            results["outcomes"][f"{lang}_{split}"] = metrics
            _print(f"outcomes {lang} {split}", metrics)
    write_results("mapping_quality", {
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
