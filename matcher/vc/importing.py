"""What an imported credential becomes, and how its stated skills compare with our mapping.

An OB 3.0 badge or an EDC is read into our :class:`~matcher.credentials.Credential` plus the
ESCO skills it states (its alignments / related ESCO skills), which count as ``confirmed``
links, as an issuer's reviewed links do. Its outcomes are still mapped by the engine;
:func:`link_differences` lists where the two disagree, for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from matcher.credentials import Credential
from matcher.errors import CredentialError
from matcher.evidence import TITLE, LinkPolicy, TextLink

ESCO_PREFIX = "http://data.europa.eu/esco/skill/"
DEFAULTS = {"assessment_type": "ej angiven / not stated", "participation_form": "online",
            "quality_assurance": "ej angiven / not stated"}


@dataclass(frozen=True)
class ImportedCredential:
    """A credential read from an OB 3.0 or EDC document.

    Attributes:
        credential: the Annex I elements.
        links: the ESCO skills the document states, as ``confirmed`` links (outcome index, or
            :data:`~matcher.evidence.TITLE` for skills of the whole achievement).
        notes: elements the document did not state and the value recorded instead.
        issuer_id: the issuer's id in the document.
        source_format: ``ob3`` or ``elm``.
    """

    credential: Credential
    links: tuple[TextLink, ...]
    notes: tuple[str, ...]
    issuer_id: str | None
    source_format: str

    @property
    def skills(self) -> list[str]:
        return list(dict.fromkeys(link.uri for link in self.links))


class Notes:
    """Collects what an import had to fill in, and fills it."""

    def __init__(self) -> None:
        self._items: list[str] = []

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def add(self, note: str) -> None:
        if note not in self._items:
            self._items.append(note)

    def default(self, field: str, value: Any) -> Any:
        if value:
            return value
        self.add(f"{field.replace('_', ' ')} not stated; recorded as {DEFAULTS[field]!r}")
        return DEFAULTS[field]

    def country(self, value: Any) -> str:
        text = str(value or "").strip().upper()
        if re.fullmatch(r"[A-Z]{2}", text):
            return text
        self.add(f"issuer country {value!r} is not an ISO 3166 two-letter code; recorded as "
                 "'ZZ' (unknown)" if value else "issuer country not stated; recorded as 'ZZ' "
                 "(unknown)")
        return "ZZ"

    def language(self, value: Any, texts: Sequence[str]) -> str:
        text = str(value or "").strip().lower()[:2]
        if re.fullmatch(r"[a-z]{2}", text):
            return text
        guess = "sv" if any(ch in t for t in texts for ch in "åäöÅÄÖ") else "en"
        self.add(f"language not stated; taken as {guess!r} from the outcomes' letters")
        return guess

    def learner(self, subject: Mapping[str, Any]) -> str:
        if subject.get("id"):
            return str(subject["id"])
        for item in subject.get("identifier") or []:
            if isinstance(item, dict) and item.get("identityHash"):
                return str(item["identityHash"])
        raise CredentialError("the credential names no learner (credentialSubject has no id "
                              "and no identifier)", field="credentialSubject.id")

    def issued_on(self, value: Any) -> str:
        text = str(value or "")
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
        except ValueError:
            pass
        try:
            return date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            raise CredentialError(f"the credential has no readable issue date (validFrom "
                                  f"{value!r})", field="validFrom") from None


def learner_identifier(learner: str) -> dict[str, Any]:
    """An OB 3.0 ``IdentityObject`` for a learner id that is not a URI."""
    return {"type": "IdentityObject", "hashed": False, "identityHash": learner,
            "identityType": "identifier"}


def esco_uri(alignment: Any) -> str | None:
    """The ESCO skill URI of an alignment (``targetFramework`` ESCO or an ESCO ``targetUrl``)."""
    if isinstance(alignment, str):
        return alignment if alignment.startswith(ESCO_PREFIX) else None
    if not isinstance(alignment, dict):
        return None
    url = str(alignment.get("targetUrl") or alignment.get("id") or "")
    framework = str(alignment.get("targetFramework", "")).strip().upper()
    if url.startswith(ESCO_PREFIX) or (framework == "ESCO" and url.startswith("http")):
        return url
    return None


@dataclass(frozen=True)
class LinkDifference:
    """A skill the document states that our mapping did not suggest for the same text, or
    the reverse."""

    text_index: int
    uri: str
    kind: str  # "stated_only" (in the document, not suggested) | "suggested_only"
    label: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"outcome_index": self.text_index, "uri": self.uri,
                               "kind": self.kind}
        if self.label:
            out["label"] = self.label
        return out


def link_differences(stated: Iterable[TextLink], suggested: Iterable[tuple[int, Any]],
                     policy: LinkPolicy | None = None) -> list[LinkDifference]:
    """Where the document's stated skills and our mapping's suggestions disagree.

    A stated skill agrees when our mapping suggests it, for any text of the credential, among
    the suggestions ``policy`` would count (an issuer may align a skill to the whole badge
    that we find in one outcome); a text's best counted suggestion that nothing stated matches
    is reported the other way.
    """
    policy = policy or LinkPolicy()
    stated = list(stated)
    by_text: dict[int, list[Any]] = {}
    for index, link in suggested:
        by_text.setdefault(index, []).append(link)
    counted = {index: [link for link, _ in policy.select(links)]
               for index, links in by_text.items()}
    near = {link.uri for links in counted.values() for link in links}
    stated_uris = {link.uri for link in stated}
    out = [LinkDifference(link.text_index, link.uri, "stated_only") for link in stated
           if link.uri not in near]
    for index, links in sorted(counted.items()):
        if links and links[0].uri not in stated_uris and index != TITLE:
            out.append(LinkDifference(index, links[0].uri, "suggested_only",
                                      getattr(links[0], "label", None)))
    return out
