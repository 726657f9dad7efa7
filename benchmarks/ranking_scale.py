"""Ranking at scale: 100k and 1M synthetic candidates against 15-skill requirements.

    python benchmarks/ranking_scale.py [--sizes 100000 1000000] [--requirements 25]

Candidates hold 10–40 ESCO v1.1.1 skills each, drawn with the skills' real popularity (how many
occupations list them, +1 so every skill can occur), with evidence weights of verified (1.0),
unverified (0.7) or self-declared (0.4) credentials times a link factor in [0.5, 1]. The
candidates are held as one CSC matrix (an inverted index: skill → candidates) that the ranking
reads, and a CSR copy from which the top-k's profiles are read for their explanations.

Each requirement takes 15 skills of a random ESCO occupation (essential 1, optional 0.5; every
other requirement marks 2 must-haves). Timed: the full :func:`matcher.scoring.rank.rank_matrix` —
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
        out.append(RequirementProfile(f"req{i}", str(occupation), "skills", tuple(
            Requirement(uri, 1.0 if essential else 0.5, i % 2 == 1 and k < 2,
                        "essential" if essential else "optional")
            for k, (uri, essential) in enumerate(picked))))
    return out


def profile_lookup(rows, uris: list[str]):
    """``profile_of(row)`` for the top-k: a profile built from one row of the CSR matrix (a
    real deployment would fetch the candidate's stored profile by id)."""
    def profile_of(row: int) -> CandidateProfile:
        start, end = rows.indptr[row], rows.indptr[row + 1]
        evidence = {}
        for col, weight in zip(rows.indices[start:end].tolist(),
                               rows.data[start:end].tolist(), strict=True):
            strength = NAMES[0] if weight > 0.7 else NAMES[1] if weight > 0.4 else NAMES[2]
            evidence[uris[col]] = (Evidence(strength, 1.0, float(weight),
                                            credential_id=f"synthetic-{row}-{col}"),)
        return CandidateProfile(f"cand-{row}", evidence)
    return profile_of


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--requirements", type=int, default=25)
    parser.add_argument("--seed", type=int, default=7)
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
    results = []
    for n in args.sizes:
        gc.collect()
        started = time.perf_counter()
        rows = synthetic_candidates(n, popularity, rng)
        matrix = rows.tocsc()  # the inverted index the ranking reads
        build = time.perf_counter() - started
        ids = [f"cand-{i}" for i in range(n)]
        profile_of = profile_lookup(rows, space.uris)
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
            "skills_per_candidate": round(matrix.nnz / n, 1),
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
