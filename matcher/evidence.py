"""Credential → evidence: which of a credential's skill links count as held skills.

One rule, used by the library, the CLI and the service alike:

1. A credential is read as its *texts*: its title, then each learning outcome
   (:func:`credential_texts`). The title names the subject ("Introduktion till demensvård")
   and is often the clearest statement of the skill.
2. Each text is mapped to its top suggested ESCO skills; each suggestion becomes a
   :class:`TextLink` (text index :data:`TITLE` for the title, else the outcome's position),
   with a review state: ``suggested`` by the engine, ``confirmed`` or ``added`` by the issuer,
   or ``rejected``.
3. :meth:`LinkPolicy.select_credential` decides which links count and how much: confirmed and
   added links fully; rejected never; of the suggested ones, the best of each text (and those
   close to it) plus skills that several texts of the credential point to (corroboration).
4. :func:`credential_evidence` turns the counted links into :class:`Evidence` for the profile.

Where the links come from differs (the engine maps a credential now; the service reads the
links stored when the credential was added, with the issuer's review), the rule does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal, Protocol

TITLE = -1  # the text index of a credential's title; outcomes are 0, 1, …
LinkState = Literal["suggested", "confirmed", "added", "rejected"]
EvidenceStrength = Literal["verified", "unverified", "self_declared"]
# How much one piece of evidence counts. A verified credential is worth most; an unverified
# document still names an issuer and measurable outcomes; a self-declared skill names neither.
STRENGTH_WEIGHT: dict[str, float] = {"verified": 1.0, "unverified": 0.7, "self_declared": 0.4}


class _Scored(Protocol):
    @property
    def confidence(self) -> float: ...


@dataclass(frozen=True)
class TextLink:
    """A link from one of a credential's texts to an ESCO skill, with its review state."""

    text_index: int  # TITLE, or the learning outcome's position
    uri: str
    confidence: float
    state: LinkState = "suggested"


@dataclass(frozen=True)
class LinkPolicy:
    """Which suggested links count as held (or required) skills, and how much.

    Per text (a learning outcome, a credential title, an ad sentence) the best link is kept
    when its calibrated confidence reaches ``min_confidence``; further links are kept (up to
    ``per_text``) while their confidence is at least ``relative`` × the best one. A link's
    factor is its confidence relative to the text's best link, so the best counts fully.

    Relative rather than absolute cut-offs, because multilingual-e5 scores crowd into a
    narrow band (shared/DATA.md) and the absolute confidence level depends on the calibration
    fitted for the model; the order of the suggestions for one text is what is reliable.
    """

    min_confidence: float = 0.05
    # The calibrated confidence falls steeply with rank (1/rank is one of its features), so
    # a correct second or third suggestion often has a third to a half of the first one's
    # confidence.
    relative: float = 0.25
    per_text: int = 3
    corroboration: int = 2  # see select_credential; below 2: off

    def select(self, links: Sequence[Any]) -> list[tuple[Any, float]]:
        """The links of one text that count, each with its factor in (0, 1]."""
        ranked = sorted(links, key=lambda link: -link.confidence)
        if not ranked or ranked[0].confidence < self.min_confidence:
            return []
        best = ranked[0].confidence
        return [(link, link.confidence / best) for link in ranked[: self.per_text]
                if link.confidence >= self.relative * best]

    def select_credential(self, links: Iterable[TextLink]) -> list[tuple[TextLink, float]]:
        """The links of one credential's texts (title and outcomes) that count, with factors.

        Confirmed and added links count fully; rejected ones never (not even as
        corroboration). Suggested links per text as :meth:`select`; in addition a skill
        suggested (anywhere in the top suggestions) for ``corroboration`` or more texts of the
        same credential counts even when no single text ranks it high: outcomes of one course
        describe one field, so a skill several of them point to is likely right ("diagnose
        problems with vehicles" second for both a brake outcome and a fault-code outcome),
        while a mis-link rarely repeats. Its factor is its summed confidence relative to the
        credential's best link.
        """
        out: list[tuple[TextLink, float]] = []
        chosen: set[str] = set()
        rejected: set[tuple[int, str]] = set()
        by_text: dict[int, list[TextLink]] = {}
        for link in links:
            if link.state in ("confirmed", "added"):
                out.append((link, 1.0))
                chosen.add(link.uri)
            elif link.state == "rejected":
                rejected.add((link.text_index, link.uri))
            else:
                by_text.setdefault(link.text_index, []).append(link)
        best = 0.0
        for index in sorted(by_text):
            for link, factor in self.select(by_text[index]):
                out.append((link, factor))
                chosen.add(link.uri)
                best = max(best, link.confidence)
        if self.corroboration < 2 or best <= 0:
            return out
        support: dict[str, list[TextLink]] = {}
        for index in sorted(by_text):
            for link in by_text[index]:
                if (index, link.uri) not in rejected:
                    support.setdefault(link.uri, []).append(link)
        for uri, found in support.items():
            if uri in chosen or len({link.text_index for link in found}) < self.corroboration:
                continue
            total = sum(link.confidence for link in found)
            if total < self.min_confidence:  # several near-zero suggestions are no support
                continue
            strongest = max(found, key=lambda link: link.confidence)
            out.append((strongest, min(1.0, total / best)))
        return out


@dataclass(frozen=True)
class Evidence:
    """Why a candidate is taken to hold a skill.

    Attributes:
        strength: ``verified`` (a credential whose authenticity was checked), ``unverified``
            (a credential document as given) or ``self_declared`` (no document).
        confidence: of the text→skill link (1.0 for self-declared and confirmed links).
        weight: strength weight × link factor, in (0, 1]: what the ranking uses.
        outcome: the text the skill was read from (a learning outcome or the title).
        verification: for a verifiable credential, what checking it found: ``{"status":
            "verified" | "unverified", "issuer", "reason"}`` (the service sets it; an
            employer sees it beside the evidence).
    """

    strength: EvidenceStrength
    confidence: float
    weight: float
    credential_id: str | None = None
    credential_title: str | None = None
    issuer: str | None = None
    issued_on: str | None = None
    outcome: str | None = None
    verification: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        # A new dict each time (callers may add to it), copied from one built once: the
        # same evidence (every holder of a course) is shown in search after search.
        return dict(self._as_dict)

    def as_json(self) -> Mapping[str, Any]:
        """The dict of :meth:`to_dict` itself, built once and shared (read-only by contract:
        a plain dict, so that orjson writes it): for an answer written out at once and never
        changed, the service's search results."""
        return self._as_dict

    @cached_property
    def _as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"strength": self.strength,
                               "confidence": round(self.confidence, 3),
                               "weight": round(self.weight, 3)}
        for key in ("credential_id", "credential_title", "issuer", "issued_on", "outcome",
                    "verification"):
            value = getattr(self, key)
            if value is not None:
                out[key] = dict(value) if isinstance(value, Mapping) else value
        return out


@dataclass(frozen=True)
class CredentialFacts:
    """What evidence cites of a credential: id, title, issuer, date and its outcomes."""

    id: str | None
    title: str
    issuer: str | None
    issued_on: str | None
    outcomes: tuple[str, ...]

    @classmethod
    def of(cls, credential: Any) -> CredentialFacts:
        """From a :class:`matcher.credentials.Credential` (or an offering), or its JSON
        document (a dict)."""
        if isinstance(credential, Mapping):
            body = credential.get("awarding_body") or {}
            issued = credential.get("issued_on")
            return cls(str(credential.get("id") or "") or None, str(credential.get("title", "")),
                       body.get("name") if isinstance(body, Mapping) else None,
                       str(issued) if issued else None,
                       tuple(str(t) for t in credential.get("learning_outcomes", ())))
        issued = getattr(credential, "issued_on", None)  # an offering has no issue date
        return cls(credential.id, credential.title, credential.awarding_body.name,
                   issued.isoformat() if issued else None, tuple(credential.learning_outcomes))

    def text(self, index: int) -> str | None:
        if index == TITLE:
            return self.title
        return self.outcomes[index] if 0 <= index < len(self.outcomes) else None


def credential_texts(credential: Any) -> list[str]:
    """The texts a credential is read from, in link order: the title, then each outcome."""
    facts = credential if isinstance(credential, CredentialFacts) else CredentialFacts.of(
        credential)
    return [facts.title, *facts.outcomes]


def credential_evidence(
    credential: Any,
    verified: bool,
    links: Iterable[TextLink],
    policy: LinkPolicy,
    known: Mapping[str, Any] | None = None,
) -> list[tuple[str, Evidence]]:
    """(skill URI, evidence) for every link of one credential that counts.

    Args:
        credential: a :class:`matcher.credentials.Credential`, its JSON document, or
            :class:`CredentialFacts`.
        verified: whether its authenticity was checked.
        links: its links (:class:`TextLink`), suggested and reviewed.
        policy: which suggested links count (:meth:`LinkPolicy.select_credential`).
        known: when given, links to URIs not in it are skipped (a stored link to a skill a
            later taxonomy dropped).
    """
    facts = credential if isinstance(credential, CredentialFacts) else CredentialFacts.of(
        credential)
    strength: EvidenceStrength = "verified" if verified else "unverified"
    out: list[tuple[str, Evidence]] = []
    for link, factor in policy.select_credential(links):
        if known is not None and link.uri not in known:
            continue
        reviewed = link.state in ("confirmed", "added")
        out.append((link.uri, Evidence(
            strength=strength,
            confidence=1.0 if reviewed else round(link.confidence, 4),
            weight=STRENGTH_WEIGHT[strength] * factor,
            credential_id=facts.id,
            credential_title=facts.title,
            issuer=facts.issuer,
            issued_on=facts.issued_on,
            outcome=facts.text(link.text_index),
        )))
    return out
