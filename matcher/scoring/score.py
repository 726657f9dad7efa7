"""Vectorised scoring: profiles as sparse matrices, many candidates against a requirement.

Reads: candidate and requirement profiles, the partial-credit matrix. Writes nothing.

:func:`ranking_key` orders candidates (must-haves met first, then the score, lifted for an
occupation by the titles of the candidate's credentials, then the coverage of the rest) and
:func:`best_rows` takes the top-k of any key: the one top-k helper of the library.

Title lifts (:attr:`matcher.profiles.CandidateProfile.titles`) ride in the candidate matrix
itself, one column per ESCO occupation after the skill columns (:func:`title_columns`): the
service's pool updates and compacts them with the skills, and a search for an occupation
reads its one column.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher.errors import InvalidInputError
from matcher.profiles import CandidateProfile, Requirement, RequirementProfile
from matcher.scoring.partial_credit import PartialCredit, SkillSpace

if TYPE_CHECKING:
    from scipy import sparse

    from matcher.taxonomy import Taxonomy

# How much a credential title that points to an occupation lifts a candidate in an
# employer's ranking for it: the order key is the score × (1 + TITLE_WEIGHT × lift), lift in
# [0.5, 1] (matcher.title_names). The percentage shown stays the score. Employer MAP on
# dev / dev2 / dev3 (`benchmarks/suggestions.py --title-sweep`, pointing lifts): weight 0
# 0.764 / 0.723 / 0.778, 0.5 0.807 / 0.732 / 0.802, 1 0.816 / 0.743 / 0.820, 2 0.817 / 0.738
# / 0.836, 4 0.817 / 0.753 / 0.827. Past 1 the gains are within a person's rank on one set;
# 1 keeps the order readable: a lifted candidate never passes one with more than twice
# their coverage of the core.
TITLE_WEIGHT = 1.0
# The order key's offset for meeting every must-have: above any lifted score.
MUST_KEY = 4.0 + 2.0 * TITLE_WEIGHT


@functools.lru_cache(maxsize=8)
def _title_columns(occupations: tuple[str, ...], skills: int) -> dict[str, int]:
    return {uri: skills + i for i, uri in enumerate(occupations)}


def title_columns(taxonomy: Taxonomy, space: SkillSpace) -> dict[str, int]:
    """Per ESCO occupation, its title-lift column in a candidate matrix: after the skills."""
    return _title_columns(tuple(taxonomy.occupations), len(space))


def candidate_matrix(profiles: Sequence[CandidateProfile], space: SkillSpace,
                     titles: Mapping[str, int] | None = None) -> sparse.csr_matrix:
    """Candidates × skills, each entry the weight of the strongest evidence; with ``titles``
    (:func:`title_columns`), then one column per occupation with the candidate's title
    lift, where a title points to it."""
    from scipy import sparse

    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for profile in profiles:
        for uri, evidence in profile.skills.items():
            col = space.col.get(uri)
            if col is not None:
                indices.append(col)
                data.append(evidence[0].weight)
        if titles is not None:
            for uri, lifted in profile.titles.items():
                col = titles.get(uri)
                # Only a title that points to the occupation lifts, so the card names it
                # (CandidateProfile.for_ranking).
                if col is not None and lifted.lift > 0 and lifted.points:
                    indices.append(col)
                    data.append(lifted.lift)
        indptr.append(len(indices))
    width = len(space) + (len(titles) if titles is not None else 0)
    matrix = sparse.csr_matrix(
        (np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int32),
         np.asarray(indptr, dtype=np.int64)), shape=(len(profiles), width))
    if titles is not None:
        matrix.sort_indices()  # title columns follow the skills within each row
    return matrix


def requirement_matrix(requirements: Sequence[Sequence[tuple[str, float]]],
                       space: SkillSpace) -> sparse.csr_matrix:
    """Requirement profiles (occupations, ads) × skills, each entry a requirement weight."""
    from scipy import sparse

    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for items in requirements:
        for uri, weight in items:
            col = space.col.get(uri)
            if col is not None and weight > 0:
                indices.append(col)
                data.append(weight)
        indptr.append(len(indices))
    matrix = sparse.csr_matrix(
        (np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int32),
         np.asarray(indptr, dtype=np.int64)), shape=(len(requirements), len(space)))
    matrix.sum_duplicates()
    return matrix


@dataclass(frozen=True)
class Scores:
    """Vectorised result of scoring many candidates against one requirement."""

    score: np.ndarray  # (n,) float32 in [0, 1]: coverage of the job's core
    must_met: np.ndarray  # (n,) bool
    full: np.ndarray | None = None  # (n,) coverage of every listed skill (breaks ties)
    # The rows that hold a relevant skill, ascending (None: not known). Every other row
    # scores 0, covers nothing and meets the must-haves only when there are none
    # (``others_meet``): a caller can take the top-k among these rows alone.
    rows: np.ndarray | None = None
    others_meet: bool = False
    # (n,) how far the candidates' credential titles lift them for the occupation asked
    # for, in [0, 1] (None: not an occupation, or no title lifts it): orders, never scores.
    lift: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class Query:
    """The requirement's side of :func:`score_candidates`, which depends on the requirement
    and the partial-credit matrix alone: the skill columns that can contribute and, for each,
    its row of ``Q = [I_R | P_R]`` (direct weight, partial credit per required skill)."""

    relevant: np.ndarray  # skill columns holding a required skill or a stand-in, ascending
    direct: Any  # (len(relevant), n_req) CSC: those columns' rows of I_R
    partial: Any  # (len(relevant), n_req) CSC: their rows of P_R
    core: np.ndarray  # (n_req,) weights in the score (core_weights)
    weights: np.ndarray  # (n_req,) every requirement's weight (coverage, ties)
    must: np.ndarray  # (n_req,) bool


@functools.lru_cache(maxsize=512)
def prepared_query(requirements: tuple[Requirement, ...], partial: PartialCredit) -> Query:
    """The :class:`Query` of ``requirements``, built once per requirement and partial-credit
    matrix (a few hundred kept): a saved search, an occupation or a page of results asked
    again skips a dozen sparse operations, about a third of scoring 10,000 candidates."""
    from scipy import sparse

    space = partial.space
    cols = np.array([space.col[r.uri] for r in requirements], dtype=np.int64)
    n_req = len(cols)
    # Q = [I_R | P_R], assembled column by column: column j of I_R is the unit vector of
    # required skill j, P_R is those skills' columns of the partial-credit matrix.
    stand_ins = partial.credit_csc[:, cols]
    q = sparse.csc_matrix(
        (np.concatenate([np.ones(n_req, dtype=np.float32), stand_ins.data]),
         np.concatenate([cols, stand_ins.indices]),
         np.concatenate([np.arange(n_req, dtype=np.int64),
                         n_req + stand_ins.indptr.astype(np.int64)])),
        shape=(len(space), 2 * n_req)).tocsr()
    relevant = np.flatnonzero(np.diff(q.indptr))
    rows = q[relevant].tocsc()
    return Query(relevant, rows[:, :n_req], rows[:, n_req:], core_weights(requirements),
                 np.array([r.weight for r in requirements], dtype=np.float32),
                 np.array([r.must_have for r in requirements], dtype=bool))


def score_candidates(
    candidates: sparse.spmatrix,
    requirement: RequirementProfile,
    partial: PartialCredit,
    titles: Mapping[str, int] | None = None,
) -> Scores:
    """Score every candidate row against ``requirement`` (no loop over candidates).

    ``C @ Q`` with ``Q = [I_R | P_R]`` gives, per candidate, the direct weight and the summed
    partial credit of each required skill in one sparse product. Only the skills that can
    contribute (rows of ``Q`` that are not empty: the required skills and their stand-ins)
    matter, so the product runs on those columns of ``C``: with ``C`` in CSC form (an inverted
    index, skill → candidates) selecting them touches only their entries. Pass a CSC matrix
    to rank many candidates repeatedly; any other sparse format is converted first.

    With ``titles`` (the matrix's :func:`title_columns`) and a requirement for an occupation,
    the candidates' title lifts for it come from its column (:attr:`Scores.lift`).
    """
    from scipy import sparse

    query = prepared_query(requirement.requirements, partial)
    relevant, core, weights, must = query.relevant, query.core, query.weights, query.must
    csc = candidates if candidates.format == "csc" else candidates.tocsc()
    n = candidates.shape[0]
    # Only the rows holding a relevant skill can score: the product runs on those rows alone
    # (renumbered 0 … k−1), so a search costs in proportion to the entries it touches, not to
    # the pool (a million rows, few of them holding a rare skill). The rest score 0.
    sub = csc[:, relevant]
    touched = np.zeros(n, dtype=bool)
    touched[sub.indices] = True
    rows = np.flatnonzero(touched)
    renumber = np.zeros(n, dtype=np.int32)
    renumber[rows] = np.arange(len(rows), dtype=np.int32)
    compact = sparse.csc_matrix((sub.data, renumber[sub.indices], sub.indptr),
                                shape=(len(rows), len(relevant)))
    # All sparse (no dense candidates × skills block, no BLAS call): the service runs many
    # searches side by side and a multi-threaded BLAS would only spin on the other's core.
    # CSC throughout: the products come out CSC without converting either side.
    direct, part = compact @ query.direct, compact @ query.partial
    part.data = np.minimum(part.data, partial.meta["params"]["partial_cap"])
    covered = direct.maximum(part)
    score = np.zeros(n, dtype=np.float32)
    full = np.zeros(n, dtype=np.float32)
    score[rows] = np.clip((covered @ core) / float(core.sum()), 0.0, 1.0)
    full[rows] = np.clip((covered @ weights) / float(weights.sum()), 0.0, 1.0)
    must_met = np.full(n, not must.any(), dtype=bool)
    if must.any():
        held = direct[:, np.flatnonzero(must)]  # a must-have is held when its entry is > 0
        must_met[rows] = (np.bincount(held.indices[held.data > 0], minlength=len(rows))
                          == must.sum())
    return Scores(score, must_met, full, rows, not must.any(),
                  title_lift(csc, requirement, titles))


def title_lift(candidates: sparse.csc_matrix, requirement: RequirementProfile,
               titles: Mapping[str, int] | None) -> np.ndarray | None:
    """Per row, the title lift for ``requirement``'s occupation (None: not an occupation,
    no title columns, or no row lifted)."""
    if titles is None or requirement.occupation is None:
        return None
    col = titles.get(requirement.occupation)
    if col is None or col >= candidates.shape[1]:
        return None
    start, end = candidates.indptr[col], candidates.indptr[col + 1]
    if start == end:
        return None
    lift = np.zeros(candidates.shape[0], dtype=np.float32)
    lift[candidates.indices[start:end]] = candidates.data[start:end]
    return lift


def core_weights(requirements: Sequence[Any]) -> np.ndarray:
    """Each requirement's weight in the score: its weight when it is part of the job's core
    (:attr:`matcher.profiles.Requirement.core`), else 0; every weight when none is core."""
    weights = np.array([r.weight for r in requirements], dtype=np.float32)
    core = np.array([bool(getattr(r, "core", True)) for r in requirements], dtype=bool)
    return weights * core if core.any() else weights


def ranking_key(scores: Scores) -> np.ndarray:
    """The order of a ranking, highest first: those meeting every must-have first, then by
    score, lifted by the candidate's credential titles (× (1 + :data:`TITLE_WEIGHT` ×
    lift)); equal: more of the rest first."""
    key = scores.score.astype(np.float64)
    if scores.lift is not None:
        key = key * (1.0 + TITLE_WEIGHT * scores.lift.astype(np.float64))
    key = key + scores.must_met.astype(np.float64) * MUST_KEY
    if scores.full is not None:
        key = key + scores.full.astype(np.float64) * 1e-3
    return key


def leaders(scores: Scores, k: int,
            live: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """The rows that hold a relevant skill and rank above every other row (live ones only,
    given ``live``), ascending, with their :func:`ranking_key`, when there are at least ``k``
    of them: the top-k is then among them. None when the scores do not say which rows those
    are, or fewer than ``k`` rank above the rest (every other row shares one key)."""
    if scores.rows is None:
        return None
    rows = scores.rows if live is None else scores.rows[live[scores.rows]]
    key = ranking_key(Scores(scores.score[rows], scores.must_met[rows],
                             None if scores.full is None else scores.full[rows],
                             lift=None if scores.lift is None else scores.lift[rows]))
    above = key > MUST_KEY * scores.others_meet  # the key of every row that holds none
    if int(above.sum()) < k:
        return None
    return rows[above], key[above]


def top_rows(scores: Scores, k: int) -> np.ndarray:
    """Indices of the ``k`` best rows by :func:`ranking_key`, best first, ties by index; found
    among :func:`leaders` when they suffice, without a pass over every row."""
    found = leaders(scores, k)
    if found is not None:
        rows, key = found
        best: np.ndarray = rows[best_rows(key, k)]
        return best
    return best_rows(ranking_key(scores), k)


def split_at_cut(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """For the top ``k`` (1 ≤ k ≤ len(scores)): the indices scoring above the k-th highest
    score, which are all in it, and those scoring exactly that, of which it takes the first
    ``k - len(above)`` when ties break by index (``argpartition`` alone would pick any)."""
    cut = scores[np.argpartition(-scores, k - 1)[k - 1]]
    return np.flatnonzero(scores > cut), np.flatnonzero(scores == cut)


def best_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` highest scores, best first (ties by index, so the same scores
    always give the same ranking)."""
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    above, tied = split_at_cut(scores, k)
    part = np.concatenate([above, tied[:k - len(above)]])
    return part[np.lexsort((part, -scores[part]))]


def coverage(candidates: sparse.csr_matrix, partial: PartialCredit) -> sparse.csr_matrix:
    """Per candidate and skill, how far it is covered: max(direct, min(cap, partial))."""
    cap = partial.meta["params"]["partial_cap"]
    part = (candidates @ partial.credit).tocsr()
    part.data = np.minimum(part.data, cap)
    return candidates.maximum(part).tocsr()


def score_requirements(cover: sparse.csr_matrix, requirements: sparse.csr_matrix) -> np.ndarray:
    """Candidates' coverage (n × skills) against requirement rows (m × skills): n × m scores,
    each the weighted share of the requirement that is covered (as :func:`score_candidates`)."""
    totals = np.asarray(requirements.sum(axis=1)).ravel()
    totals[totals == 0] = 1.0
    product: np.ndarray = (cover @ requirements.T).toarray()
    scores: np.ndarray = np.clip(product / totals[None, :], 0.0, 1.0)
    return scores


SUGGESTION_SCORINGS = ("coverage", "smoothed", "cosine")


def suggestion_relevance(cover: sparse.csr_matrix, requirements: sparse.csr_matrix,
                         scoring: str = "cosine", prior: float = 3.0) -> np.ndarray:
    """How well each requirement row suits each candidate, to order suggestions (n × m).

    ``coverage`` is the score itself: it favours requirements with few skills, where one lucky
    (or mis-linked) skill covers a large share. ``smoothed`` adds ``prior`` pseudo-weight of
    uncovered skills to every requirement. ``cosine`` also divides by the size of the
    candidate's profile, so an occupation must use much of what the person holds — the
    classic retrieval similarity; chosen by benchmarks/occupation_recovery.py.
    """
    product: np.ndarray = (cover @ requirements.T).toarray()
    if scoring == "coverage":
        totals = np.asarray(requirements.sum(axis=1)).ravel()
        share: np.ndarray = product / np.maximum(totals, 1e-9)[None, :]
        return share
    if scoring == "smoothed":
        totals = np.asarray(requirements.sum(axis=1)).ravel()
        return product / (totals + prior)[None, :]
    if scoring == "cosine":
        req_norm = np.sqrt(np.asarray(requirements.multiply(requirements).sum(axis=1)).ravel())
        cov_norm = np.sqrt(np.asarray(cover.multiply(cover).sum(axis=1)).ravel())
        return product / np.maximum(np.outer(cov_norm, req_norm), 1e-9)
    raise InvalidInputError(f"scoring must be one of {', '.join(SUGGESTION_SCORINGS)}, "
                            f"not {scoring!r}", field="scoring")
