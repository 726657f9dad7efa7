"""Stored candidates → :class:`matcher.profiles.CandidateProfile` (skills with evidence).

Which links count as evidence (the issue is silent; chosen here):

- a credential issued through the service and claimed by its holder (with the issuer's
  one-time claim code) is *verified*; a credential document the person added themselves is
  *unverified*;
- links the issuer confirmed or added count fully (confidence 1.0); rejected links never count;
- of the links still only suggested, the library's :class:`matcher.profiles.LinkPolicy` (the
  engine's ``link_policy``) picks per outcome which count and with what factor — the same
  rule the library applies to credentials it maps itself;
- a self-declared skill counts as *self_declared* with confidence 1.0.

The evidence weight is ``STRENGTH_WEIGHT[strength] × factor``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.store.models import Candidate, HeldCredential
from matcher.profiles import STRENGTH_WEIGHT, CandidateProfile, Evidence, LinkPolicy
from matcher.taxonomy import Taxonomy


def held_links(held: HeldCredential) -> list[dict[str, Any]]:
    """The links of a held credential: the issuer's reviewed ones, or those stored with it."""
    if held.credential is not None:
        return [
            {"outcome_index": link.outcome_index, "uri": link.skill_uri, "label": link.label,
             "confidence": link.confidence, "state": link.state, "reason": link.reason}
            for link in held.credential.links
        ]
    return list(held.links or [])


@dataclass(frozen=True)
class _StoredLink:
    """A stored link as :meth:`LinkPolicy.select` reads it (by its confidence)."""

    confidence: float
    data: dict[str, Any]


def counted_links(links: list[dict[str, Any]], policy: LinkPolicy
                  ) -> list[tuple[dict[str, Any], float, float]]:
    """The links that count as held skills: (link, confidence, factor).

    Links the issuer confirmed or added count fully; of the links still only suggested, the
    library's policy picks per outcome which count and how much (the same rule it applies to
    credentials it maps itself); rejected links never count.
    """
    out: list[tuple[dict[str, Any], float, float]] = []
    suggested: dict[int, list[_StoredLink]] = {}
    for link in links:
        state = link.get("state", "suggested")
        if state in ("confirmed", "added"):
            out.append((link, 1.0, 1.0))
        elif state == "suggested":
            suggested.setdefault(int(link.get("outcome_index", -1)), []).append(
                _StoredLink(float(link.get("confidence", 0.0)), link))
    for group in suggested.values():
        for chosen, factor in policy.select(group):  # type: ignore[arg-type]
            out.append((chosen.data, chosen.confidence, factor))  # type: ignore[attr-defined]
    return out


def build_profile(candidate: Candidate, taxonomy: Taxonomy,
                  policy: LinkPolicy | None = None) -> CandidateProfile:
    """The candidate's skills, each with every piece of evidence behind it."""
    policy = policy or LinkPolicy()
    skills: dict[str, list[Evidence]] = {}
    for held in candidate.credentials:
        doc = held.document
        outcomes = doc.get("learning_outcomes", [])
        strength = "verified" if held.verified else "unverified"
        for link, confidence, factor in counted_links(held_links(held), policy):
            uri = link.get("uri", "")
            if uri not in taxonomy.skills:
                continue
            index = int(link.get("outcome_index", -1))
            skills.setdefault(uri, []).append(Evidence(
                strength=strength,  # type: ignore[arg-type]
                confidence=round(confidence, 4),
                weight=STRENGTH_WEIGHT[strength] * factor,
                credential_id=str(doc.get("id", "")) or None,
                credential_title=doc.get("title"),
                issuer=(doc.get("awarding_body") or {}).get("name"),
                issued_on=doc.get("issued_on"),
                outcome=outcomes[index] if 0 <= index < len(outcomes) else None,
            ))
    for declared in candidate.skills:
        if declared.skill_uri in taxonomy.skills:
            skills.setdefault(declared.skill_uri, []).append(
                Evidence(strength="self_declared", confidence=1.0,
                         weight=STRENGTH_WEIGHT["self_declared"]))
    return CandidateProfile(candidate.id, {uri: tuple(ev) for uri, ev in skills.items()})
