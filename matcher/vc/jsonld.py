"""JSON-LD without the network: the contexts Meritmatch ships, canonicalisation, term checks.

Reads the context files in ``matcher/resources/jsonld`` (see the README there). A document
naming any other context URL is refused with :class:`UnknownContextError`: nothing is ever
fetched, so a credential cannot make the verifier call out, and what a term means cannot change
under a signature once it is verified.

Canonicalisation is RDF Dataset Canonicalization (URDNA2015 / RDFC-1.0) through ``pyld``, the
algorithm the ``eddsa-rdfc-2022`` cryptosuite signs.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from matcher.errors import CredentialError

CONTEXT_FILES: dict[str, str] = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://www.w3.org/2018/credentials/v1": "2018-credentials-v1.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "ob-v3p0-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "ob-v3p0-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": "ob-v3p0.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "ob-v3p0-extensions.json",
    "https://w3id.org/security/suites/ed25519-2020/v1": "suites-ed25519-2020.jsonld",
    "https://w3id.org/security/data-integrity/v1": "data-integrity-v1.jsonld",
    "https://www.w3.org/ns/did/v1": "did-v1.jsonld",
}
# VC Data Model 2.0 maps every undefined term here (its @vocab); a verifier that accepted them
# would accept any misspelt or invented property as if the issuer's vocabulary defined it.
ISSUER_DEPENDENT = "https://www.w3.org/ns/credentials/issuer-dependent#"
UNDEFINED = "urn:meritmatch:undefined-term#"  # see undefined_terms


class UnknownContextError(CredentialError):
    """A document names a JSON-LD context that is not shipped with Meritmatch."""

    code = "unknown_context"


class MalformedJsonLdError(CredentialError):
    """A document that is not valid JSON-LD, or uses terms no context defines."""

    code = "malformed_jsonld"


@cache
def _context_document(url: str) -> dict[str, Any]:
    path = resources.files("matcher").joinpath("resources", "jsonld", CONTEXT_FILES[url])
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def load_document(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld's document loader over the shipped contexts; any other URL is refused."""
    if url not in CONTEXT_FILES:
        known = ", ".join(sorted(CONTEXT_FILES))
        raise UnknownContextError(
            f"unknown @context {url!r}: Meritmatch reads only the JSON-LD contexts it ships "
            f"({known}) and never fetches one from the network", field="@context")
    # A deep copy: pyld may keep references into the document it is given.
    return {"contextUrl": None, "documentUrl": url,
            "document": copy.deepcopy(_context_document(url))}


def _options() -> dict[str, Any]:
    return {"documentLoader": load_document}


def _unwrap(exc: Exception) -> Exception:
    """The first UnknownContextError inside pyld's chain of wrapped errors, else ``exc``."""
    seen: set[int] = set()
    current: Any = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, UnknownContextError):
            return current
        details = getattr(current, "details", None)
        cause = details.get("cause") if isinstance(details, dict) else None
        current = cause or current.__cause__ or current.__context__
    return exc


def _run(step: str, function: Any, *args: Any) -> Any:
    from pyld import jsonld

    try:
        return function(*args)
    except UnknownContextError:
        raise
    except jsonld.JsonLdError as exc:
        inner = _unwrap(exc)
        if isinstance(inner, UnknownContextError):
            raise inner from None
        raise MalformedJsonLdError(
            f"not valid JSON-LD ({step}): {exc.code or exc.type}: "
            f"{exc.args[0] if exc.args else exc}",
            field="@context") from None
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise MalformedJsonLdError(f"not valid JSON-LD ({step}): {exc}",
                                   field="@context") from None


def unsecured(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document without its proof (what a Data Integrity proof signs)."""
    return {k: v for k, v in document.items() if k != "proof"}


def proof_config_hash(document: Mapping[str, Any], options: Mapping[str, Any]) -> bytes:
    """SHA-256 of a proof's configuration: its options without the proof value, in the
    document's ``@context``, canonicalised (RDFC-1.0) -- as every RDFC cryptosuite hashes it.

    Raises:
        UnknownContextError, MalformedJsonLdError: as :func:`canonicalize`.
    """
    config = {k: v for k, v in options.items() if k != "proofValue"}
    config["@context"] = document.get("@context")
    return hashlib.sha256(canonicalize(config).encode("utf-8")).digest()


def canonicalize(document: dict[str, Any]) -> str:
    """The document's canonical N-Quads (RDFC-1.0), contexts loaded offline.

    Raises:
        UnknownContextError: a context URL that is not shipped.
        MalformedJsonLdError: the document is not valid JSON-LD.
    """
    from pyld import jsonld

    options = _options() | {"algorithm": "URDNA2015", "format": "application/n-quads"}
    return str(_run("canonicalisation", jsonld.normalize, document, options))


def expand(document: dict[str, Any]) -> list[Any]:
    from pyld import jsonld

    return list(_run("expansion", jsonld.expand, document, _options()))


def _undefined(value: Any, found: set[str]) -> None:
    """Collect the terms of an expanded document that expanded to a catch-all vocabulary."""
    if isinstance(value, list):
        for item in value:
            _undefined(item, found)
    elif isinstance(value, dict):
        for key, item in value.items():
            kinds = item if key == "@type" and isinstance(item, list) else [key]
            for name in kinds:
                for vocab in (ISSUER_DEPENDENT, UNDEFINED):
                    if isinstance(name, str) and name.startswith(vocab):
                        found.add(name[len(vocab):])
            _undefined(item, found)


def undefined_terms(document: dict[str, Any]) -> list[str]:
    """Properties and types of ``document`` that none of its contexts defines.

    Two ways a term goes undefined: JSON-LD expansion silently drops a property no context
    maps (VC 1.1 contexts), or VC 2.0's ``@vocab`` maps it to the issuer-dependent namespace.
    Either way the signed statement would not say what its reader thinks it says. To see the
    dropped ones, the document is expanded with a catch-all ``@vocab`` put before its own
    contexts (a context that defines ``@vocab`` itself, as VC 2.0 does, replaces it).

    Raises:
        UnknownContextError, MalformedJsonLdError: as :func:`canonicalize`.
    """
    contexts = document.get("@context")
    contexts = contexts if isinstance(contexts, list) else [contexts]
    probe = dict(document)
    probe["@context"] = [{"@vocab": UNDEFINED}, *contexts]
    found: set[str] = set()
    _undefined(expand(probe), found)
    return sorted(found)
