"""Request and response bodies of the API (Pydantic). Requests refuse unknown fields."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Role = Literal["issuer", "employer", "job_seeker", "platform", "admin"]
Lang = Literal["sv", "en"]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Uri = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
OutcomeText = Annotated[str, StringConstraints(max_length=2000)]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(BaseModel):
    error: str = Field(examples=["unknown_concept"])
    message: str
    field: str | None = None


# -- keys ------------------------------------------------------------------------------------
class KeyCreate(Request):
    role: Role
    name: ShortText = Field(description="what the key is for, e.g. 'Komvux Malmö, admissions'")
    owner: ShortText | None = Field(
        default=None, description="who the key acts for; keys with the same owner share data "
        "(default: a new pseudonymous owner)")


class KeyOut(BaseModel):
    id: int
    role: Role
    owner: str
    name: str
    prefix: str
    created_at: datetime
    revoked: bool = False
    key: str | None = Field(default=None, description="the key itself: shown once, at creation")


class Me(BaseModel):
    role: Role
    owner: str
    name: str
    candidate_id: str | None = None


# -- taxonomy and mapping --------------------------------------------------------------------
class ConceptHit(BaseModel):
    uri: str
    type: Literal["skill", "occupation"]
    label: str
    matched_label: str
    matched_lang: str
    score: float


class ConceptOut(BaseModel):
    uri: str
    type: Literal["skill", "occupation"]
    label: str
    labels: dict[str, str]
    description: str
    skills: list[dict[str, Any]] = []


MAX_MAP_CHARS = 20_000


class MapRequest(Request):
    texts: list[OutcomeText] = Field(
        min_length=1, max_length=100, examples=[["Deltagaren kan köra motviktstruck"]],
        description=f"1-100 texts of at most 2,000 characters, {MAX_MAP_CHARS:,} in all")
    top_k: int = Field(default=5, ge=1, le=20)
    lang: Literal["auto", "sv", "en"] = Field(
        default="auto", description="language of the labels and reasons returned")
    written_in: Literal["sv", "en"] | None = Field(
        default=None, description="the language the texts are written in, when known (a "
        "Swedish credential's or ad's words: 'solceller' alone reads as English); default: "
        "detected per text")

    @model_validator(mode="after")
    def _total(self) -> MapRequest:
        total = sum(len(t) for t in self.texts)
        if total > MAX_MAP_CHARS:
            raise ValueError(f"texts have {total:,} characters in all; at most "
                             f"{MAX_MAP_CHARS:,} per request (send the rest in another)")
        return self


class SkillLinkOut(BaseModel):
    uri: str
    label: str
    score: float
    confidence: float
    method: str
    matched_label: str
    matched_kind: str
    matched_lang: str
    segment: str
    reason: str


class OutcomeOut(BaseModel):
    text: str
    lang: str
    skills: list[SkillLinkOut]
    warnings: list[str] = []


class MapResponse(BaseModel):
    outcomes: list[OutcomeOut]


# -- issuers' credentials ----------------------------------------------------------------------
class CredentialCreate(Request):
    kind: Literal["offering", "issued"] = Field(
        description="'offering': a catalogue entry; 'issued': awarded to a learner (the response "
        "holds a one-time claim code for the learner)")
    document: dict[str, Any] = Field(description="the credential with the EU Annex I elements "
                                     "(see matcher/credentials.py)")
    top_k: int = Field(default=5, ge=1, le=10, description="skills suggested per outcome and "
                       "for the title (5: what the library reads a credential with)")


class LinkOut(BaseModel):
    id: int
    outcome_index: int
    outcome: str | None
    uri: str
    label: str
    confidence: float
    reason: str
    state: Literal["suggested", "confirmed", "rejected", "added"]


class CredentialOut(BaseModel):
    id: int
    kind: Literal["offering", "issued"]
    external_id: str
    title: str
    document: dict[str, Any]
    links: list[LinkOut]
    created_at: datetime
    updated_at: datetime
    claim_code: str | None = Field(default=None, description="shown once, when issued")
    claimed: bool = Field(default=False, description="an issued credential: its code was used")
    claim_expires_at: datetime | None = Field(
        default=None, description="an issued, unclaimed credential: when its code stops working")


class LinkReview(Request):
    state: Literal["confirmed", "rejected", "suggested"]


class LinkAdd(Request):
    outcome_index: int = Field(ge=-1, le=99, description="the outcome's position; -1: the "
                               "credential's title")
    uri: Uri


# -- candidates -------------------------------------------------------------------------------
class Contact(Request):
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200,
                                            pattern=r"^[^@\s]+@[^@\s]+$")] | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40,
                                            pattern=r"^[0-9+ ()-]{5,40}$")] | None = None


class CandidateCreate(Request):
    consent: bool = Field(default=False, description="may employers find this profile?")
    contact: Contact | None = None
    share_contact: bool = Field(default=False,
                                description="show the contact data to employers who find you")


class CandidateUpdate(Request):
    consent: bool | None = None
    contact: Contact | None = None
    share_contact: bool | None = None


class HeldCredentialAdd(Request):
    claim_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=8,
                                                 max_length=100)] | None = Field(
        default=None, description="the code the issuer gave you: the credential is verified")
    credential: dict[str, Any] | None = Field(
        default=None, description="a credential document you hold: added as unverified")

    @model_validator(mode="after")
    def _one(self) -> HeldCredentialAdd:
        if (self.claim_code is None) == (self.credential is None):
            raise ValueError("give exactly one of claim_code or credential")
        return self


class SkillDeclare(Request):
    uri: Uri


class EvidenceOut(BaseModel):
    strength: Literal["verified", "unverified", "self_declared"]
    confidence: float
    weight: float
    credential_id: str | None = None
    credential_title: str | None = None
    issuer: str | None = None
    issued_on: str | None = None
    outcome: str | None = None
    verification: dict[str, Any] | None = Field(
        default=None, description="a verifiable credential's check: status (verified | "
        "unverified), issuer, reason, label_sv (\"verifierad av …\"), label_en, checked_at")


class SkillEvidenceOut(BaseModel):
    uri: str
    label: str | None = None
    weight: float
    evidence: list[EvidenceOut]


class HeldCredentialOut(BaseModel):
    id: int
    verified: bool
    title: str
    issuer: str | None
    issued_on: str | None
    document: dict[str, Any]
    links: list[dict[str, Any]]
    added_at: datetime
    source: str | None = Field(default=None, description="ob3 | elm: uploaded from a wallet")
    verification: dict[str, Any] | None = Field(
        default=None, description="what verifying it found: status (verified | unverified | "
        "revoked), issuer, reason, label_sv, label_en, checked_at, checks")
    revoked_at: datetime | None = None


class VerifiableUpload(Request):
    document: dict[str, Any] | str = Field(
        description="the OB 3.0 badge or European Digital Credential, as the wallet gave it "
        "(a JSON object, or its text)")


class CandidateOut(BaseModel):
    id: str
    consent: bool
    share_contact: bool
    contact: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    credentials: list[HeldCredentialOut]
    declared_skills: list[str]
    skills: list[SkillEvidenceOut]


class CandidateView(BaseModel):
    """What an employer sees: skills and evidence; contact data only if the person shares it."""

    id: str
    skills: list[SkillEvidenceOut]
    contact: dict[str, Any] | None = None


# -- requirements and search ------------------------------------------------------------------
class SkillSpec(Request):
    uri: Uri
    weight: float = Field(default=1.0, gt=0, le=10)
    must_have: bool = False


class RequirementCreate(Request):
    title: ShortText | None = None
    occupation: Uri | None = Field(default=None, description="an ESCO occupation URI")
    ad_text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3,
                                              max_length=20000)] | None = Field(
        default=None, description="an ad's text, at most 20,000 characters: mapped in the "
        "mapping pool, its characters count against the key's mapping quota")
    skills: list[SkillSpec] | None = Field(default=None, min_length=1, max_length=200)
    must_have: list[Uri] = Field(default=[], max_length=100)
    weights: dict[Uri, Annotated[float, Field(ge=0, le=10)]] = Field(default={}, max_length=200)
    lang: Lang = "sv"

    @model_validator(mode="after")
    def _one_source(self) -> RequirementCreate:
        given = [n for n in ("occupation", "ad_text", "skills") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of occupation, ad_text or skills")
        return self


class RequirementItem(BaseModel):
    uri: str
    label: str | None = None
    weight: float
    must_have: bool
    origin: str = Field(description="essential | optional | listed | must-have | "
                        "ad:required | ad:tasks | ad:merit (the ad's section)")
    core: bool = Field(default=True, description="part of the job's core: the score is the "
                       "covered share of the core skills")
    evidence: str | None = Field(default=None, description="for an ad: the sentence that "
                                 "gave the skill")
    confidence: float | None = None


class RequirementOut(BaseModel):
    id: str
    title: str
    source: Literal["occupation", "ad", "skills"]
    requirements: list[RequirementItem]
    notes: list[str] | None = Field(default=None, description="what was read but is not "
                                    "required, and why (an ad's tool ESCO has no skill for)")
    occupation: str | None = Field(default=None, description="the ESCO occupation the "
                                   "requirement was built from: candidates whose credential "
                                   "titles point to it rank higher (title_points)")
    created_at: datetime | None = None


class SearchRequest(Request):
    requirement: RequirementCreate | None = None
    requirement_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    top_k: int = Field(default=10, ge=1, le=100)
    lang: Lang = "sv"

    @model_validator(mode="after")
    def _one(self) -> SearchRequest:
        if (self.requirement is None) == (self.requirement_id is None):
            raise ValueError("give exactly one of requirement or requirement_id")
        return self


class MatchedSkillOut(BaseModel):
    """A required skill the candidate holds, with the strongest evidence for it."""

    uri: str
    label: str
    weight: float
    must_have: bool
    score: float
    method: str
    rationale: str
    evidence: list[EvidenceOut] = Field(description="the strongest evidence (the full "
                                        "evidence: GET /v1/candidates/{id})")


class StandInOut(BaseModel):
    uri: str
    label: str
    method: str
    relation: str
    credit: float


class PartialSkillOut(BaseModel):
    """A required skill the candidate partly covers through related skills (stand-ins)."""

    uri: str
    label: str
    weight: float
    must_have: bool
    score: float
    method: str
    rationale: str
    stand_ins: list[StandInOut]


class CoreOut(BaseModel):
    held: int = Field(description="core skills the candidate holds (exact matches)")
    partial: int = Field(description="core skills the candidate does not hold but covers in "
                         "part through related held skills (they count in the score in part)")
    total: int = Field(description="core skills of the requirement")


class SearchResult(BaseModel):
    rank: int
    candidate_id: str
    score: float = Field(description="the covered share of the job's core (0-1): an "
                         "occupation's essential skills, an ad's requirements and tasks, a "
                         "skill list, every must-have; partial matches count in part")
    coverage: float = Field(description="the covered share of every listed skill, core or "
                            "not (breaks ties)")
    core: CoreOut
    must_haves: bool = Field(description="whether the search named any must-have")
    must_haves_met: bool
    missing_must_haves: list[str] = Field(description="URIs of the must-have skills not "
                                          "fully held")
    matched: list[MatchedSkillOut]
    partial: list[PartialSkillOut]
    missing: list[str] = Field(description="URIs of the required skills the candidate lacks; "
                               "their labels, weights and must-have flags are in "
                               "requirement.requirements, once for all results")
    title_points: str | None = Field(default=None, description="for an occupation: the "
                                     "title of the candidate's credential that names it (or "
                                     "whose course teaches some of it under a close name); "
                                     "it ranks the candidate higher, the score stays what "
                                     "the skills cover")
    contact: dict[str, Any] | None = Field(default=None, description="only when the "
                                           "candidate chose to share it")


class SearchOut(BaseModel):
    audit_id: int
    requirement: RequirementOut = Field(description="what was searched for: each required "
                                        "skill once, with its label, weight and must-have flag")
    candidates_searched: int
    results: list[SearchResult]
    notes: list[str] = []


# -- job ads ------------------------------------------------------------------------------------
class AdsImport(Request):
    ads: list[dict[str, Any]] = Field(min_length=1, max_length=500,
                                      description="job ads in the JobTech JobSearch JSON shape")


class AdOut(BaseModel):
    id: int
    external_id: str
    headline: str
    requirements: list[RequirementItem]
    imported_at: datetime


class AdsImportOut(BaseModel):
    imported: list[AdOut]
    errors: list[ErrorOut | dict[str, Any]]


# -- audit ------------------------------------------------------------------------------------
class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: str
    actor_role: str
    action: str
    requirement: dict[str, Any] | None
    results: list[Any]
