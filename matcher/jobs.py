"""Job ads (JobTech JobSearch JSON shape), their stored requirement profiles, and the
issuers' catalogue of credential offerings.

A job ad file is a JSON list of ads, JSON lines (one ad per line), or a JobSearch response
object (``{"hits": [ad, …]}``). Each ad has the JobSearch fields::

    {"id": "…", "headline": "…", "description": {"text": "…"},
     "occupation": {"label": "…", "concept_id": "…"}, "employer": {"name": "…"},
     "workplace_address": {"municipality": "…", "region": "…"},
     "publication_date": "2026-10-14T08:00:00"}

``id``, ``headline`` and ``description.text`` are required; other JobSearch fields are allowed
and ignored. A bad ad is reported with its line (JSON lines) or index (JSON list) and skipped.

Reads: ad files; ``matcher/demo_data/ads.jsonl`` and ``catalogue.json`` (package data).
Writes (under ``MATCHER_HOME``): ``ads/ads.json`` — imported ads with their derived requirement
profiles, replaced atomically — and ``cache/*.json`` — the demo ads' profiles and the mapped
catalogue, keyed by taxonomy hash, model and the data's own hash, so nothing is remapped when
nothing changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from matcher.credentials import CredentialOffering, parse_offering
from matcher.errors import InvalidInputError
from matcher.profiles import RequirementProfile
from matcher.text import has_lone_surrogate

FORMAT_VERSION = 1
MAX_AD_CHARS = 20_000
# Field lengths (the service's columns hold exactly these): an ad over one is skipped.
MAX_ID_CHARS = 300
MAX_HEADLINE_CHARS = 2_000
MAX_FIELD_CHARS = 500  # occupation, employer, municipality, region, publication date


class AdError(ValueError):
    """What is wrong with one ad, and in which field (``description.text``, ``id``, …)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class JobAd:
    """A job ad, reduced to what matching and display need."""

    id: str
    headline: str
    text: str
    occupation: str | None = None
    employer: str | None = None
    municipality: str | None = None
    region: str | None = None
    publication_date: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Back to the JobSearch shape."""
        out: dict[str, Any] = {"id": self.id, "headline": self.headline,
                               "description": {"text": self.text}}
        if self.occupation:
            out["occupation"] = {"label": self.occupation}
        if self.employer:
            out["employer"] = {"name": self.employer}
        if self.municipality or self.region:
            out["workplace_address"] = {k: v for k, v in (("municipality", self.municipality),
                                                          ("region", self.region)) if v}
        if self.publication_date:
            out["publication_date"] = self.publication_date
        return out

    def summary(self) -> dict[str, Any]:
        return {k: v for k, v in (("id", self.id), ("headline", self.headline),
                                  ("employer", self.employer),
                                  ("municipality", self.municipality),
                                  ("publication_date", self.publication_date)) if v}


def _text(value: Any, name: str, *, required: bool = False,
          limit: int = MAX_FIELD_CHARS) -> str | None:
    if value is None or value == "":
        if required:
            raise AdError(f"{name} is missing", name)
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and name == "id":
        value = str(value)
    if not isinstance(value, str):
        raise AdError(f"{name} must be text, not {type(value).__name__}", name)
    if has_lone_surrogate(value):
        raise AdError(f"{name} holds a lone UTF-16 surrogate (U+D800-U+DFFF), which is not "
                      "a character; send the text as valid Unicode", name)
    value = value.strip()
    if required and not value:
        raise AdError(f"{name} is empty", name)
    if len(value) > limit:
        raise AdError(f"{name} has {len(value):,} characters; at most {limit:,} are accepted",
                      name)
    return value or None


def _label(value: Any, key: str, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        return _text(value.get(key), f"{name}.{key}")
    raise AdError(f"{name} must be an object with {key!r}, not {type(value).__name__}", name)


def parse_ad(data: Any) -> JobAd:
    """One ad in the JobSearch shape. Raises :class:`AdError` (a ValueError) saying what is
    wrong and in which field: a missing or empty required field, a value that is not text or
    over its length (``MAX_*_CHARS``), a lone surrogate."""
    if not isinstance(data, dict):
        raise AdError(f"an ad must be a JSON object, not {type(data).__name__}")
    description = data.get("description")
    if isinstance(description, dict):
        text = _text(description.get("text"), "description.text", required=True,
                     limit=MAX_AD_CHARS)
    elif isinstance(description, str):
        text = _text(description, "description", required=True, limit=MAX_AD_CHARS)
    else:
        raise AdError("description.text is missing (the ad's text)", "description.text")
    assert text is not None
    address = data.get("workplace_address")
    if address is not None and not isinstance(address, dict):
        raise AdError("workplace_address must be an object with municipality and region",
                      "workplace_address")
    address = address or {}
    published = data.get("publication_date")
    return JobAd(
        id=_text(data.get("id"), "id", required=True, limit=MAX_ID_CHARS) or "",
        headline=_text(data.get("headline"), "headline", required=True,
                       limit=MAX_HEADLINE_CHARS) or "",
        text=text,
        occupation=_label(data.get("occupation"), "label", "occupation"),
        employer=_label(data.get("employer"), "name", "employer"),
        municipality=_text(address.get("municipality"), "workplace_address.municipality"),
        region=_text(address.get("region"), "workplace_address.region"),
        publication_date=_text(published, "publication_date"),
    )


@dataclass(frozen=True)
class AdProblem:
    """An ad that could not be imported: where it is in the file and what was wrong."""

    where: str
    error: str

    def to_dict(self) -> dict[str, str]:
        return {"where": self.where, "error": self.error}


def _records(path: Path) -> Iterator[tuple[str, Any, str | None]]:
    """(where, parsed JSON or None, error) for every ad in the file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInputError(f"{path}: no such file", field="file") from None
    except OSError as exc:
        raise InvalidInputError(f"{path}: cannot be read ({exc.strerror})", field="file") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInputError(f"{path}: not UTF-8 text; save the ads as UTF-8 JSON",
                                field="file") from None
    stripped = text.lstrip()
    if not stripped:
        raise InvalidInputError(f"{path}: the file is empty; expected a JSON list of ads or "
                                "one ad per line (JSON lines)", field="file")
    if stripped[0] in "[{":
        try:
            whole = json.loads(text)
        except json.JSONDecodeError as exc:
            whole = None
            if stripped[0] == "[":
                raise InvalidInputError(
                    f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                    "expected a JSON list of ads or one ad per line (JSON lines)",
                    field="file") from None
        if isinstance(whole, dict) and isinstance(whole.get("hits"), list):
            whole = whole["hits"]  # a JobSearch response
        if isinstance(whole, list):
            for number, item in enumerate(whole):
                yield f"index {number}", item, None
            return
        if isinstance(whole, dict):
            yield "line 1", whole, None
            return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield f"line {number}", json.loads(line), None
        except json.JSONDecodeError as exc:
            yield f"line {number}", None, f"not valid JSON (column {exc.colno}: {exc.msg})"


def read_ads(path: Path | str) -> tuple[list[JobAd], list[AdProblem]]:
    """Read an ad file; bad ads are returned as problems, the good ones are kept.

    Raises:
        InvalidInputError: the file is missing, unreadable, empty or a broken JSON list.
    """
    path = Path(path)
    ads: list[JobAd] = []
    problems: list[AdProblem] = []
    seen: dict[str, str] = {}
    for where, data, error in _records(path):
        if error is not None:
            problems.append(AdProblem(where, error))
            continue
        try:
            ad = parse_ad(data)
        except ValueError as exc:
            problems.append(AdProblem(where, str(exc)))
            continue
        if ad.id in seen:
            problems.append(AdProblem(where, f"id {ad.id!r} repeats the ad at {seen[ad.id]}; "
                                             "the later one is skipped"))
            continue
        seen[ad.id] = where
        ads.append(ad)
    return ads, problems


def read_usable_ads(path: Path | str, *, then: str = ""
                    ) -> tuple[list[JobAd], list[AdProblem]]:
    """:func:`read_ads`, when at least one ad of the file can be used (``then``: what the
    error adds, such as "; nothing was imported").

    Raises:
        InvalidInputError: as :func:`read_ads`, or no ad of the file can be used (the first
            problem is named, with how many more there are).
    """
    ads, problems = read_ads(path)
    if not ads:
        more = f"; and {len(problems) - 1} more problem(s)" if len(problems) > 1 else ""
        detail = f" ({problems[0].where}: {problems[0].error}{more})" if problems else ""
        raise InvalidInputError(f"{path}: no usable job ad{detail}{then}", field="file")
    return ads, problems


def demo_ads() -> list[JobAd]:
    """The demo ads shipped with the package (Swedish, Skåne; written for the project)."""
    path = resources.files("matcher").joinpath("demo_data/ads.jsonl")
    ads = [parse_ad(json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines()
           if line.strip()]
    return ads


def demo_ads_hash() -> str:
    path = resources.files("matcher").joinpath("demo_data/ads.jsonl")
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


# -- stored ads --------------------------------------------------------------------------------
@dataclass(frozen=True)
class StoredAd:
    """An ad with its derived requirement profile."""

    ad: JobAd
    requirement: RequirementProfile


def _atomic_write_json(path: Path, payload: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


class AdStore:
    """Imported ads and their requirement profiles in ``MATCHER_HOME/ads/ads.json``."""

    def __init__(self, home: Path) -> None:
        self.path = home / "ads" / "ads.json"

    def exists(self) -> bool:
        return self.path.exists()

    def load(self) -> tuple[list[StoredAd], dict[str, Any]]:
        """Stored ads and the store's meta data (taxonomy hash, model); empty when none."""
        if not self.path.exists():
            return [], {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            stored = [StoredAd(parse_ad(item["ad"]),
                               RequirementProfile.from_dict(item["requirement"]))
                      for item in data["ads"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InvalidInputError(
                f"{self.path}: the stored ads cannot be read ({exc}); import them again with "
                "'matcher ads import FILE' after removing the file", field="ads") from None
        return stored, {k: v for k, v in data.items() if k != "ads"}

    def save(self, ads: Sequence[StoredAd], *, taxonomy_hash: str, model_id: str,
             mapper_key: str = "") -> None:
        payload = {
            "format": FORMAT_VERSION,
            "taxonomy_hash": taxonomy_hash,
            "model_id": model_id,
            "mapper_key": mapper_key,
            "ads": [{"ad": s.ad.to_dict(), "requirement": s.requirement.to_dict(exact=True)}
                    for s in ads],
        }
        _atomic_write_json(self.path, payload)


@dataclass(frozen=True)
class ImportReport:
    """What ``matcher ads import`` did."""

    imported: tuple[str, ...]
    replaced: tuple[str, ...]
    problems: tuple[AdProblem, ...]
    stored: int
    path: str

    def to_dict(self) -> dict[str, Any]:
        return {"imported": len(self.imported), "replaced": len(self.replaced),
                "failed": len(self.problems), "stored_total": self.stored, "path": self.path,
                "problems": [p.to_dict() for p in self.problems],
                "ids": list(self.imported)}


# -- the catalogue of credential offerings -------------------------------------------------------
@dataclass(frozen=True)
class CatalogueSkill:
    """A skill a catalogue offering teaches, with the text (title or outcome) it was found in.

    ``factor`` is the link's weight under the engine's :class:`~matcher.profiles.LinkPolicy`.
    """

    uri: str
    factor: float
    outcome: str


@dataclass(frozen=True)
class CatalogueEntry:
    """A credential offering with its mapped outcomes."""

    offering: CredentialOffering
    skills: tuple[CatalogueSkill, ...]

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.offering.id, "title": self.offering.title,
                               "issuer": self.offering.awarding_body.name}
        if self.offering.workload.hours:
            out["hours"] = self.offering.workload.hours
        if self.offering.url:
            out["url"] = self.offering.url
        return out


def read_catalogue(data: Any, *, source: str = "catalogue") -> list[CredentialOffering]:
    """Validate a catalogue: a JSON list of credential offerings."""
    if not isinstance(data, list):
        raise InvalidInputError(f"{source}: expected a JSON list of credential offerings",
                                field="catalogue")
    return [parse_offering(item, source=f"{source}, entry {i}") for i, item in enumerate(data)]


def demo_catalogue_text() -> str:
    return resources.files("matcher").joinpath("demo_data/catalogue.json").read_text(
        encoding="utf-8")


def read_cache(path: Path) -> Any | None:
    """A cached JSON document, or None when missing or unreadable (it is then rebuilt)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


write_cache = _atomic_write_json
