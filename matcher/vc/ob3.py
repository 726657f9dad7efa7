"""Open Badges 3.0: our credential (EU Annex I elements) as an ``OpenBadgeCredential`` and back.

Export (:func:`export_ob3`), what goes where:

- title → ``name`` and ``achievement.name``; awarding body → ``issuer`` (a ``Profile``: name,
  ``address.addressCountryCode`` / ``addressRegion``); date of issue → ``validFrom``;
  learner id → ``credentialSubject.id`` (a URI) or an ``identifier`` entry;
- each learning outcome → one ``achievement.resultDescription`` (its ``name``), carrying the
  ESCO alignments the issuer confirmed for that outcome; every confirmed ESCO skill is also an
  ``achievement.alignment`` (``targetFramework`` "ESCO", ``targetUrl`` the ESCO URI), which is
  where wallets and other verifiers look;
- EQF / SeQF level → alignments with ``targetFramework`` "EQF" / "SeQF"; ECTS →
  ``creditsAvailable``; language → ``inLanguage``;
- assessment type, form of participation, quality assurance, hours → lines of
  ``criteria.narrative`` ("Assessment: …"), which OB 3.0 has for how the achievement is earned.

Import (:func:`import_ob3`) reads the same places; an element a badge does not state is filled
with a stated default and a note says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from matcher.credentials import Credential, parse_credential
from matcher.evidence import TITLE, TextLink
from matcher.vc.importing import ImportedCredential, Notes, esco_uri, learner_identifier
from matcher.vc.probes import OB_CURRENT, VC_V2, as_list, as_object, issuer_of

EQF_URL = "http://data.europa.eu/snb/eqf/{level}"
SEQF_URL = "https://www.seqf.se/"
ANNEX_LINES = (("assessment_type", "Assessment"), ("participation_form", "Participation"),
               ("quality_assurance", "Quality assurance"), ("hours", "Hours"),
               ("issuer_region", "Region"))


def confirmed(links: Iterable[Any]) -> list[TextLink]:
    """The links an issuer confirmed or added (what an export carries), one per text and URI."""
    out: dict[tuple[int, str], TextLink] = {}
    for link in links:
        if getattr(link, "state", "confirmed") in ("confirmed", "added"):
            out.setdefault((link.text_index, link.uri), link)
    return list(out.values())


def _alignment(uri: str, label: str | None) -> dict[str, Any]:
    return {"type": ["Alignment"], "targetType": "ceasn:Competency", "targetFramework": "ESCO",
            "targetName": label or uri.rsplit("/", 1)[-1], "targetUrl": uri,
            "targetCode": uri.rsplit("/", 1)[-1]}


def _credential_uri(credential: Credential) -> str:
    return credential.id if ":" in credential.id else f"urn:meritmatch:credential:{credential.id}"


def export_ob3(credential: Credential, *, issuer_id: str, links: Iterable[Any] = (),
               labels: Mapping[str, str] | None = None,
               credential_status: Mapping[str, Any] | None = None,
               valid_until: str | None = None) -> dict[str, Any]:
    """The (unsigned) ``OpenBadgeCredential`` of ``credential``.

    Args:
        credential: an issued credential (Annex I elements).
        issuer_id: the issuer's id (its ``did:key``), which the signing key must control.
        links: the credential's skill links (:class:`~matcher.evidence.TextLink`); only those
            the issuer confirmed or added are exported.
        labels: ESCO URI → preferred label, for ``targetName``.
        credential_status: a status list entry (:func:`matcher.vc.status.status_entry`).
        valid_until: end of validity (ISO 8601 date-time), if any.
    """
    labels = labels or {}
    chosen = confirmed(links)
    credential_id = _credential_uri(credential)
    achievement_id = credential.url or f"{credential_id}#achievement"
    results = []
    for index, outcome in enumerate(credential.learning_outcomes):
        result: dict[str, Any] = {"id": f"{credential_id}#outcome-{index + 1}",
                                  "type": ["ResultDescription"], "name": outcome,
                                  "resultType": "Status"}
        aligned = [_alignment(link.uri, labels.get(link.uri)) for link in chosen
                   if link.text_index == index]
        if aligned:
            result["alignment"] = aligned
        results.append(result)
    alignments = [_alignment(uri, labels.get(uri))
                  for uri in dict.fromkeys(link.uri for link in chosen)]
    level = credential.level
    if level and (level.eqf or level.seqf):
        eqf = level.eqf or level.seqf
        alignments.append({"type": ["Alignment"], "targetFramework": "EQF",
                           "targetName": f"EQF level {eqf}", "targetCode": str(eqf),
                           "targetUrl": EQF_URL.format(level=eqf)})
        if level.seqf:
            alignments.append({"type": ["Alignment"], "targetFramework": "SeQF",
                               "targetName": f"SeQF-nivå {level.seqf}",
                               "targetCode": str(level.seqf), "targetUrl": SEQF_URL})
    facts = {"assessment_type": credential.assessment_type,
             "participation_form": credential.participation_form,
             "quality_assurance": credential.quality_assurance,
             "hours": (f"{credential.workload.hours:g}" if credential.workload.hours is not None
                       else None),
             "issuer_region": credential.issuer_region}
    narrative = "\n".join(f"{label}: {facts[key]}" for key, label in ANNEX_LINES
                          if facts[key] is not None)
    achievement: dict[str, Any] = {
        "id": achievement_id, "type": ["Achievement"], "achievementType": "MicroCredential",
        "name": credential.title,
        "description": "\n".join(f"- {o}" for o in credential.learning_outcomes),
        "criteria": {"narrative": narrative}, "inLanguage": credential.language,
        "resultDescription": results, "alignment": alignments,
    }
    if credential.workload.ects is not None:
        achievement["creditsAvailable"] = credential.workload.ects
    subject: dict[str, Any] = {"type": ["AchievementSubject"], "achievement": achievement}
    learner = credential.learner.id
    if ":" in learner:
        subject["id"] = learner
    else:
        subject["identifier"] = [learner_identifier(learner)]
    address: dict[str, Any] = {"type": ["Address"],
                               "addressCountryCode": credential.issuer_country}
    if credential.issuer_region:
        address["addressRegion"] = credential.issuer_region
    document: dict[str, Any] = {
        "@context": [VC_V2, OB_CURRENT],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_id, "type": ["Profile"], "name": credential.awarding_body.name,
                   "address": address},
        "validFrom": f"{credential.issued_on.isoformat()}T00:00:00Z",
        "name": credential.title,
        "credentialSubject": subject,
    }
    if valid_until:
        document["validUntil"] = valid_until
    if credential_status:
        document["credentialStatus"] = dict(credential_status)
    return document


def _criteria_facts(narrative: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, label in ANNEX_LINES:
        found = re.search(rf"^{re.escape(label)}:\s*(.+)$", narrative, flags=re.MULTILINE)
        if found:
            out[key] = found.group(1).strip()
    return out


def _level(alignments: list[Any], notes: Notes) -> dict[str, int] | None:
    level: dict[str, int] = {}
    for item in alignments:
        if not isinstance(item, dict):
            continue
        framework = str(item.get("targetFramework", "")).upper()
        if framework in ("EQF", "SEQF"):
            code = str(item.get("targetCode") or str(item.get("targetUrl", "")).rstrip("/")
                       .rsplit("/", 1)[-1])
            if code.isdigit() and 1 <= int(code) <= 8:
                level["eqf" if framework == "EQF" else "seqf"] = int(code)
    if "eqf" in level and "seqf" not in level:
        level["seqf"] = level["eqf"]
        notes.add("SeQF level taken from the EQF level (SeQF is referenced to EQF level for "
                  "level)")
    return level or None


def import_ob3(document: Mapping[str, Any]) -> ImportedCredential:
    """Our credential from an OB 3.0 ``OpenBadgeCredential`` / ``AchievementCredential``.

    The ESCO alignments become the credential's ``confirmed`` links: of an outcome when its
    result description carries them, else of the title. Verification is separate
    (:mod:`matcher.vc.verify`); this only reads.

    Raises:
        CredentialError: the badge lacks what a credential cannot do without (an achievement
            with a name), or a value breaks the credential schema.
    """
    notes = Notes()
    subject = next(iter(as_list(document.get("credentialSubject"))), None)
    subject = as_object(subject)
    achievement = as_object(subject.get("achievement"))
    title = str(achievement.get("name") or document.get("name") or "").strip()
    results = [r for r in as_list(achievement.get("resultDescription")) if isinstance(r, dict)]
    outcomes = [str(r.get("name", "")).strip() for r in results]
    links: list[TextLink] = []
    for index, result in enumerate(results):
        for item in as_list(result.get("alignment")):
            uri = esco_uri(item)
            if uri:
                links.append(TextLink(index, uri, 1.0, "confirmed"))
    per_outcome = {link.uri for link in links}
    alignments = as_list(achievement.get("alignment"))
    for item in alignments:
        uri = esco_uri(item)
        if uri and uri not in per_outcome:
            links.append(TextLink(TITLE, uri, 1.0, "confirmed"))
            per_outcome.add(uri)
    if not any(len(o) >= 3 for o in outcomes):
        description = str(achievement.get("description") or "").strip()
        outcomes = [line.lstrip("- ").strip() for line in description.splitlines()
                    if len(line.lstrip("- ").strip()) >= 3] or [title]
        notes.add("no learning outcomes (result descriptions): read from the achievement's "
                  "description")
    criteria = as_object(achievement.get("criteria"))
    facts = _criteria_facts(str(criteria.get("narrative") or ""))
    issuer = as_object(document.get("issuer"))
    address = as_object(issuer.get("address"))
    issuer_id, issuer_name = issuer_of(document)
    hours = facts.get("hours")
    data: dict[str, Any] = {
        "id": str(document.get("id") or achievement.get("id") or ""),
        "title": title,
        "awarding_body": {"name": issuer_name or issuer_id or "",
                          **({"id": issuer_id} if issuer_id else {})},
        "issuer_country": notes.country(address.get("addressCountryCode")
                                        or address.get("addressCountry")),
        "issuer_region": address.get("addressRegion") or facts.get("issuer_region"),
        "language": notes.language(achievement.get("inLanguage"), outcomes),
        "learning_outcomes": outcomes,
        "workload": {"ects": achievement.get("creditsAvailable"),
                     "hours": float(hours) if hours and re.fullmatch(r"[\d.]+", hours)
                     else None},
        "level": _level(alignments, notes),
        "assessment_type": notes.default("assessment_type", facts.get("assessment_type")),
        "participation_form": notes.default("participation_form",
                                            facts.get("participation_form")),
        "quality_assurance": notes.default("quality_assurance",
                                           facts.get("quality_assurance")),
        "learner": {"id": notes.learner(subject)},
        "issued_on": notes.issued_on(document.get("validFrom") or document.get("issuanceDate")
                                     or document.get("awardedDate")),
    }
    if data["issuer_region"] is None:
        del data["issuer_region"]
    credential = parse_credential(data, source="Open Badge")
    return ImportedCredential(credential, tuple(links), tuple(notes), issuer_id, "ob3")
