"""Explanations: how each required skill is met, exactly, partly (stand-ins) or not at all.

Reads: a candidate profile, the requirement, the partial-credit matrix and the taxonomy's
labels. Writes nothing. Computes the same score as :func:`matcher.scoring.score.score_candidates`
(tests check that), skill by skill, for the candidates a ranking shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from matcher.caching import Kept
from matcher.evidence import Evidence
from matcher.profiles import CandidateProfile, Requirement
from matcher.scoring.partial_credit import METHODS, PartialCredit
from matcher.scoring.score import core_weights
from matcher.taxonomy import Taxonomy


# StandIn and SkillMatch are made by the hundred per search: plain slotted dataclasses (a frozen
# one costs five times as much to create). Treat them as read-only.
@dataclass(slots=True)
class StandIn:
    """A held skill that stands in (partly) for a required one."""

    uri: str
    label: str
    method: str  # hierarchy | relation | embedding
    relation: str  # e.g. "is a narrower skill of"
    credit: float  # of the route (fraction of a full match)
    contribution: float  # evidence weight × credit
    evidence: Evidence | None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"uri": self.uri, "label": self.label, "method": self.method,
                               "relation": self.relation, "credit": round(self.credit, 3),
                               "contribution": round(self.contribution, 3)}
        if self.evidence is not None:
            out["evidence"] = self.evidence.to_dict()
        return out


@dataclass(slots=True)
class SkillMatch:
    """How one required skill is met: exactly, partly (through stand-ins) or not at all.

    Attributes:
        score: coverage of the required skill in [0, 1].
        method: ``exact``, ``hierarchy``, ``relation``, ``embedding`` or ``missing``.
        evidence: for an exact match, the candidate's evidence for the skill.
        stand_ins: for a partial match, the held skills that stood in, best first.
        rationale: one line a person can read.
    """

    uri: str
    label: str
    weight: float
    must_have: bool
    score: float
    method: str
    rationale: str
    evidence: tuple[Evidence, ...] = ()
    stand_ins: tuple[StandIn, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "uri": self.uri, "label": self.label, "weight": round(self.weight, 3),
            "must_have": self.must_have, "score": round(self.score, 3), "method": self.method,
            "rationale": self.rationale,
        }
        if self.evidence:
            out["evidence"] = [e.to_dict() for e in self.evidence]
        if self.stand_ins:
            out["stand_ins"] = [s.to_dict() for s in self.stand_ins]
        return out


@dataclass(frozen=True)
class Explanation:
    """Score and per-skill explanation of one candidate against one requirement."""

    score: float  # the covered share of the job's core (Requirement.core), in [0, 1]
    must_haves_met: bool
    matched: tuple[SkillMatch, ...]
    partial: tuple[SkillMatch, ...]
    missing: tuple[SkillMatch, ...]
    must_haves: bool = False  # whether the requirement names any must-have
    coverage: float = 0.0  # the covered share of every listed skill, core or not
    core_held: int = 0  # core skills held (exact matches)
    core_total: int = 0  # core skills of the requirement
    core_partial: int = 0  # core skills not held but covered in part by related held skills

    @property
    def core(self) -> dict[str, int]:
        """How the score reads: core skills held, covered in part, and in all."""
        return {"held": self.core_held, "partial": self.core_partial, "total": self.core_total}

    @property
    def missing_must_haves(self) -> list[str]:
        return [m.uri for m in (*self.partial, *self.missing) if m.must_have]

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 4),
            "coverage": round(self.coverage, 4),
            "core": self.core,
            "must_haves": self.must_haves,
            "must_haves_met": self.must_haves_met,
            "missing_must_haves": self.missing_must_haves,
            "matched": [m.to_dict() for m in self.matched],
            "partial": [m.to_dict() for m in self.partial],
            "missing": [m.to_dict() for m in self.missing],
        }


def _by_contribution(stand_in: StandIn) -> float:
    return -stand_in.contribution


class Explainer:
    """Explains candidates against one requirement, skill by skill.

    What depends only on the requirement (labels, and each required skill's stand-ins from the
    partial-credit matrix) is looked up once, so explaining the top-k of a ranking costs one
    pass over the requirement per candidate. Computes the same score as
    :func:`score_candidates` (tests check that).
    """

    def __init__(self, requirements: Sequence[Requirement], partial: PartialCredit,
                 taxonomy: Taxonomy, *, lang: str = "en", max_stand_ins: int = 3) -> None:
        self.partial = partial
        self.taxonomy = taxonomy
        self.lang = lang
        self.max_stand_ins = max_stand_ins
        self.cap = partial.meta["params"]["partial_cap"]
        # The score is the covered share of the job's core (core_weights); the rest counts
        # in ``coverage``.
        self.core = [float(w) for w in core_weights(requirements)]
        self.total = sum(self.core) or 1.0
        self.total_all = sum(r.weight for r in requirements) or 1.0
        space = partial.space
        # Per required skill: uri, weight, must-have and label; and, per held skill (its
        # column), which required skills it can stand in for: (requirement's position,
        # credit, method, relation). A candidate holds a few dozen skills, so the stand-ins
        # are found from what they hold, not by trying every route of every required skill.
        self.plan: list[tuple[str, float, bool, str]] = []
        stands_in: dict[int, list[tuple[int, float, str, str]]] = {}
        for position, r in enumerate(requirements):
            uri = r.uri
            if uri in space.col:
                rows, credits, codes = partial.column(space.col[uri])
                for row, credit, code in zip(rows.tolist(), credits.tolist(), codes.tolist(),
                                             strict=True):
                    stands_in.setdefault(row, []).append(
                        (position, credit, *METHODS[code]))
            self.plan.append((uri, r.weight, r.must_have, self._label(uri)))
        self.must_haves = any(r.must_have for r in requirements)
        self._labels: dict[str, str] = {}
        # A missing skill reads the same for every candidate: one object, shared.
        self._missing = [SkillMatch(uri, name, weight, must, 0.0, "missing",
                                    f"no held skill covers {name!r}")
                         for uri, weight, must, name in self.plan]
        # Per skill a candidate may hold: its position among the required skills (or None),
        # its column, and the required skills it can stand in for; one lookup per held skill.
        self._of_held: dict[str, tuple[int | None, int, list[tuple[int, float, str, str]]]] = {}
        for column, routes in stands_in.items():
            self._of_held[space.uris[column]] = (None, column, routes)
        for position, (uri, *_) in enumerate(self.plan):
            column = space.col.get(uri, -1)
            self._of_held[uri] = (position, column, stands_in.get(column, []))
        self._must_positions = [p for p, (_, _, must, _) in enumerate(self.plan) if must]
        self.core_total = sum(1 for c in self.core if c > 0)

    def _label(self, uri: str) -> str:
        skill = self.taxonomy.skills.get(uri)
        return skill.label(self.lang) if skill else uri

    def _held_label(self, uri: str) -> str:
        label = self._labels.get(uri)
        if label is None:
            label = self._labels[uri] = self._label(uri)
        return label

    def explain(self, profile: CandidateProfile) -> Explanation:
        skills = profile.skills
        cap = self.cap
        # Only the required skills the candidate holds, or holds a stand-in for, are looked
        # at one by one; every other one is missing (a shared object). Held: position →
        # evidence. Stand-ins: position → (column, held skill, credit, method, relation), in
        # the order of the partial-credit matrix's rows.
        held: dict[int, tuple[Evidence, ...]] = {}
        routes: dict[int, list[tuple[int, str, float, str, str]]] = {}
        for held_uri, held_evidence in skills.items():
            known = self._of_held.get(held_uri)
            if known is None:
                continue
            at, column, stands_in = known
            if at is not None:
                held[at] = held_evidence
            for position, credit, method, relation in stands_in:
                routes.setdefault(position, []).append(
                    (column, held_uri, credit, method, relation))
        matched, part = [], []
        achieved = achieved_all = 0.0
        core_held = core_partial = 0
        covered_positions: set[int] = set()
        plan, core_of = self.plan, self.core
        for position in sorted(held.keys() | routes.keys()):
            uri, weight, must, name = plan[position]
            evidence = held.get(position)
            direct = evidence[0].weight if evidence else 0.0
            partial_score = 0.0
            stand_ins: list[StandIn] = []
            # Stand-ins count only up to the cap: a direct match at or above it needs none.
            found = routes.get(position)
            if found and direct < cap:
                found.sort()
                for _, held_uri, credit, method, relation in found:
                    best = skills[held_uri][0]
                    stand_ins.append(StandIn(held_uri, self._held_label(held_uri), method,
                                             relation, credit, best.weight * credit, best))
                stand_ins.sort(key=_by_contribution)
                partial_score = min(cap, sum(s.contribution for s in stand_ins))
            covered = direct if direct >= partial_score else partial_score
            core = core_of[position]
            achieved += core * covered
            achieved_all += weight * covered
            if core > 0:
                core_held += direct > 0
                core_partial += direct <= 0 < partial_score
            if evidence and direct > 0 and direct >= partial_score:  # direct > 0: held
                best = evidence[0]
                source = (f"from {best.credential_title!r} ({best.issuer})"
                          if best.credential_title else "self-declared")
                matched.append(SkillMatch(uri, name, weight, must, direct, "exact",
                                          f"holds {name!r} {source}, {best.strength}", evidence))
            elif stand_ins:
                top = stand_ins[0]
                rationale = (f"{top.label!r} {top.relation} {name!r} ({top.method}, credit "
                             f"{top.credit:.2f})")
                if len(stand_ins) > 1:
                    rationale += f" and {len(stand_ins) - 1} more held skill(s)"
                part.append(SkillMatch(uri, name, weight, must, partial_score, top.method,
                                       rationale, (), tuple(stand_ins[:self.max_stand_ins])))
            else:
                continue  # held at weight 0, and nothing stands in: missing
            covered_positions.add(position)
        missing = [m for position, m in enumerate(self._missing)
                   if position not in covered_positions]
        must_ok = all(held.get(p) and held[p][0].weight > 0 for p in self._must_positions)
        return Explanation(min(1.0, achieved / self.total), must_ok, tuple(matched),
                           tuple(part), tuple(missing), must_haves=self.must_haves,
                           coverage=min(1.0, achieved_all / self.total_all),
                           core_held=core_held, core_total=self.core_total,
                           core_partial=core_partial)


EXPLAINERS_KEPT = 512
_EXPLAINERS: Kept[Explainer] = Kept(EXPLAINERS_KEPT)


def explainer_for(requirements: tuple[Requirement, ...], partial: PartialCredit,
                  taxonomy: Taxonomy, lang: str = "en") -> Explainer:
    """The :class:`Explainer` of ``requirements``, prepared once and kept (the last 512
    used): it only reads what it prepared, so searches for the same requirement share it.
    (Keyed by the partial-credit matrix's and the taxonomy's identity: each kept explainer
    holds them, so an id cannot be reused while its entry lives.)"""
    return _EXPLAINERS.get((requirements, id(partial), id(taxonomy), lang),
                           lambda: Explainer(requirements, partial, taxonomy, lang=lang))


def explain(
    profile: CandidateProfile,
    requirements: Sequence[Requirement],
    partial: PartialCredit,
    taxonomy: Taxonomy,
    *,
    lang: str = "en",
    max_stand_ins: int = 3,
) -> Explanation:
    """Explain one candidate against (uri, weight, must-have) requirements (see
    :class:`Explainer`, which explains many candidates against one requirement)."""
    return Explainer(requirements, partial, taxonomy, lang=lang,
                     max_stand_ins=max_stand_ins).explain(profile)
