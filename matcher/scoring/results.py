"""What scoring returns: a ranking of candidates, and a job seeker's suggestions and gaps.

Plain result types with ``to_dict`` (the JSON the CLI prints and the service returns).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matcher.profiles import RequirementProfile
from matcher.scoring.explain import Explanation, SkillMatch
from matcher.taxonomy import Taxonomy


@dataclass(frozen=True)
class RankedCandidate:
    """One candidate in a ranking, with the explanation of the score."""

    rank: int
    candidate_id: str
    explanation: Explanation
    # The title of the candidate's credential that points to the occupation asked for and
    # lifted them in the order (matcher.title_names); the score does not include it.
    title_points: str | None = None

    @property
    def score(self) -> float:
        return self.explanation.score

    def to_dict(self) -> dict[str, Any]:
        return {"rank": self.rank, "candidate_id": self.candidate_id,
                **self.explanation.to_dict(), "title_points": self.title_points}


@dataclass(frozen=True)
class RankingResult:
    """The top candidates for a requirement, and what the caller should know about the run."""

    requirement: RequirementProfile
    candidates: tuple[RankedCandidate, ...]
    total_candidates: int
    meeting_must_haves: int
    notes: tuple[str, ...] = ()

    def to_dict(self, taxonomy: Taxonomy | None = None, lang: str = "en") -> dict[str, Any]:
        return {
            "requirement": self.requirement.to_dict(taxonomy, lang),
            "total_candidates": self.total_candidates,
            "meeting_must_haves": self.meeting_must_haves,
            "notes": list(self.notes),
            "candidates": [c.to_dict() for c in self.candidates],
        }


# -- suggestions for a job seeker ------------------------------------------------------------
@dataclass(frozen=True)
class CourseOffer:
    """A catalogue credential that teaches a missing skill (or one that stands in for it)."""

    id: str
    title: str
    issuer: str
    teaches_uri: str
    teaches_label: str
    method: str  # exact | hierarchy | relation | embedding
    credit: float  # how far it closes the gap (1 for the skill itself)
    outcome: str
    hours: float | None = None
    url: str | None = None
    job_skills: int | None = None  # how many of the job's skills the offering teaches

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "title": self.title, "issuer": self.issuer,
                               "teaches": {"uri": self.teaches_uri, "label": self.teaches_label},
                               "method": self.method, "credit": round(self.credit, 3),
                               "outcome": self.outcome}
        if self.job_skills:
            out["job_skills"] = self.job_skills
        if self.hours:
            out["hours"] = self.hours
        if self.url:
            out["url"] = self.url
        return out


@dataclass(frozen=True)
class Gap:
    """A required skill the candidate does not hold, and the credentials that close it."""

    skill: SkillMatch  # method "missing", or a partial match
    courses: tuple[CourseOffer, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"uri": self.skill.uri, "label": self.skill.label,
                "weight": round(self.skill.weight, 3), "must_have": self.skill.must_have,
                "status": "missing" if self.skill.method == "missing" else "partial",
                "covered": round(self.skill.score, 3),
                "courses": [c.to_dict() for c in self.courses]}


@dataclass(frozen=True)
class Suggestion:
    """An occupation or job ad that fits a candidate, with matched skills and gaps."""

    kind: str  # occupation | ad
    id: str
    title: str
    explanation: Explanation
    gaps: tuple[Gap, ...]
    details: tuple[tuple[str, str], ...] = ()
    why: str = ""  # what the suggestion rests on (matcher.suggest.support_note)

    @property
    def score(self) -> float:
        return self.explanation.score

    def to_dict(self) -> dict[str, Any]:
        e = self.explanation
        return {
            "kind": self.kind, "id": self.id, "title": self.title, **dict(self.details),
            "why": self.why,
            "score": round(e.score, 4), "coverage": round(e.coverage, 4),
            "core": e.core,
            "must_haves": e.must_haves, "must_haves_met": e.must_haves_met,
            "matched": [m.to_dict() for m in e.matched],
            "partial": [m.to_dict() for m in e.partial],
            "missing": [g.to_dict() for g in self.gaps],
        }


@dataclass(frozen=True)
class Suggestions:
    """Occupations and job ads for one candidate, best first."""

    candidate_id: str
    occupations: tuple[Suggestion, ...]
    ads: tuple[Suggestion, ...]
    ads_source: str  # "imported" | "demo" | "given"
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"candidate_id": self.candidate_id, "ads_source": self.ads_source,
                "notes": list(self.notes),
                "occupations": [s.to_dict() for s in self.occupations],
                "ads": [s.to_dict() for s in self.ads]}
