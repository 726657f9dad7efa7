"""Candidate and requirement profiles: sparse sets of ESCO skills with weights and evidence.

A :class:`CandidateProfile` holds, for each ESCO skill, the evidence behind it: which
credential, issuer and date, the outcome→skill link confidence, and how strong the evidence is
(a verified credential, an unverified one, or self-declared). It has a pseudonymous id and
skills, nothing else: there is no field for protected characteristics (gender, age, origin,
religion, disability, …), and the candidates file reader refuses every field it does not know,
so none can be smuggled in.

A :class:`RequirementProfile` is what an employer asks for: skills with weights, some of them
must-haves, built from an ESCO occupation (essential skills weigh more than optional ones), a
job ad's text (mapped sentence by sentence) or an explicit list of skills.

Reads: candidates files (JSON, see :func:`parse_candidates`) and the credential files they
name. Writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from matcher.credentials import Credential, parse_credential, read_json
from matcher.errors import InvalidInputError
from matcher.evidence import (
    STRENGTH_WEIGHT,
    CredentialFacts,
    Evidence,
    LinkPolicy,
    TextLink,
    credential_evidence,
)
from matcher.taxonomy import Taxonomy
from matcher.title_names import TitleLift, TitleName, title_lifts

# ESCO marks each occupation–skill link essential or optional; optional skills count half.
ESSENTIAL_WEIGHT, OPTIONAL_WEIGHT = 1.0, 0.5
MAX_WEIGHT = 10.0


@dataclass(frozen=True)
class CandidateProfile:
    """A person's ESCO skills, each with its evidence, strongest first. ``id`` is pseudonymous.

    ``titles``: the occupations the titles of the person's credentials lift, by URI
    (:mod:`matcher.title_names`): evidence of what the credentials were *for*, beside the
    skills their outcomes give. Suggestions read them all; an employer's ranking only those
    a title points to (:meth:`for_ranking`).
    """

    id: str
    skills: Mapping[str, tuple[Evidence, ...]]
    notes: tuple[str, ...] = ()
    titles: Mapping[str, TitleLift] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ordered = {
            uri: tuple(sorted(evidence, key=lambda e: -e.weight))
            for uri, evidence in self.skills.items() if evidence
        }
        object.__setattr__(self, "skills", MappingProxyType(ordered))
        object.__setattr__(self, "titles", MappingProxyType(dict(self.titles)))

    @classmethod
    def from_ordered(cls, id: str, skills: dict[str, tuple[Evidence, ...]],
                     notes: tuple[str, ...] = (),
                     titles: dict[str, TitleLift] | None = None) -> CandidateProfile:
        """A profile from skills whose evidence is already strongest first and never empty
        (one unpacked from the service's pool): nothing sorted again on a search's path."""
        profile = object.__new__(cls)
        object.__setattr__(profile, "id", id)
        object.__setattr__(profile, "skills", MappingProxyType(skills))
        object.__setattr__(profile, "notes", notes)
        object.__setattr__(profile, "titles", MappingProxyType(titles or {}))
        return profile

    def for_ranking(self) -> CandidateProfile:
        """The profile as an employer's ranking reads it: only the title lifts whose title
        points to the occupation, so the card can name it (the others, about a hundred a
        person, order the person's own suggestions alone)."""
        if all(t.points for t in self.titles.values()):
            return self
        return CandidateProfile.from_ordered(
            self.id, dict(self.skills), self.notes,
            {uri: t for uri, t in self.titles.items() if t.points})

    def weight(self, uri: str) -> float:
        """The weight of the strongest evidence for ``uri`` (0 when the skill is not held)."""
        evidence = self.skills.get(uri)
        return evidence[0].weight if evidence else 0.0

    def best_evidence(self, uri: str) -> Evidence | None:
        evidence = self.skills.get(uri)
        return evidence[0] if evidence else None

    @property
    def is_empty(self) -> bool:
        return not self.skills

    def to_dict(self, taxonomy: Taxonomy | None = None, lang: str = "en") -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "skills": [
                {
                    "uri": uri,
                    **({"label": taxonomy.skills[uri].label(lang)}
                       if taxonomy and uri in taxonomy.skills else {}),
                    "weight": round(self.weight(uri), 3),
                    "evidence": [e.to_dict() for e in evidence],
                }
                for uri, evidence in sorted(self.skills.items(), key=lambda i: -i[1][0].weight)
            ],
        }
        if self.notes:
            out["notes"] = list(self.notes)
        return out


def build_candidate_profile(
    candidate_id: str,
    credentials: Sequence[tuple[Any, bool, Sequence[TextLink]]],
    *,
    self_declared: Iterable[str] = (),
    taxonomy: Taxonomy,
    policy: LinkPolicy | None = None,
    title_names: Sequence[Sequence[TitleName] | None] | None = None,
) -> CandidateProfile:
    """A candidate profile from credentials with their links, and self-declared skill URIs.

    The one path from credential to profile (:mod:`matcher.evidence`), for the library, the
    CLI and the service.

    Args:
        candidate_id: pseudonymous id.
        credentials: (credential or its JSON document, verified?, its links: the title's and
            each outcome's, suggested or reviewed).
        self_declared: ESCO skill URIs the person declares without a document.
        taxonomy: to check the self-declared URIs and skip links to unknown skills.
        policy: which suggested links count (default :class:`LinkPolicy`).
        title_names: per credential (in the same order), the occupations its title comes
            close to (:func:`matcher.title_names.title_names`; None or empty: not known),
            for the profile's :attr:`~CandidateProfile.titles`.

    Raises:
        UnknownConceptError: a self-declared URI is not an ESCO skill of the taxonomy.
    """
    policy = policy or LinkPolicy()
    skills: dict[str, list[Evidence]] = {}
    notes: list[str] = []
    titled: list[tuple[str, list[str], Sequence[TitleName]]] = []
    for i, (credential, verified, links) in enumerate(credentials):
        facts = CredentialFacts.of(credential)
        found = credential_evidence(facts, verified, links, policy, known=taxonomy.skills)
        for uri, evidence in found:
            skills.setdefault(uri, []).append(evidence)
        names = title_names[i] if title_names is not None else None
        if found and names and facts.title:  # a title speaks for a course that gave skills
            titled.append((facts.title, [uri for uri, _ in found], names))
        if not found:
            notes.append(f"credential {facts.id or facts.title!r}: no learning outcome links to "
                         "an ESCO skill confidently; it adds nothing to the profile")
    for uri in dict.fromkeys(self_declared):
        taxonomy.skill(uri)  # raises UnknownConceptError naming the URI
        skills.setdefault(uri, []).append(
            Evidence("self_declared", 1.0, STRENGTH_WEIGHT["self_declared"])
        )
    if not skills:
        notes.append("the profile holds no skills: add credentials or self-declared skills")
    return CandidateProfile(candidate_id, {u: tuple(e) for u, e in skills.items()},
                            tuple(notes), title_lifts(titled, taxonomy))


# -- candidates files ------------------------------------------------------------------------
_Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CredentialRef(_Strict):
    """A credential a candidate holds: a file path (relative to the candidates file) or an
    inline credential document, and whether its authenticity was verified."""

    path: _Id | None = None
    credential: dict[str, Any] | None = None
    verified: bool = False


class CandidateSpec(_Strict):
    """One candidate in a candidates file. Only these fields exist (unknown ones are refused)."""

    id: _Id
    credentials: list[CredentialRef] = Field(default_factory=list, max_length=200)
    self_declared: list[_Id] = Field(default_factory=list, max_length=500)


@dataclass(frozen=True)
class CandidateInput:
    """A candidate as read from a file: id, credentials (with verified flag), declared URIs."""

    id: str
    credentials: tuple[tuple[Credential, bool], ...]
    self_declared: tuple[str, ...] = ()


_CANDIDATE_FIELDS = "id, credentials (list of {path | credential, verified}), self_declared"


def parse_candidates(data: Any, *, base_dir: Path | None = None,
                     source: str = "candidates") -> list[CandidateInput]:
    """Validate a candidates document: a JSON list of candidates, or one candidate object.

    Each candidate is ``{"id": …, "credentials": [{"path": "x.json", "verified": true} |
    {"credential": {…}, "verified": false}], "self_declared": [ESCO skill URI, …]}``. Paths are
    read relative to ``base_dir``. Any other field (a name, an age, …) is refused.

    Raises:
        InvalidInputError: the document is not a list of candidates, a field is unknown or
            wrong, ids repeat, or a credential file is missing or invalid.
    """
    items = data if isinstance(data, list) else [data]
    if not items:
        raise InvalidInputError(f"{source}: no candidates; expected a JSON list of candidates "
                                f"with {_CANDIDATE_FIELDS}", field="candidates")
    out: list[CandidateInput] = []
    seen: set[str] = set()
    for number, item in enumerate(items):
        where = f"{source}, candidate {number}"
        if not isinstance(item, dict):
            raise InvalidInputError(f"{where}: expected an object with {_CANDIDATE_FIELDS}, "
                                    f"not {type(item).__name__}", field="candidates")
        try:
            spec = CandidateSpec.model_validate(item)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"]) or "(candidate)"
            problem = first["msg"]
            if first["type"] == "extra_forbidden":
                problem = (f"unknown field; a candidate holds only {_CANDIDATE_FIELDS} (no "
                           "names or personal characteristics)")
            raise InvalidInputError(f"{where}: field {loc!r}: {problem}",
                                    field="candidates") from None
        if spec.id in seen:
            raise InvalidInputError(f"{where}: id {spec.id!r} appears twice; ids must be unique",
                                    field="candidates")
        seen.add(spec.id)
        creds: list[tuple[Credential, bool]] = []
        for k, ref in enumerate(spec.credentials):
            cwhere = f"{where} ({spec.id}), credential {k}"
            if (ref.path is None) == (ref.credential is None):
                raise InvalidInputError(f"{cwhere}: give either 'path' (a credential JSON file) "
                                        "or 'credential' (the document inline)",
                                        field="credentials")
            if ref.path is not None:
                path = Path(ref.path)
                if not path.is_absolute() and base_dir is not None:
                    path = base_dir / path
                creds.append((parse_credential(read_json(path), source=str(path)),
                              ref.verified))
            else:
                creds.append((parse_credential(ref.credential, source=cwhere), ref.verified))
        out.append(CandidateInput(spec.id, tuple(creds), tuple(spec.self_declared)))
    return out


def load_candidates(path: Path | str) -> list[CandidateInput]:
    """Read a candidates file (JSON); credential paths in it are relative to the file."""
    path = Path(path)
    return parse_candidates(read_json(path), base_dir=path.parent, source=str(path))


# -- requirements ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Requirement:
    """One required skill.

    Attributes:
        origin: ``essential``/``optional`` (from an occupation), ``listed``, ``must-have``,
            or ``ad`` (found in a job ad's text; ``evidence`` holds the sentence).
    """

    uri: str
    weight: float = 1.0
    must_have: bool = False
    origin: str = "listed"
    evidence: str | None = None
    confidence: float | None = None
    # Part of the job's core: what the score (the percentage an employer reads) is a share
    # of. An occupation's essential skills, an ad's requirements and tasks, a listed skill,
    # every must-have; not optional skills or an ad's merits ("meriterande").
    core: bool = True


@dataclass(frozen=True)
class RequirementProfile:
    """Skills an employer asks for, with weights and must-haves; ``occupation``: the ESCO
    occupation they are for, when built from one (candidates whose credential titles point
    to it rank higher, :func:`matcher.scoring.score.ranking_key`)."""

    id: str
    title: str
    source: Literal["occupation", "ad", "skills"]
    requirements: tuple[Requirement, ...] = field(default_factory=tuple)
    notes: tuple[str, ...] = ()
    occupation: str | None = None

    def __post_init__(self) -> None:
        if not self.requirements:
            raise InvalidInputError(
                f"requirement profile {self.title!r} has no skills; give an ESCO occupation "
                "with skills, an ad text that names skills, or a list of ESCO skill URIs",
                field="requirements",
            )
        uris = [r.uri for r in self.requirements]
        if len(set(uris)) != len(uris):
            raise InvalidInputError(f"requirement profile {self.title!r} names a skill twice",
                                    field="requirements")

    @property
    def uris(self) -> list[str]:
        return [r.uri for r in self.requirements]

    @property
    def must_haves(self) -> list[str]:
        return [r.uri for r in self.requirements if r.must_have]

    def with_must_have(self, uris: Iterable[str]) -> RequirementProfile:
        """Mark skills as must-haves, adding any that are not yet required (weight 1)."""
        wanted = list(dict.fromkeys(uris))
        present = set(self.uris)
        requirements = [replace(r, must_have=r.must_have or r.uri in wanted,
                                core=r.core or r.uri in wanted)
                        for r in self.requirements]
        requirements += [Requirement(u, 1.0, True, "must-have") for u in wanted
                         if u not in present]
        return replace(self, requirements=tuple(requirements))

    def with_weights(self, weights: Mapping[str, float]) -> RequirementProfile:
        """Change skill weights (0 removes a skill); skills not yet required are added."""
        for uri, weight in weights.items():
            if not isinstance(weight, int | float) or not 0 <= weight <= MAX_WEIGHT:
                raise InvalidInputError(
                    f"weight of {uri} must be a number from 0 to {MAX_WEIGHT:g}, not {weight!r}",
                    field="weights")
        present = set(self.uris)
        requirements = [replace(r, weight=float(weights.get(r.uri, r.weight)))
                        for r in self.requirements]
        requirements += [Requirement(u, float(w), False, "listed") for u, w in weights.items()
                         if u not in present and w > 0]
        return replace(self, requirements=tuple(r for r in requirements if r.weight > 0))

    def to_dict(self, taxonomy: Taxonomy | None = None, lang: str = "en", *,
                exact: bool = False) -> dict[str, Any]:
        """As JSON; ``exact`` keeps weights unrounded (for caches: a profile read back must
        score exactly as the one built)."""
        def digits(value: float) -> float:
            return value if exact else round(value, 3)

        out: dict[str, Any] = {
            "id": self.id, "title": self.title, "source": self.source,
            "requirements": [
                {"uri": r.uri,
                 **({"label": taxonomy.skills[r.uri].label(lang)}
                    if taxonomy and r.uri in taxonomy.skills else {}),
                 "weight": digits(r.weight), "must_have": r.must_have,
                 "origin": r.origin, "core": r.core,
                 **({"evidence": r.evidence} if r.evidence else {}),
                 **({"confidence": digits(r.confidence)} if r.confidence is not None
                    else {})}
                for r in self.requirements
            ],
        }
        if self.notes:
            out["notes"] = list(self.notes)
        if self.occupation is not None:
            out["occupation"] = self.occupation
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RequirementProfile:
        """The inverse of :meth:`to_dict` (labels are ignored)."""
        return cls(
            id=str(data["id"]), title=str(data["title"]), source=data["source"],
            requirements=tuple(
                Requirement(r["uri"], float(r["weight"]), bool(r.get("must_have", False)),
                            r.get("origin", "listed"), r.get("evidence"), r.get("confidence"),
                            bool(r.get("core", True)))
                for r in data["requirements"]
            ),
            notes=tuple(data.get("notes", ())),
            occupation=data.get("occupation"),
        )


def requirement_from_occupation(taxonomy: Taxonomy, uri: str, *, lang: str = "en",
                                specificity: Mapping[str, float] | None = None
                                ) -> RequirementProfile:
    """Essential skills weigh :data:`ESSENTIAL_WEIGHT`, optional ones :data:`OPTIONAL_WEIGHT`,
    each × its ``specificity`` factor when given (skill URI → (0, 1]; missing: 1).

    Raises:
        UnknownConceptError: ``uri`` is not an occupation of the taxonomy.
        InvalidInputError: the taxonomy links no skills to it (no relations imported).
    """
    occupation = taxonomy.occupation(uri)
    factor = specificity or {}
    requirements = tuple(
        Requirement(r.skill_uri, (ESSENTIAL_WEIGHT if r.essential else OPTIONAL_WEIGHT)
                    * factor.get(r.skill_uri, 1.0), False,
                    "essential" if r.essential else "optional", core=r.essential)
        for r in taxonomy.skills_of(uri)
    )
    if not requirements:
        raise InvalidInputError(
            f"occupation {uri} ({occupation.label(lang)}) has no skills in taxonomy "
            f"{taxonomy.version}; import the ESCO relations bundle "
            "(occupationSkillRelations.csv) or give the skills explicitly",
            field="occupation",
        )
    return RequirementProfile(uri, occupation.label(lang), "occupation", requirements,
                              occupation=uri)


def requirement_from_skills(
    taxonomy: Taxonomy, skills: Iterable[str | Mapping[str, Any]], *, title: str = "skill list",
    id: str = "skills",
) -> RequirementProfile:
    """From URIs, or dicts ``{"uri": …, "weight": 1.0, "must_have": false}``.

    Raises:
        UnknownConceptError: a URI is not an ESCO skill of the taxonomy.
        InvalidInputError: a weight is out of range, or the list is empty.
    """
    requirements: dict[str, Requirement] = {}
    for item in skills:
        spec: dict[str, Any] = {"uri": item} if isinstance(item, str) else dict(item)
        unknown = set(spec) - {"uri", "weight", "must_have"}
        if unknown:
            raise InvalidInputError(f"skill entry has unknown field(s) {sorted(unknown)}; "
                                    "valid: uri, weight, must_have", field="skills")
        uri = str(spec.get("uri", "")).strip()
        taxonomy.skill(uri)  # raises UnknownConceptError naming the URI
        try:
            weight = float(spec.get("weight", 1.0))
        except (TypeError, ValueError):
            weight = -1.0
        if not 0 < weight <= MAX_WEIGHT:
            raise InvalidInputError(f"weight of {uri} must be above 0 and at most "
                                    f"{MAX_WEIGHT:g}, not {spec.get('weight')!r}",
                                    field="weight")
        requirements[uri] = Requirement(uri, weight, bool(spec.get("must_have", False)),
                                        "listed")
    return RequirementProfile(id, title, "skills", tuple(requirements.values()))
