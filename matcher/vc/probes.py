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


@cache
def achievement_schema(vc_version: int = 2) -> dict[str, Any]:
    """The OB 3.0 AchievementCredential JSON Schema (the shipped draft-4 copy).

    That copy describes the VC 1.1 shape (``issuanceDate`` required, ``expirationDate``, a
    status of id and type only). For a VC 2.0 credential the same schema applies with VC 2.0's
    names for the two dates (``validFrom`` required, ``validUntil``) and status entries that
    may carry their list and index, as OB 3.0.3 has them.
    """
    path = resources.files("matcher").joinpath("resources", "jsonld", SCHEMA_FILE)
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if vc_version == 2:
        properties = schema["properties"]
        properties["validFrom"] = properties.pop("issuanceDate")
        if "expirationDate" in properties:
            properties["validUntil"] = properties.pop("expirationDate")
        schema["required"] = ["validFrom" if r == "issuanceDate" else r
                              for r in schema["required"]]
        # VC 2.0 status entries (BitstringStatusListEntry) carry more than the id and type of
        # the VC 1.1 era's status methods.
        schema["$defs"]["CredentialStatus"]["additionalProperties"] = True
    return schema


def schema_errors(document: Mapping[str, Any]) -> list[str]:
    """Where ``document`` breaks the OB 3.0 AchievementCredential JSON Schema (shipped copy)."""
    from jsonschema import Draft4Validator

    version = 1 if VC_V1 in as_list(document.get("@context")) else 2
    validator = Draft4Validator(achievement_schema(version))
    out = []
    for error in sorted(validator.iter_errors(dict(document)), key=lambda e: list(e.path)):
        where = ".".join(str(p) for p in error.absolute_path) or "(credential)"
        out.append(f"{where}: {error.message}")
    return out


def check_schema(document: Mapping[str, Any]) -> Result:
    if kind_of(document) != "ob3":
        return "passed", "no OB 3.0 schema applies"
    errors = schema_errors(document)
    if not errors:
        return "passed", "valid against the OB 3.0 AchievementCredential schema"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    message = f"breaks the OB 3.0 AchievementCredential schema: {errors[0]}{more}"
    # A VC 1.1 badge predates the schema's VC 2.0 shape: 1EdTech warns rather than refuses.
    if VC_V1 in as_list(document.get("@context")):
        return "warning", message
    return "failed", message


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
        achievement = subject.get("achievement") or {}
        problems = [
            _typed(subject.get("identifier"), "IdentityObject", "credentialSubject.identifier"),
            _typed(subject.get("result"), "Result", "credentialSubject.result"),
            _typed(subject.get("source"), "Profile", "credentialSubject.source"),
            _typed(achievement.get("resultDescription") if isinstance(achievement, dict)
                   else None, "ResultDescription",
                   "credentialSubject.achievement.resultDescription"),
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
