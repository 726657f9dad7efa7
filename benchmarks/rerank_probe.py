"""Would a learned re-ranker help? A probe on validation and dev only (nothing ships from it).

    python benchmarks/rerank_probe.py    # writes benchmarks/results/rerank_probe.json

For every text of the tuning sets (TECH/HOUSE validation, outcome dev), the mapper's top 30
skills are described by features the fusion already computes or could compute cheaply: the
fused score, the label similarity (best, from the whole sentence, from clauses, from the gloss,
from the text as written, mean over segments), the description similarity, the prior, the
word-for-word flags, the rank and gap to the best, and the kind and length of the matched
label. A logistic regression (standardised features) is trained and scored by 5-fold
cross-validation grouped by text, and its ranking is compared with the mapper's on the same
held-out texts. Test splits are never read.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import official_engine, ranking_metrics, tuning_sets, write_results  # noqa: E402

TOP = 30


def candidate_features(engine, text: str) -> tuple[list[int], np.ndarray]:
    """The mapper's top skills for ``text`` (skill rows, in its order) and their features."""
    mapper, index = engine.mapper, engine.index
    segments, _ = mapper.segment(text)
    if not segments:
        return [], np.zeros((0, 19))
    vectors = engine.embedder.embed_queries([s.text for s in segments])
    scores, ids = index.search(vectors, mapper.params.candidates)
    hits = mapper._fuse(segments, vectors, scores, ids, TOP)
    skills = list(hits)
    labels = np.stack([index.vector(hits[s].variant) for s in skills])
    sims = labels @ vectors.T  # skill x segment
    described = (index.descriptions[skills] @ vectors.T).max(axis=1)
    whole = np.array([s.whole for s in segments])
    glossed = np.array([s.glossed for s in segments])

    def best(mask: np.ndarray) -> np.ndarray:
        return np.where(mask[None, :], sims, -1.0).max(axis=1) if mask.any() else np.zeros(
            len(skills))

    from_whole, from_clauses = best(whole), best(~whole)
    from_gloss, as_written = best(glossed), best(~glossed)
    top = hits[skills[0]].score
    rows = []
    for rank, skill in enumerate(skills):
        hit = hits[skill]
        variant = index.variants[hit.variant]
        rows.append([
            hit.score, hit.similarity, sims[rank].max(), from_whole[rank], from_clauses[rank],
            from_gloss[rank], as_written[rank], described[rank], mapper._prior[skill],
            float(hit.lexical), float(bool(hit.lexical_in and hit.lexical_in[1])),
            1.0 / (rank + 1), top - hit.score, float(glossed.any()), float((~whole).any()),
            float(variant.kind == "preferred"), float(variant.kind == "alternative"),
            float(len(variant.text.split())), sims[rank].mean(),
        ])
    return skills, np.array(rows)


def main() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    engine = official_engine()
    sets = tuning_sets(engine)
    texts: list[tuple[str, dict, list[int]]] = []
    features, gold, group = [], [], []
    for name, data in sets.items():
        for row in data:
            skills, x = candidate_features(engine, row["text"])
            uris = set(row["gold"])
            features.append(x)
            gold += [float(engine.index.uris[s] in uris) for s in skills]
            group += [len(texts)] * len(skills)
            texts.append((name, row, skills))
    x, y, g = np.concatenate(features), np.array(gold), np.array(group)
    p = np.zeros(len(y))
    for train, held in GroupKFold(5).split(x, y, g):
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
        p[held] = model.fit(x[train], y[train]).predict_proba(x[held])[:, 1]
    result: dict[str, dict] = {}
    offset = 0
    ranked: dict[str, tuple[list, list, list]] = {name: ([], [], []) for name in sets}
    for name, row, skills in texts:
        scores = p[offset:offset + len(skills)]
        offset += len(skills)
        uris = [engine.index.uris[s] for s in skills]
        base, new, golds = ranked[name]
        base.append(uris)
        new.append([uris[i] for i in np.argsort(-scores, kind="stable")])
        golds.append(row["gold"])
    for name, (base, new, golds) in ranked.items():
        result[name] = {"mapper": ranking_metrics(base, golds),
                        "re-ranked": ranking_metrics(new, golds)}
        print(name, result[name])
    write_results("rerank_probe", {"model": engine.embedder.model_id, "top": TOP,
                                   "cv": "5-fold, grouped by text", **result})


if __name__ == "__main__":
    main()
