"""European Learning Model (ELM 3) / European Digital Credential: our credential as EDC-shaped
JSON-LD and back.

The shape follows ELM 3: ``credentialSubject`` (a ``Person``) ``hasClaim`` a
``LearningAchievement`` that is ``specifiedBy`` a ``LearningAchievementSpecification`` with
its ``learningOutcome`` list (each with ``relatedESCOSkill``), ``EQFLevel`` (the EU's EQF
concept URI), ``NQFLevel`` (the SeQF level), ``volumeOfLearning`` (ISO 8601 duration),
``creditPoint`` (ECTS), ``mode`` (form of participation); ``provenBy`` a
``LearningAssessment`` (type of assessment); ``awardedBy`` an ``AwardingProcess``.

The official EDC context (``http://data.europa.eu/snb/model/context/edc-ap``) is not available
offline, so an exported EDC carries its ELM terms in an inline context mapped to the ELM
ontology (``http://data.europa.eu/snb/model/elm/``): it is then complete JSON-LD that Meritmatch
canonicalises and signs (``eddsa-rdfc-2022``) like an Open Badge. An EDC naming the official
context imports all the same (it is read as JSON), but cannot be verified offline.

SeQF and EQF: the Swedish framework is referenced to the EQF level for level (1–8), so an EDC
with only an EQF level imports with the same SeQF level (and a note saying so).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from matcher.credentials import Credential, parse_credential
from matcher.evidence import TITLE, TextLink
from matcher.vc.importing import ImportedCredential, Notes, esco_uri
from matcher.vc.ob3 import _credential_uri, confirmed
from matcher.vc.probes import VC_V2, as_list, issuer_of

ELM = "http://data.europa.eu/snb/model/elm/"
EQF_URL = "http://data.europa.eu/snb/eqf/{level}"
_LANG = {"@container": "@language"}
ELM_CONTEXT: dict[str, Any] = {
    "@version": 1.1,
    "elm": ELM,
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "EuropeanDigitalCredential": "elm:EuropeanDigitalCredential",
    "Person": "elm:Person", "Organisation": "elm:Organisation", "Location": "elm:Location",
    "Address": "elm:Address", "Identifier": "elm:Identifier", "Note": "elm:Note",
    "LearningAchievement": "elm:LearningAchievement",
    "LearningAchievementSpecification": "elm:LearningAchievementSpecification",
    "LearningOutcome": "elm:LearningOutcome", "LearningAssessment": "elm:LearningAssessment",
    "AwardingProcess": "elm:AwardingProcess", "CreditPoint": "elm:CreditPoint",
    "Concept": "skos:Concept",
    "title": {"@id": "dcterms:title", **_LANG},
    "legalName": {"@id": "elm:legalName", **_LANG},
    "noteLiteral": {"@id": "elm:noteLiteral", **_LANG},
    "prefLabel": {"@id": "skos:prefLabel", **_LANG},
    "notation": "skos:notation",
    "identifier": "elm:identifier",
    "location": "elm:location", "address": "elm:address", "countryCode": "elm:countryCode",
    "geographicName": {"@id": "elm:geographicName", **_LANG},
    "hasClaim": "elm:hasClaim", "specifiedBy": "elm:specifiedBy",
    "learningOutcome": "elm:learningOutcome", "provenBy": "elm:provenBy",
    "relatedESCOSkill": {"@id": "elm:relatedESCOSkill", "@type": "@id"},
    "EQFLevel": {"@id": "elm:EQFLevel", "@type": "@id"},
    "NQFLevel": "elm:NQFLevel",
    "volumeOfLearning": {"@id": "elm:volumeOfLearning", "@type": "xsd:duration"},
    "creditPoint": "elm:creditPoint", "framework": "elm:framework", "point": "elm:point",
    "language": "elm:language", "mode": "elm:mode", "additionalNote": "elm:additionalNote",
    "subject": "elm:subject",
    "awardedBy": "elm:awardedBy",
    "awardingBody": {"@id": "elm:awardingBody", "@type": "@id"},
    "awardingDate": {"@id": "elm:awardingDate", "@type": "xsd:dateTime"},
}


def _concept(notation: str, **labels: str) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "Concept", "notation": notation}
    if labels:
        out["prefLabel"] = labels
    return out


def export_elm(credential: Credential, *, issuer_id: str, links: Iterable[Any] = (),
               credential_status: Mapping[str, Any] | None = None,
               valid_until: str | None = None) -> dict[str, Any]:
    """The (unsigned) European Digital Credential of ``credential``; arguments as
    :func:`matcher.vc.ob3.export_ob3` (the issuer's confirmed links become
    ``relatedESCOSkill`` of their outcome, the title's of the specification)."""
    lang = credential.language
    chosen = confirmed(links)
    credential_id = _credential_uri(credential)
    outcomes = []
    for index, text in enumerate(credential.learning_outcomes):
        outcome: dict[str, Any] = {"id": f"{credential_id}#outcome-{index + 1}",
                                   "type": "LearningOutcome", "title": {lang: text}}
        skills = list(dict.fromkeys(link.uri for link in chosen if link.text_index == index))
        if skills:
            outcome["relatedESCOSkill"] = skills
        outcomes.append(outcome)
    spec: dict[str, Any] = {"id": f"{credential_id}#specification",
                            "type": "LearningAchievementSpecification",
                            "title": {lang: credential.title}, "learningOutcome": outcomes,
                            "language": lang,
                            "mode": _concept(credential.participation_form)}
    whole = list(dict.fromkeys(link.uri for link in chosen if link.text_index == TITLE))
    if whole:
        spec["relatedESCOSkill"] = whole
    level = credential.level
    if level and (level.eqf or level.seqf):
        spec["EQFLevel"] = EQF_URL.format(level=level.eqf or level.seqf)
        if level.seqf:
            spec["NQFLevel"] = _concept(f"SeQF {level.seqf}", sv=f"SeQF-nivå {level.seqf}")
    if credential.workload.hours is not None:
        spec["volumeOfLearning"] = f"PT{credential.workload.hours:g}H"
    if credential.workload.ects is not None:
        spec["creditPoint"] = {"type": "CreditPoint", "framework": _concept("ECTS"),
                               "point": f"{credential.workload.ects:g}"}
    spec["additionalNote"] = {"type": "Note", "subject": _concept("quality assurance"),
                              "noteLiteral": {lang: credential.quality_assurance}}
    address: dict[str, Any] = {"type": "Address",
                               "countryCode": _concept(credential.issuer_country)}
    location: dict[str, Any] = {"type": "Location", "address": address}
    if credential.issuer_region:
        location["geographicName"] = {lang: credential.issuer_region}
    issued = f"{credential.issued_on.isoformat()}T00:00:00Z"
    learner = credential.learner.id
    subject: dict[str, Any] = {"type": "Person"}
    if ":" in learner:
        subject["id"] = learner
    else:
        subject["identifier"] = {"type": "Identifier", "notation": learner}
    subject["hasClaim"] = {
        "id": f"{credential_id}#achievement", "type": "LearningAchievement",
        "title": {lang: credential.title}, "specifiedBy": spec,
        "provenBy": {"type": "LearningAssessment", "title": {lang: credential.assessment_type}},
        "awardedBy": {"type": "AwardingProcess", "awardingBody": issuer_id,
                      "awardingDate": issued},
    }
    document: dict[str, Any] = {
        "@context": [VC_V2, ELM_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "issuer": {"id": issuer_id, "type": "Organisation",
                   "legalName": {lang: credential.awarding_body.name}, "location": location},
        "validFrom": issued,
        "credentialSubject": subject,
    }
    if valid_until:
        document["validUntil"] = valid_until
    if credential_status:
        document["credentialStatus"] = dict(credential_status)
    return document


def _text(value: Any, lang: str | None = None) -> str:
    """A string from an ELM language map (``{"sv": …}``), a JSON-LD value list or a string."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        if "@value" in value:
            return str(value["@value"]).strip()
        if lang and lang in value:
            return _text(value[lang])
        return _text(next(iter(value.values()), ""))
    if isinstance(value, list) and value:
        return _text(value[0], lang)
    return ""


def _first(value: Any) -> dict[str, Any]:
    item = next(iter(as_list(value)), None)
    return item if isinstance(item, dict) else {}


def _notation(value: Any) -> str:
    return _text(_first(value).get("notation")) if value else ""


def _skills(value: Any) -> list[str]:
    out = []
    for item in as_list(value):
        uri = esco_uri(item if isinstance(item, str) else {"targetUrl": item.get("id")}
                       if isinstance(item, dict) else None)
        if uri:
            out.append(uri)
    return out


def import_elm(document: Mapping[str, Any]) -> ImportedCredential:
    """Our credential from an ELM / EDC document (ours, or one with the official context).

    Raises:
        CredentialError: no achievement with a title, or a value breaks the credential schema.
    """
    notes = Notes()
    subject = _first(document.get("credentialSubject"))
    claim = _first(subject.get("hasClaim") or subject.get("achieved"))
    spec = _first(claim.get("specifiedBy"))
    title_map = spec.get("title") or claim.get("title")
    lang = notes.language(next(iter(title_map), None) if isinstance(title_map, dict)
                          else spec.get("language"), [_text(title_map)])
    title = _text(title_map, lang)
    outcomes: list[str] = []
    links: list[TextLink] = []
    for item in as_list(spec.get("learningOutcome")):
        if not isinstance(item, dict):
            continue
        index = len(outcomes)
        outcomes.append(_text(item.get("title"), lang))
        links += [TextLink(index, uri, 1.0, "confirmed")
                  for uri in _skills(item.get("relatedESCOSkill"))]
    links += [TextLink(TITLE, uri, 1.0, "confirmed")
              for uri in _skills(spec.get("relatedESCOSkill"))]
    if not outcomes:
        outcomes = [title]
        notes.add("no learning outcomes: the title is read as the only one")
    level: dict[str, int] = {}
    eqf = str(_first(spec.get("EQFLevel")).get("id", "") if isinstance(
        spec.get("EQFLevel"), dict) else spec.get("EQFLevel") or "")
    if re.search(r"/eqf/([1-8])$", eqf):
        level["eqf"] = int(eqf[-1])
    seqf = re.search(r"([1-8])$", _notation(spec.get("NQFLevel")))
    if seqf:
        level["seqf"] = int(seqf.group(1))
    elif "eqf" in level:
        level["seqf"] = level["eqf"]
        notes.add("SeQF level taken from the EQF level (SeQF is referenced to EQF level for "
                  "level)")
    hours = re.fullmatch(r"PT([\d.]+)H", str(spec.get("volumeOfLearning") or ""))
    credit = _first(spec.get("creditPoint"))
    issuer = _first(document.get("issuer"))
    location = _first(issuer.get("location"))
    issuer_id, issuer_name = issuer_of(document)
    note = _first(spec.get("additionalNote"))
    mode = _notation(spec.get("mode"))
    learner = subject.get("id") or _first(subject.get("identifier")).get("notation")
    data: dict[str, Any] = {
        "id": str(document.get("id") or claim.get("id") or ""),
        "title": title,
        "awarding_body": {"name": issuer_name or issuer_id or "",
                          **({"id": issuer_id} if issuer_id else {})},
        "issuer_country": notes.country(_notation(_first(location.get("address"))
                                                  .get("countryCode"))),
        "language": lang,
        "learning_outcomes": outcomes,
        "workload": {"ects": float(credit["point"]) if re.fullmatch(
                         r"[\d.]+", str(credit.get("point", ""))) else None,
                     "hours": float(hours.group(1)) if hours else None},
        "level": level or None,
        "assessment_type": notes.default("assessment_type",
                                         _text(_first(claim.get("provenBy")).get("title"),
                                               lang)),
        "participation_form": notes.default(
            "participation_form", mode if mode in ("onsite", "online", "blended") else None),
        "quality_assurance": notes.default("quality_assurance",
                                           _text(note.get("noteLiteral"), lang)),
        "learner": {"id": notes.learner({"id": learner} if learner else {})},
        "issued_on": notes.issued_on(document.get("validFrom") or document.get("issuanceDate")
                                     or _first(claim.get("awardedBy")).get("awardingDate")),
    }
    region = _text(location.get("geographicName"), lang)
    if region:
        data["issuer_region"] = region
    credential = parse_credential(data, source="European Digital Credential")
    return ImportedCredential(credential, tuple(links), tuple(notes), issuer_id, "elm")
