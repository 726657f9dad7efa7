"""Micro-credentials as data: the EU Council Recommendation (2022) Annex I elements.

A credential document is JSON (UTF-8)::

    {
      "id": "urn:meritmatch:credential:amina-1",
      "title": "Demensvård – grundkurs",
      "learner": {"id": "urn:meritmatch:learner:amina"},          # learner identification
      "awarding_body": {"name": "Söderslätts folkhögskola", "id": "urn:…"},
      "issuer_country": "SE", "issuer_region": "Skåne",
      "issued_on": "2025-05-20",
      "language": "sv",
      "learning_outcomes": ["Deltagaren kan …", …],
      "workload": {"ects": 3.0, "hours": 80},                     # notional workload
      "level": {"eqf": 4, "seqf": 4},
      "assessment_type": "Praktiskt prov",
      "participation_form": "onsite" | "online" | "blended",
      "quality_assurance": "Intern och extern granskning"
    }

A catalogue *offering* is the same without ``learner`` and ``issued_on``. The learner is
identified by an id only: no name is needed and no personal characteristic is accepted
(unknown fields are refused).

Pydantic validates the document, so every error names the field and the problem.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from matcher.errors import CredentialError

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Outcome = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Learner(_Strict):
    """Learner identification: a pseudonymous id (a wallet DID, an email, a URN)."""

    id: Text


class AwardingBody(_Strict):
    name: Text
    id: Text | None = None


class Workload(_Strict):
    """Notional workload: ECTS credits where possible, hours always welcome."""

    ects: float | None = Field(default=None, ge=0, le=60)
    hours: float | None = Field(default=None, ge=0, le=2000)


class Level(_Strict):
    eqf: int | None = Field(default=None, ge=1, le=8)
    seqf: int | None = Field(default=None, ge=1, le=8)


class CredentialOffering(_Strict):
    """A credential as an issuer offers it (catalogue entry): Annex I minus learner and date."""

    id: Text
    title: Text
    awarding_body: AwardingBody
    issuer_country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    issuer_region: Text | None = None
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")] = "sv"
    learning_outcomes: list[Outcome] = Field(min_length=1, max_length=100)
    workload: Workload
    level: Level | None = None
    assessment_type: Text
    participation_form: Literal["onsite", "online", "blended"]
    quality_assurance: Text
    url: Text | None = None


class Credential(CredentialOffering):
    """An issued micro-credential: an offering awarded to a learner on a date."""

    learner: Learner
    issued_on: date


_M = TypeVar("_M", bound=BaseModel)


def _describe(error: ValidationError, source: str) -> str:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "(document)"
    problem = first["msg"]
    if first["type"] == "extra_forbidden":
        problem = "unknown field (a credential holds only the Annex I elements)"
    more = f" (and {error.error_count() - 1} more problem(s))" if error.error_count() > 1 else ""
    return f"{source}: field {field!r}: {problem}{more}"


def _validate(model: type[_M], data: Any, source: str) -> _M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        raise CredentialError(_describe(exc, source), field=field) from None


def parse_credential(data: Any, *, source: str = "credential") -> Credential:
    """Validate a credential document (already parsed JSON)."""
    return _validate(Credential, data, source)


def parse_offering(data: Any, *, source: str = "offering") -> CredentialOffering:
    """Validate a catalogue entry."""
    return _validate(CredentialOffering, data, source)


def read_json(path: Path | str) -> Any:
    """Read a JSON file, turning every way it can fail into a CredentialError."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CredentialError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise CredentialError(f"{path}: not UTF-8 text; save the file as UTF-8 JSON") from None
    except json.JSONDecodeError as exc:
        raise CredentialError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except OSError as exc:
        raise CredentialError(f"{path}: cannot be read ({exc.strerror})") from None


def load_credential(path: Path | str) -> Credential:
    """Read and validate a credential JSON file."""
    return parse_credential(read_json(path), source=str(path))
