"""Ranking at scale: 100k and 1M synthetic candidates against 15-skill requirements.

    python benchmarks/ranking_scale.py [--sizes 100000 1000000] [--requirements 25]

Candidates hold 10–40 ESCO v1.1.1 skills each, drawn with the skills' real popularity (how many
occupations list them, +1 so every skill can occur), with evidence weights of verified (1.0),
unverified (0.7) or self-declared (0.4) credentials times a link factor in [0.5, 1]. The
candidates are held as one CSC matrix (an inverted index: skill → candidates) that the ranking
reads, and a CSR copy from which the top-k's profiles are read for their explanations.

Each candidate also holds title lifts (matcher.title_names) for ``--lifts`` random
occupations on average (Poisson), in the occupation columns after the skills
(matcher.scoring.score.title_columns), as the service's pool keeps them.

Each requirement takes 15 skills of a random ESCO occupation (essential 1, optional 0.5; every
other requirement marks 2 must-haves) and names the occupation, so its title-lift column is
read. Timed: the full :func:`matcher.scoring.rank.rank_matrix` —
scoring with partial credit, must-have gate, top-10 and the explanations of those 10 — p50 and
p90 over the requirements. Memory: peak resident set of the process (includes the candidate
matrix and the ESCO data) and the extra peak allocated while ranking (tracemalloc, one run).
Goal (issue 3): 1M candidates in ≤ 1 s using ≤ 2 GB on this 2-core machine.

Writes benchmarks/results/ranking_scale.json.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import official_engine, write_results  # noqa: E402

from matcher.profiles import CandidateProfile, Evidence, Requirement, RequirementProfile  # noqa: E402
from matcher.scoring.rank import rank_matrix  # noqa: E402
from matcher.scoring.score import title_columns  # noqa: E402
from matcher.title_names import TitleLift  # noqa: E402

# Title lifts per candidate kept in the matrix: those that point, 9.6 a person on dev–dev3
# (`benchmarks/suggestions.py --title-sweep`, "lifts_per_person" of the pointing rows).
LIFTS = 10.0
STRENGTHS = np.array([1.0, 0.7, 0.4], dtype=np.float32)
NAMES = ("verified", "unverified", "self_declared")


def synthetic_candidates(n: int, popularity: np.ndarray, rng: np.random.Generator):
    """A CSR matrix n × skills with 10–40 distinct skills per row."""
    from scipy import sparse

    counts = rng.integers(10, 41, n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    p = popularity / popularity.sum()
    indices = rng.choice(len(p), size=int(indptr[-1]), p=p).astype(np.int32)
    strength = rng.integers(0, 3, int(indptr[-1]))
    data = STRENGTHS[strength] * rng.uniform(0.5, 1.0, int(indptr[-1])).astype(np.float32)
    matrix = sparse.csr_matrix((data, indices, indptr), shape=(n, len(p)))
    matrix.sum_duplicates()  # a skill drawn twice in a row: keep one entry, capped at 1
    np.minimum(matrix.data, 1.0, out=matrix.data)
    return matrix


def with_title_lifts(rows, titles: dict[str, int], lifts: float, rng: np.random.Generator):
    """``rows`` with title-lift columns: Poisson(``lifts``) occupations per row, each lifted
    by a value in [0.5, 1] (a pointing title's closeness)."""
    from scipy import sparse

    n = rows.shape[0]
    counts = rng.poisson(lifts, n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    start = min(titles.values())
    indices = (start + rng.integers(0, len(titles), int(indptr[-1]))).astype(np.int32)
    data = rng.uniform(0.5, 1.0, int(indptr[-1])).astype(np.float32)
    lifted = sparse.csr_matrix((data, indices, indptr), shape=(n, start + len(titles)))
    lifted.sum_duplicates()
    np.minimum(lifted.data, 1.0, out=lifted.data)
    rows = sparse.csr_matrix((rows.data, rows.indices, rows.indptr), shape=lifted.shape)
    return (rows + lifted).tocsr()


def requirements(engine, count: int, rng: np.random.Generator) -> list[RequirementProfile]:
    by_occupation: dict[str, list[tuple[str, bool]]] = {}
    for r in engine.taxonomy.occupation_skills:
        if r.skill_uri in engine.taxonomy.skills:
            by_occupation.setdefault(r.occupation_uri, []).append((r.skill_uri, r.essential))
    pool = sorted(o for o, skills in by_occupation.items() if len(skills) >= 15)
    out = []
    for i, occupation in enumerate(rng.choice(pool, count, replace=False)):
        skills = by_occupation[str(occupation)]
        picked = [skills[j] for j in rng.choice(len(skills), 15, replace=False)]
        out.append(RequirementProfile(f"req{i}", str(occupation), "occupation", tuple(
            Requirement(uri, 1.0 if essential else 0.5, i % 2 == 1 and k < 2,
                        "essential" if essential else "optional")
            for k, (uri, essential) in enumerate(picked)), occupation=str(occupation)))
    return out


def profile_lookup(rows, uris: list[str], occupations: list[str]):
    """``profile_of(row)`` for the top-k: a profile built from one row of the CSR matrix (a
    real deployment would fetch the candidate's stored profile by id)."""
    def profile_of(row: int) -> CandidateProfile:
        start, end = rows.indptr[row], rows.indptr[row + 1]
        evidence = {}
        titles = {}
        for col, weight in zip(rows.indices[start:end].tolist(),
                               rows.data[start:end].tolist(), strict=True):
            if col >= len(uris):
                titles[occupations[col - len(uris)]] = TitleLift(float(weight), "Kurs")
                continue
            strength = NAMES[0] if weight > 0.7 else NAMES[1] if weight > 0.4 else NAMES[2]
            evidence[uris[col]] = (Evidence(strength, 1.0, float(weight),
                                            credential_id=f"synthetic-{row}-{col}"),)
        return CandidateProfile(f"cand-{row}", evidence, titles=titles)
    return profile_of


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--requirements", type=int, default=25)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--lifts", type=float, default=LIFTS,
                        help=f"title lifts per candidate, on average (default {LIFTS})")
    args = parser.parse_args()
    engine = official_engine()
    partial, taxonomy = engine.partial_credit, engine.taxonomy
    space = partial.space
    popularity = np.ones(len(space), dtype=np.float64)
    for r in taxonomy.occupation_skills:
        col = space.col.get(r.skill_uri)
        if col is not None:
            popularity[col] += 1.0
    rng = np.random.default_rng(args.seed)
    reqs = requirements(engine, args.requirements, rng)
    titles = title_columns(taxonomy, space)
    results = []
    for n in args.sizes:
        gc.collect()
        started = time.perf_counter()
        rows = with_title_lifts(synthetic_candidates(n, popularity, rng), titles,
                                args.lifts, rng)
        matrix = rows.tocsc()  # the inverted index the ranking reads
        build = time.perf_counter() - started
        ids = [f"cand-{i}" for i in range(n)]
        profile_of = profile_lookup(rows, space.uris, list(titles))
        rank_matrix(reqs[0], matrix, ids, partial, taxonomy, profile_of=profile_of)  # warm-up
        times = []
        for req in reqs:
            started = time.perf_counter()
            result = rank_matrix(req, matrix, ids, partial, taxonomy, profile_of=profile_of,
                                 top_k=10)
            times.append(time.perf_counter() - started)
            assert len(result.candidates) == 10
        tracemalloc.start()
        rank_matrix(reqs[1], matrix, ids, partial, taxonomy, profile_of=profile_of)
        _, ranking_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
        matrix_bytes = sum(m.data.nbytes + m.indices.nbytes + m.indptr.nbytes
                           for m in (matrix, rows))
        row = {
            "candidates": n,
            "skills_per_candidate": round(float((rows.indices < len(space)).sum()) / n, 1),
            "title_lifts_per_candidate": round(float((rows.indices >= len(space)).sum()) / n, 1),
            "nonzeros": int(matrix.nnz),
            "build_seconds": round(build, 1),
            "requirements": len(reqs),
            "p50_seconds": round(float(np.percentile(times, 50)), 4),
            "p90_seconds": round(float(np.percentile(times, 90)), 4),
            "max_seconds": round(max(times), 4),
            "candidate_matrix_mb": round(matrix_bytes / 2**20, 1),
            "ranking_extra_peak_mb": round(ranking_peak / 2**20, 1),
            "process_peak_rss_mb": round(rss / 2**20, 1),
        }
        print(f"  {n:>9,} candidates: p50 {row['p50_seconds'] * 1000:.1f} ms, p90 "
              f"{row['p90_seconds'] * 1000:.1f} ms; matrix {row['candidate_matrix_mb']} MB, "
              f"ranking peak +{row['ranking_extra_peak_mb']} MB, process peak RSS "
              f"{row['process_peak_rss_mb']} MB")
        results.append(row)
        del matrix, rows, profile_of
    write_results("ranking_scale", {
        "taxonomy": taxonomy.version, "partial_credit_pairs": partial.nnz,
        "requirement": "15 skills of a random ESCO occupation; must-haves in every other one",
        "timed": "rank_matrix: scores with partial credit + must-have gate + top-10 + "
                 "explanations of the 10",
        "goal": "1M candidates in <= 1 s using <= 2 GB",
        "results": results,
    })


if __name__ == "__main__":
    main()
