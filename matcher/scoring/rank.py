"""Ranking candidates against a requirement: score all, explain the top-k.

Reads: candidate profiles (or their matrix), a requirement, the partial-credit matrix and the
taxonomy. Returns a :class:`~matcher.scoring.results.RankingResult`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from matcher.errors import check_top_k as _check_top_k
from matcher.profiles import CandidateProfile, RequirementProfile
from matcher.scoring.explain import explainer_for
from matcher.scoring.partial_credit import PartialCredit
from matcher.scoring.results import RankedCandidate, RankingResult
from matcher.scoring.score import (
    Scores,
    candidate_matrix,
    score_candidates,
    title_columns,
    top_rows,
)
from matcher.taxonomy import Taxonomy

if TYPE_CHECKING:
    from scipy import sparse

MAX_TOP_K = 1000


def check_top_k(top_k: int) -> None:
    _check_top_k(top_k, MAX_TOP_K)


def rank_profiles(
    requirement: RequirementProfile,
    profiles: Sequence[CandidateProfile],
    partial: PartialCredit,
    taxonomy: Taxonomy,
    *,
    top_k: int = 10,
    lang: str = "en",
) -> RankingResult:
    """Rank candidate profiles against a requirement; explanations for the top-k only."""
    if not profiles:
        check_top_k(top_k)
        return RankingResult(requirement, (), 0, 0, ("no candidates given",))
    titles = title_columns(taxonomy, partial.space)
    result = rank_matrix(requirement, candidate_matrix(profiles, partial.space, titles),
                         [p.id for p in profiles], partial, taxonomy,
                         profile_of=profiles.__getitem__, top_k=top_k, lang=lang)
    empty = sum(1 for p in profiles if p.is_empty)
    if empty:
        note = f"{empty} candidate(s) hold no skills and score 0"
        result = RankingResult(result.requirement, result.candidates, result.total_candidates,
                               result.meeting_must_haves, (*result.notes, note))
    return result


def rank_matrix(
    requirement: RequirementProfile,
    matrix: sparse.spmatrix,
    ids: Sequence[str],
    partial: PartialCredit,
    taxonomy: Taxonomy,
    *,
    profile_of: Callable[[int], CandidateProfile],
    top_k: int = 10,
    lang: str = "en",
) -> RankingResult:
    """Rank the rows of a candidates × skills matrix (CSC for speed, see
    :func:`score_candidates`), with title-lift columns after the skills when it has them
    (:func:`~matcher.scoring.score.title_columns`); ``profile_of(row)`` gives the profile to
    explain for the top-k.
    """
    check_top_k(top_k)
    for uri in requirement.uris:
        taxonomy.skill(uri)  # UnknownConceptError names any URI the taxonomy lacks
    titles = (title_columns(taxonomy, partial.space)
              if matrix.shape[1] > len(partial.space) else None)
    scores = score_candidates(matrix, requirement, partial, titles)
    order = top_rows(scores, top_k)
    return ranking_result(requirement, scores, order, ids, partial, taxonomy,
                          profile_of=profile_of, total=len(ids), lang=lang)


def ranking_result(
    requirement: RequirementProfile,
    scores: Scores,
    order: np.ndarray,
    ids: Sequence[str],
    partial: PartialCredit,
    taxonomy: Taxonomy,
    *,
    profile_of: Callable[[int], CandidateProfile],
    total: int,
    lang: str = "en",
) -> RankingResult:
    """What :func:`rank_matrix` returns, for rows already scored (:func:`score_candidates`)
    and put in order (``order``: the top rows, best first), e.g. by a caller that keeps its
    matrix in parts. ``scores.must_met`` must be False for rows that do not take part;
    ``total`` counts those that do."""
    meeting = int(scores.must_met.sum())
    notes: list[str] = []
    must = requirement.must_haves
    if must and meeting == 0:
        labels = ", ".join(repr(taxonomy.skills[u].label(lang)) for u in must)
        notes.append(f"no candidate holds every must-have skill ({labels}); the list shows "
                     "the closest candidates, none of whom meets them")
    explainer = explainer_for(requirement.requirements, partial, taxonomy, lang)
    ranked = []
    for rank, row in enumerate(order.tolist(), start=1):
        profile = profile_of(row)
        ranked.append(RankedCandidate(rank, ids[row], explainer.explain(profile),
                                      _title_points(requirement, scores, row, profile)))
    return RankingResult(requirement, tuple(ranked), total, meeting, tuple(notes))


def _title_points(requirement: RequirementProfile, scores: Scores, row: int,
                  profile: CandidateProfile) -> str | None:
    """The credential title that lifted this candidate for the occupation asked for."""
    if scores.lift is None or requirement.occupation is None or scores.lift[row] <= 0:
        return None
    found = profile.titles.get(requirement.occupation)
    return found.title if found is not None else None
