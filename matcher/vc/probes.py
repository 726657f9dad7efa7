"""Structural checks of a credential document, before its proof: contexts, types, the OB 3.0
JSON Schema, and the types of the subject, evidence and issuer.

Each check returns ``(status, message)``: ``passed``, ``warning`` or ``failed``. They follow
the probes of 1EdTech's OB 3.0 validator (ContextPropertyProbe, TypePropertyProbe,
JsonSchemaProbe, CredentialSubjectProbe, EvidenceProbe, IssuerProbe) so a credential is refused
here for the same reason it is refused there.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, Literal

from matcher.vc.jsonld import CONTEXT_FILES

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB_CURRENT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_CONTEXTS = (OB_CURRENT, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
               "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
               "https://purl.imsglobal.org/spec/ob/v3p0/context.json")
OB_TYPES = ("OpenBadgeCredential", "AchievementCredential")
ELM_TYPES = ("EuropeanDigitalCredential",)
SCHEMA_FILE = "ob_v3p0_achievementcredential_schema_draft4.json"

Result = tuple[Literal["passed", "warning", "failed", "skipped"], str]


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def as_object(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def kind_of(document: Mapping[str, Any]) -> str:
    """``ob3``, ``elm`` or ``vc`` (another credential type) by the document's ``type``."""
    types = as_list(document.get("type"))
    if any(t in types for t in OB_TYPES):
        return "ob3"
    if any(t in types for t in ELM_TYPES):
        return "elm"
    return "vc"


def check_context(document: Mapping[str, Any]) -> Result:
    contexts = as_list(document.get("@context"))
    if not contexts:
        return "failed", "the credential has no @context"
    unknown = [c for c in contexts if isinstance(c, str) and c not in CONTEXT_FILES]
    if unknown:
        return "failed", (f"unknown @context {unknown[0]!r}: Meritmatch reads only the JSON-LD "
                          "contexts it ships and never fetches one from the network")
    if contexts[0] not in (VC_V2, VC_V1):
        return "failed", (f"the first @context must be the W3C Verifiable Credentials context "
                          f"({VC_V2}), not {contexts[0]!r}")
    if kind_of(document) == "ob3":
        ob = [c for c in contexts if c in OB_CONTEXTS]
        if not ob:
            return "failed", f"an Open Badge must name the OB 3.0 context ({OB_CURRENT})"
        if contexts[0] == VC_V1:
            return "warning", ("uses the Verifiable Credentials 1.1 context; OB 3.0 now uses "
                               "the VC Data Model 2.0")
        if ob[0] != OB_CURRENT:
            return "warning", (f"uses an older OB 3.0 context ({ob[0]}); the current one is "
                               f"{OB_CURRENT}")
    return "passed", "contexts known"


def check_type(document: Mapping[str, Any]) -> Result:
    types = as_list(document.get("type"))
    if "VerifiableCredential" not in types:
        return "failed", f"type {types} does not include VerifiableCredential"
    if kind_of(document) == "vc":
        return "failed", (f"type {types} is neither an Open Badge (OpenBadgeCredential, "
                          "AchievementCredential) nor a European Digital Credential")
    return "passed", f"type {types}"


def _vc2_shape(definition: dict[str, Any]) -> None:
    """VC 2.0's names for a credential's two dates, in one (sub)schema of a credential."""
    properties = definition["properties"]
    properties["validFrom"] = properties.pop("issuanceDate")
    if "expirationDate" in properties:
        properties["validUntil"] = properties.pop("expirationDate")
    definition["required"] = ["validFrom" if r == "issuanceDate" else r
                              for r in definition["required"]]


@cache
def achievement_schema(vc_version: int = 2) -> dict[str, Any]:
    """The OB 3.0 AchievementCredential JSON Schema (the shipped draft-4 copy).

    That copy describes the VC 1.1 shape (``issuanceDate`` required, ``expirationDate``, a
    status of id and type only). For a VC 2.0 credential the same schema applies with VC 2.0's
    names for the two dates (``validFrom`` required, ``validUntil``) -- in the credential and
    in the endorsements it embeds, which are credentials of the same data model -- status
    entries that may carry their list and index, as OB 3.0.3 has them, and VC 2.0's optional
    ``name`` (also allowed, with ``description``, on the subject).
    """
    path = resources.files("matcher").joinpath("resources", "jsonld", SCHEMA_FILE)
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if vc_version == 2:
        _vc2_shape(schema)
        _vc2_shape(schema["$defs"]["EndorsementCredential"])
        # VC 2.0 makes a credential's name optional and defines name and description for
        # any object, its subject too (VCDM 2.0, 4.6). 1EdTech's own VC 2.0 samples rely on
        # both and are valid in its validator: sd/derivedcredential.json has no name,
        # simple-did-web-method.json names its subject.
        schema["required"] = [r for r in schema["required"] if r != "name"]
        subject = schema["$defs"]["AchievementSubject"]["properties"]
        for term in ("name", "description"):
            subject.setdefault(term, {"type": "string"})
        # VC 2.0 status entries (BitstringStatusListEntry) carry more than the id and type of
        # the VC 1.1 era's status methods.
        schema["$defs"]["CredentialStatus"]["additionalProperties"] = True
    return schema


# The OB 3.0 AchievementCredential schema's published addresses (the VC 2.0 edition and the
# VC 1.1-compatible "any" editions, plain JSON and JSON-LD): the schema the ``schema`` check
# applies, whichever edition a credential names.
_PURL = "https://purl.imsglobal.org/spec/ob/v3p0/schema/"
OB_SCHEMA_IDS = frozenset({
    _PURL + "json/ob_v3p0_achievementcredential_schema.json",
    _PURL + "json/ob_v3p0_anyachievementcredential_schema.json",
    _PURL + "json-ld/ob_v3p0_anyachievementcredential_schema.json"})
INLINE_SCHEMA_TYPE = "1EdTechJsonSchemaValidator2019"


def _schema_errors(document: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    from jsonschema import Draft4Validator

    version = 1 if VC_V1 in as_list(document.get("@context")) else 2
    validator = Draft4Validator(achievement_schema(version))
    out = []
    for error in sorted(validator.iter_errors(dict(document)), key=lambda e: list(e.path)):
        where = ".".join(str(p) for p in error.absolute_path) or "(credential)"
        out.append((where, str(error.validator), error.message))
    return out


def schema_errors(document: Mapping[str, Any]) -> list[str]:
    """Where ``document`` breaks the OB 3.0 AchievementCredential JSON Schema (shipped copy)."""
    return [f"{where}: {message}" for where, _, message in _schema_errors(document)]


def check_schema(document: Mapping[str, Any]) -> Result:
    """The OB 3.0 JSON Schema, read as 1EdTech's JsonSchemasProbe reads it.

    A VC 1.1 badge predates the schema's VC 2.0 shape, and a property the plain-JSON schema
    does not list (``additionalProperties``) is a JSON-LD extension when the credential's
    contexts define it (the ``jsonld`` check refuses it when they do not): both are warnings,
    as 1EdTech reports a plain-JSON schema failure that its JSON-LD schema accepts.
    """
    if kind_of(document) != "ob3":
        return "passed", "no OB 3.0 schema applies"
    errors = _schema_errors(document)
    if not errors:
        return "passed", "valid against the OB 3.0 AchievementCredential schema"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    where, _, message = errors[0]
    text = f"breaks the OB 3.0 AchievementCredential schema: {where}: {message}{more}"
    if VC_V1 in as_list(document.get("@context")):
        return "warning", text
    if all(validator == "additionalProperties" for _, validator, _ in errors):
        return "warning", (f"has properties the OB 3.0 JSON Schema does not list ({where}: "
                           f"{message}{more}); JSON-LD extensions, allowed with a warning")
    return "failed", text


def check_inline_schema(document: Mapping[str, Any]) -> Result:
    """The JSON Schemas a credential names in ``credentialSchema`` (1EdTech's
    InlineJsonSchemaProbe, which fetches them): the OB 3.0 schema is the one the ``schema``
    check applied; any other would have to be fetched, which Meritmatch does not do."""
    for entry in as_list(document.get("credentialSchema")):
        if not isinstance(entry, dict) or entry.get("type") != INLINE_SCHEMA_TYPE:
            continue
        url = str(entry.get("id") or "").strip()
        if url and url not in OB_SCHEMA_IDS:
            return "failed", (f"it names a JSON Schema to check it against ({url}) that "
                              "Meritmatch does not hold and cannot be fetched offline")
    return "passed", "no other JSON Schema named"


def _typed(value: Any, expected: str, where: str) -> str | None:
    for number, item in enumerate(as_list(value)):
        if isinstance(item, dict) and expected not in as_list(item.get("type")):
            return (f"{where}[{number}] has type {item.get('type')!r}; expected "
                    f"{expected!r}")
    return None


def check_subject(document: Mapping[str, Any]) -> Result:
    if kind_of(document) != "ob3":
        return "passed", "not an Open Badge"
    for subject in as_list(document.get("credentialSubject")):
        if not isinstance(subject, dict):
            return "failed", "credentialSubject is not an object"
        types = as_list(subject.get("type"))
        if "AchievementSubject" not in types:
            return "failed", (f"credentialSubject has type {types}; an Open Badge's subject "
                              "is an AchievementSubject")
        # in the order of 1EdTech's CredentialSubjectProbe
        achievement = subject.get("achievement")
        criteria = as_object(achievement).get("criteria")
        problems = [
            _typed(subject.get("identifier"), "IdentityObject", "credentialSubject.identifier"),
            _typed(subject.get("result"), "Result", "credentialSubject.result"),
            _typed(as_object(achievement).get("resultDescription"), "ResultDescription",
                   "credentialSubject.achievement.resultDescription"),
            "credentialSubject.achievement.criteria has neither an id nor a narrative"
            if isinstance(criteria, dict) and not (criteria.get("id") or criteria.get("narrative"))
            else None,
            None if isinstance(achievement, dict) else
            "credentialSubject has no achievement: an Open Badge says what was achieved",
            _typed(subject.get("source"), "Profile", "credentialSubject.source"),
        ]
        problem = next((p for p in problems if p), None)
        if problem:
            return "failed", problem
    return "passed", "credentialSubject is an AchievementSubject"


def check_evidence(document: Mapping[str, Any]) -> Result:
    problem = _typed(document.get("evidence"), "Evidence", "evidence")
    return ("failed", problem) if problem else ("passed", "evidence typed")


def issuer_of(document: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(issuer id, issuer name) of a credential (issuer as a string or a profile object)."""
    issuer = document.get("issuer")
    if isinstance(issuer, str):
        return issuer, None
    if isinstance(issuer, dict):
        name = issuer.get("name", issuer.get("legalName"))
        if isinstance(name, dict):  # an ELM language map
            name = next(iter(name.values()), None)
        return (str(issuer["id"]) if issuer.get("id") else None,
                str(name) if name is not None else None)
    return None, None


def check_issuer(document: Mapping[str, Any]) -> Result:
    issuer = document.get("issuer")
    issuer_id, _ = issuer_of(document)
    if not issuer_id:
        return "failed", "the credential names no issuer id"
    if kind_of(document) != "ob3" or not isinstance(issuer, dict):
        return "passed", f"issuer {issuer_id}"
    problem = (_typed(issuer, "Profile", "issuer")
               or _typed(issuer.get("parentOrg"), "Profile", "issuer.parentOrg")
               or _typed(issuer.get("otherIdentifier"), "IdentifierEntry",
                         "issuer.otherIdentifier"))
    return ("failed", problem) if problem else ("passed", f"issuer {issuer_id}")
