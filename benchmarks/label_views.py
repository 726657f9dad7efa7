"""How a label's vector mixes its two e5 embeddings: as a passage and as a query.

    python benchmarks/label_views.py    # writes benchmarks/results/label_views.json

e5 embeds texts to be found with "passage: " and texts to look up with "query: "; a short
label matched to a short outcome is also a symmetric task, for which e5 uses "query: " on both
sides. The index stores (1 - w) × passage + w × query for each label, so the inner product
with an outcome is the weighted mean of the two similarities (matcher.index.label_vectors).
This sweeps w on TECH/HOUSE validation and the outcome dev split (test splits are never read)
with exact search. Both views of the 99,409 labels are embedded once (about 13 minutes) and
kept in benchmarks/.cache/label_views.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    ROOT,
    CachingEmbedder,
    label_index,
    official_engine,
    outcome_set,
    rank,
    ranking_metrics,
    skill_linking_set,
    write_results,
)

from matcher.index import (  # noqa: E402
    DEFAULT_KINDS,
    LABEL_QUERY_WEIGHT,
    SkillIndex,
    _embed_all,
    collect_variants,
    skill_description,
)
from matcher.mapping import OutcomeMapper  # noqa: E402

WEIGHTS = [0.0, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 1.0]
CACHE = ROOT / ".cache" / "label_views"


class _Quiet:
    def update(self, n: int) -> None:
        pass


def _cached(name: str, compute) -> np.ndarray:  # type: ignore[no-untyped-def]
    path = CACHE / f"{name}.npy"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"embedding {name} …", flush=True)
        np.save(path, compute())
    return np.load(path)


def main() -> None:
    import faiss

    engine = official_engine()
    taxonomy, embedder = engine.taxonomy, engine.embedder
    key = f"{taxonomy.content_hash}-{embedder.model_id}"
    uris, variants = collect_variants(taxonomy, DEFAULT_KINDS)
    texts = [v.text for v in variants]
    passage = _cached(f"{key}-passage", lambda: _embed_all(embedder.embed_passages,
                                                           embedder.dim, texts, _Quiet()))
    query = _cached(f"{key}-query", lambda: _embed_all(embedder.embed_queries, embedder.dim,
                                                       texts, _Quiet()))
    described = [skill_description(taxonomy, uri) for uri in uris]
    descriptions = _cached(f"{key}-descriptions", lambda: _embed_all(
        embedder.embed_passages, embedder.dim, described, _Quiet()))

    labels = label_index(engine)
    sets = {f"{n}_validation": skill_linking_set(n, "validation", labels)
            for n in ("tech", "house")}
    dev = outcome_set("dev")
    sets["sv_dev"] = [r for r in dev if r["lang"] == "sv"]
    sets["en_dev"] = [r for r in dev if r["lang"] == "en"]
    metric = {"tech_validation": "RP@5", "house_validation": "RP@5", "sv_dev": "hit@5",
              "en_dev": "hit@5"}
    cached = CachingEmbedder(embedder)
    rows = []
    for weight in WEIGHTS:
        flat = faiss.IndexFlatIP(embedder.dim)
        flat.add(np.ascontiguousarray((1 - weight) * passage + weight * query, dtype=np.float32))
        index = SkillIndex(uris, variants, flat, {"variants": len(variants)}, descriptions)
        engine._mapper = OutcomeMapper(taxonomy, index, cached)  # the benchmark swaps it
        row: dict[str, float] = {"label_query_weight": weight}
        for name, data in sets.items():
            metrics = ranking_metrics(rank(engine, [r["text"] for r in data], top_k=10),
                                      [r["gold"] for r in data])
            row[name] = metrics[metric[name]]
            row[f"{name}_RP@5"] = metrics["RP@5"]
        row["objective"] = round(sum(row[name] for name in sets) / len(sets), 2)
        rows.append(row)
        print(row, flush=True)
    best = max(rows, key=lambda r: r["objective"])
    print("best:", best, "| in use:", LABEL_QUERY_WEIGHT)
    write_results("label_views", {"model": embedder.model_id, "search": "exact",
                                  "in_use": LABEL_QUERY_WEIGHT, "best": best, "rows": rows})


if __name__ == "__main__":
    main()
