"""The service's tables (SQLAlchemy 2.x declarative models).

Personal data is kept to a minimum: a candidate is a pseudonymous id owned by an API key
owner; contact data is optional and shared with employers only when the person says so. No
table has a column for a protected characteristic (gender, age, origin, religion, health, …),
and credential documents are validated against the Annex I schema, which refuses unknown fields.

Schema changes go through Alembic (``api/store/migrations``); ``Store.upgrade`` runs them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ROLES = ("issuer", "employer", "job_seeker", "platform", "admin")
LINK_STATES = ("suggested", "confirmed", "rejected", "added")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """A stored time as an aware UTC time (SQLite gives them back without a zone)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class ApiKey(Base):
    """An API key: only its SHA-256 is stored; the key itself is shown once, at creation."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str] = mapped_column(String(200), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class IssuerCredential(Base):
    """A credential an issuer published: a catalogue offering or one issued to a learner."""

    __tablename__ = "credentials"
    __table_args__ = (UniqueConstraint("owner", "external_id", name="uq_credentials_owner_ext"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # offering | issued
    external_id: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(2000))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Issued credentials: the learner claims it with a one-time code (only its hash is kept).
    # ``claimed_at`` is set, in the same statement that checks it is unset, when the code is
    # used: the code stays spent even when the holder removes the credential later. A code
    # not used by ``claim_expires_at`` is refused (the issuer can make a new one).
    claim_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    claim_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                              nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    links: Mapped[list[SkillLinkRow]] = relationship(
        back_populates="credential", cascade="all, delete-orphan", order_by="SkillLinkRow.id"
    )


class SkillLinkRow(Base):
    """One outcome → ESCO skill link of an issuer's credential, with its review state."""

    __tablename__ = "credential_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    credential_id: Mapped[int] = mapped_column(
        ForeignKey("credentials.id", ondelete="CASCADE"), index=True
    )
    outcome_index: Mapped[int] = mapped_column(Integer)
    skill_uri: Mapped[str] = mapped_column(String(300))
    label: Mapped[str] = mapped_column(String(2000))
    confidence: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="suggested")
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    credential: Mapped[IssuerCredential] = relationship(back_populates="links")


class Candidate(Base):
    """A job seeker's profile: a pseudonymous id, consent, and optional contact data."""

    __tablename__ = "candidates"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200), unique=True)
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                                nullable=True)
    contact: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    share_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    credentials: Mapped[list[HeldCredential]] = relationship(
        back_populates="candidate", cascade="all, delete-orphan", order_by="HeldCredential.id"
    )
    skills: Mapped[list[DeclaredSkill]] = relationship(
        back_populates="candidate", cascade="all, delete-orphan", order_by="DeclaredSkill.id"
    )


class HeldCredential(Base):
    """A credential a candidate holds.

    Either one issued through the service (``credential_id``; verified: the issuer vouches for
    it and its reviewed links count) or a document the person added themselves (unverified;
    its outcome links, as the engine suggested them, are kept in ``links``).
    """

    __tablename__ = "held_credentials"
    # An issued credential has at most one holder (NULLs, the unverified documents, are
    # distinct in both SQLite and PostgreSQL).
    __table_args__ = (UniqueConstraint("credential_id", name="uq_held_credentials_credential"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[str] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    credential_id: Mapped[int | None] = mapped_column(
        ForeignKey("credentials.id", ondelete="SET NULL"), nullable=True, index=True
    )
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    links: Mapped[list[Any]] = mapped_column(JSON, default=list)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # A verifiable credential uploaded from a wallet (issue 15): its format (ob3 | elm), the
    # signed original, the verifier's verdict ({status, issuer, reason, checked_at, …}), and
    # the status list entry it names, so a revocation by an issuer here finds its holders.
    source: Mapped[str | None] = mapped_column(String(16), nullable=True)
    signed: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    verification: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    status_url: Mapped[str | None] = mapped_column(String(500), nullable=True, index=True)
    status_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The occupations its title comes close to ([{uri, closeness, lexical}], matcher.title_names),
    # worked out when it was added; NULL for rows added before migration 0005.
    title_names: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)

    candidate: Mapped[Candidate] = relationship(back_populates="credentials")
    credential: Mapped[IssuerCredential | None] = relationship()


class IssuerKeyRow(Base):
    """An issuer's Ed25519 signing key (a private JWK; its ``did:key`` is the issuer id in the
    credentials it signs). Created on the issuer's first export."""

    __tablename__ = "issuer_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(200), unique=True)
    did: Mapped[str] = mapped_column(String(200), unique=True)
    private_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StatusListRow(Base):
    """An issuer's revocation list (W3C Bitstring Status List), served at ``url``."""

    __tablename__ = "status_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(200), unique=True)
    url: Mapped[str] = mapped_column(String(500), unique=True)
    encoded: Mapped[str] = mapped_column(Text)
    next_index: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CredentialStatusRow(Base):
    """An issued credential's place in its issuer's status list, and when it was revoked."""

    __tablename__ = "credential_statuses"

    credential_id: Mapped[int] = mapped_column(
        ForeignKey("credentials.id", ondelete="CASCADE"), primary_key=True
    )
    list_id: Mapped[int] = mapped_column(ForeignKey("status_lists.id", ondelete="CASCADE"))
    status_index: Mapped[int] = mapped_column(Integer)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DeclaredSkill(Base):
    """A skill the person declares without a credential (weakest evidence)."""

    __tablename__ = "declared_skills"
    __table_args__ = (UniqueConstraint("candidate_id", "skill_uri", name="uq_declared_skill"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[str] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    skill_uri: Mapped[str] = mapped_column(String(300))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    candidate: Mapped[Candidate] = relationship(back_populates="skills")


class RequirementRow(Base):
    """An employer's saved requirement profile (skills, weights, must-haves)."""

    __tablename__ = "requirement_profiles"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(String(2000))
    source: Mapped[str] = mapped_column(String(16))
    requirements: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    occupation: Mapped[str | None] = mapped_column(String(300), nullable=True)


class JobAdRow(Base):
    """A job ad imported by a platform (JobTech JobSearch shape) and its requirement profile."""

    __tablename__ = "job_ads"
    __table_args__ = (UniqueConstraint("owner", "external_id", name="uq_job_ads_owner_ext"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(200), index=True)
    external_id: Mapped[str] = mapped_column(String(300))
    headline: Mapped[str] = mapped_column(String(2000))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    requirements: Mapped[list[Any]] = mapped_column(JSON, default=list)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """Who did what, when: every candidate search and every profile view by an employer."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_key_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor_owner: Mapped[str] = mapped_column(String(200), index=True)
    actor_role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))  # candidate_search | profile_view
    requirement: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    results: Mapped[list[Any]] = mapped_column(JSON, default=list)


class AuditSubject(Base):
    """Which candidates an audit entry concerns (so a person can read their entries)."""

    __tablename__ = "audit_subjects"
    __table_args__ = (Index("ix_audit_subjects_candidate", "candidate_id", "audit_id"),)

    audit_id: Mapped[int] = mapped_column(
        ForeignKey("audit_log.id", ondelete="CASCADE"), primary_key=True
    )
    candidate_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class Counter(Base):
    """Monotonic counters. ``candidates`` goes up with every write that can change a findable
    profile; the writer's update of its row also serialises those writes, so the change log's
    sequence numbers are handed out in commit order (see :meth:`api.store.Store.log_changes`).
    ``candidate_changes_pruned``: change-log rows up to this sequence number were deleted."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class CandidateChange(Base):
    """The change log: one row per candidate whose findable profile may have changed, written
    in the same transaction as the change. Every server process reads the rows past the last
    one it applied and reloads only those candidates (:class:`api.pool.CandidatePool`).

    ``seq`` grows in commit order (writers hold the ``candidates`` counter's row lock while
    they append). Rows older than :data:`api.pool.RETENTION` are pruned.
    """

    __tablename__ = "candidate_changes"
    # SQLite: AUTOINCREMENT, so a sequence number is never reused once pruning empties the log.
    __table_args__ = {"sqlite_autoincrement": True}

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                     primary_key=True, autoincrement=True)
    candidate_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
