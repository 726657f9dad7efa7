"""Stored candidates → :class:`matcher.profiles.CandidateProfile` (skills with evidence).

The service builds profiles exactly as the library does (:mod:`matcher.evidence`): a
credential's title and outcomes were mapped when it was added, and its stored links (each
with its review state) go through the engine's :class:`~matcher.evidence.LinkPolicy`.
What only the service knows:

- a credential issued through the service and claimed by its holder (with the issuer's
  one-time claim code) is *verified*, and its links are the issuer's, with the issuer's
  review (confirmed and added links count fully, rejected ones never); a credential document
  the person added themselves is *unverified*, with the links suggested when it was added;
- a self-declared skill counts as *self_declared* with confidence 1.0;
- a verifiable credential uploaded from a wallet (OB 3.0 or EDC, :mod:`api.routes.wallet`)
  is *verified* when its proof, issuer key, dates and status checked out and its issuer is
  registered here, else *unverified*; its evidence carries the verifier's finding;
- a revoked credential (``revoked_at``) adds nothing.

A credential's title names (:mod:`matcher.title_names`, which need the model) are worked out
when it is added and stored with it (:func:`title_names_json`), so profiles are built here
from stored data alone, as the pool needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, cast

from api.store.models import Candidate, HeldCredential
from matcher.evidence import LinkPolicy, LinkState, TextLink
from matcher.profiles import CandidateProfile, build_candidate_profile
from matcher.taxonomy import Taxonomy
from matcher.title_names import TITLE_SAYS, TitleName

_STATES = ("suggested", "confirmed", "added", "rejected")


def held_links(held: HeldCredential) -> list[dict[str, Any]]:
    """The links of a held credential: the issuer's reviewed ones, or those stored with it."""
    if held.credential is not None:
        return [
            {"outcome_index": link.outcome_index, "uri": link.skill_uri, "label": link.label,
             "confidence": link.confidence, "state": link.state, "reason": link.reason}
            for link in held.credential.links
        ]
    return list(held.links or [])


def text_links(links: list[dict[str, Any]]) -> list[TextLink]:
    """Stored link dicts (``outcome_index`` -1 for the title) as :class:`TextLink`."""
    return [TextLink(int(link.get("outcome_index", -1)), str(link.get("uri", "")),
                     float(link.get("confidence", 0.0)),
                     # a LinkState: checked against _STATES
                     cast(LinkState, link["state"]) if link.get("state") in _STATES
                     else "suggested")
            for link in links]


def stored_title_names(stored: list[Any] | None, *,
                       pointing: bool = False) -> tuple[TitleName, ...]:
    """A held credential's stored title names (none for rows added before migration 0005
    until ``matcher db title-names`` fills them). ``pointing``: only those close enough to
    point to their occupation (closeness ≥ :data:`~matcher.title_names.TITLE_SAYS`), all a
    profile for ranking needs: a pointing lift is the closeness of a title that close."""
    return tuple(TitleName.from_dict(n) for n in stored or ()
                 if not pointing or n["closeness"] >= TITLE_SAYS)


def title_names_json(engine: Any, title: str) -> list[dict[str, Any]]:
    """What :class:`HeldCredential.title_names` stores for a credential with this title."""
    return [n.to_dict() for n in engine.title_names(title)]


def build_profile(candidate: Candidate, taxonomy: Taxonomy,
                  policy: LinkPolicy | None = None) -> CandidateProfile:
    """The candidate's skills, each with every piece of evidence behind it."""
    return profile_of(candidate.id, candidate.credentials,
                      [d.skill_uri for d in candidate.skills], taxonomy, policy)


def profile_of(candidate_id: str, credentials: Sequence[HeldCredential],
               declared: Sequence[str], taxonomy: Taxonomy,
               policy: LinkPolicy | None = None, *,
               for_ranking: bool = False) -> CandidateProfile:
    """:func:`build_profile` from a candidate's parts: their held credentials (in id order)
    and self-declared skill URIs (in the order declared). The pool's full load reads the
    parts in bulk, without one ORM object per declared skill.

    ``for_ranking``: the profile as a search reads it (``profile.for_ranking()``), built
    from the title names that can point only: the pool's way (0.2 ms a profile instead of
    0.37 with every name, measured on 2 credentials of 31 names each)."""
    current = [h for h in credentials if h.revoked_at is None]
    held = [(h.document, bool(h.verified), text_links(held_links(h))) for h in current]
    declared = [uri for uri in declared if uri in taxonomy.skills]
    profile = build_candidate_profile(
        candidate_id, held, self_declared=declared, taxonomy=taxonomy, policy=policy,
        title_names=[stored_title_names(h.title_names, pointing=for_ranking)
                     for h in current])
    if for_ranking:
        profile = profile.for_ranking()
    findings = {str(h.document.get("id")): h.verification for h in current if h.verification}
    if not findings:
        return profile
    skills = {uri: tuple(replace(e, verification=findings[e.credential_id])
                         if e.credential_id in findings else e for e in evidence)
              for uri, evidence in profile.skills.items()}
    return CandidateProfile(profile.id, skills, profile.notes, profile.titles)
