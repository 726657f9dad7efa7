"""Platforms: import job ads (JobTech JobSearch shape); each ad's requirement profile is
derived with the mapping engine and stored with it. A bad ad is reported and skipped; the
good ones are imported: each ad is checked before the database sees it (fields, lengths,
text), and each is written in a savepoint of its own, so one the database still refuses is
reported and rolled back alone."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from api.deps import EngineDep, MappingDep, Platform, StoreDep
from api.errors import NotFound
from api.routes.system import ERRORS, MAX_ID, QUOTA_ERRORS
from api.schemas import AdOut, AdsImport, AdsImportOut
from api.store.models import JobAdRow, utcnow
from matcher.errors import InvalidInputError, MatcherError
from matcher.jobs import AdError, parse_ad
from matcher.profiles import RequirementProfile

router = APIRouter(prefix="/v1/ads", tags=["platforms"])
LangParam = Annotated[str, Query(pattern="^(sv|en)$")]


class NoAdImported(InvalidInputError):
    """Every ad of an import was refused: nothing was stored, and the answer is a 422 that
    names the first refusal (the way ``matcher ads import`` exits 1), not a 200 that a
    platform could read as success."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        first = errors[0]
        more = (f"; {len(errors) - 1} more ad(s) refused as well" if len(errors) > 1 else "")
        super().__init__(f"no ad imported: {first['message']}{more}; fix the ads and send "
                         "them again (an ad needs an id, a headline and a description text)",
                         field=first.get("field"))


def ad_requirement(row: JobAdRow) -> RequirementProfile:
    return RequirementProfile.from_dict(
        {"id": str(row.id), "title": row.headline, "source": "ad",
         "requirements": row.requirements})


def _ad_out(row: JobAdRow, engine: Any, lang: str) -> dict[str, Any]:
    taxonomy = engine.taxonomy
    return {"id": row.id, "external_id": row.external_id, "headline": row.headline,
            "imported_at": row.imported_at,
            "requirements": [r | ({"label": taxonomy.skills[r["uri"]].label(lang)}
                                  if r["uri"] in taxonomy.skills else {})
                             for r in row.requirements]}


def _text_chars(ad: Any) -> int:
    """An ad's characters to map (its description), for the key's mapping quota."""
    description = ad.get("description") if isinstance(ad, dict) else None
    text = description.get("text") if isinstance(description, dict) else description
    return len(text) if isinstance(text, str) else 0


@router.post("", response_model=AdsImportOut, responses=ERRORS | QUOTA_ERRORS)
async def import_ads(body: AdsImport, platform: Platform, engine: EngineDep, store: StoreDep,
                     mapping: MappingDep, lang: LangParam = "sv") -> dict[str, Any]:
    """Import ads; an ad with an id you imported before replaces it. A bad ad (a required
    field missing, a field too long: id 300, headline 2,000, description.text 20,000, other
    fields 500 characters) is skipped and reported in ``errors`` with its index in ``ads``
    and the field; the others are imported. When every ad is refused, nothing is imported
    and the answer is a 422 naming the first refusal. The ads' texts are mapped in the mapping pool
    and count against the key's mapping quota."""
    parsed, errors = await mapping(sum(_text_chars(a) for a in body.ads), _parse_ads, engine,
                                   body.ads)
    return await anyio.to_thread.run_sync(_import, parsed, errors, platform.owner, engine,
                                          store, lang)


def _parse_ads(engine: Any, ads: list[Any]) -> tuple[list[Any], list[dict[str, Any]]]:
    """The valid ads with their requirement profiles, and an error for each other one."""
    errors: list[dict[str, Any]] = []
    parsed = []
    for i, data in enumerate(ads):
        try:
            ad = parse_ad(data)
            requirement = engine.requirement_from_ad(ad.text, title=ad.headline, id=ad.id,
                                                     occupation=ad.occupation)
        except AdError as exc:
            errors.append({"error": "invalid_ad", "message": f"ad #{i}: {exc}",
                           "field": f"ads.{i}" + (f".{exc.field}" if exc.field else "")})
            continue
        except MatcherError as exc:
            errors.append({"error": exc.code, "message": f"ad #{i}: {exc.message}",
                           "field": f"ads.{i}"})
            continue
        parsed.append((i, ad, requirement))
    return parsed, errors


def _import(parsed: list[Any], errors: list[dict[str, Any]], owner: str, engine: Any,
            store: Any, lang: str) -> dict[str, Any]:
    ids = []
    with store.session() as session:
        for i, ad, requirement in parsed:
            try:
                with session.begin_nested():
                    ids.append(_store_ad(session, owner, ad, requirement))
            except DBAPIError as exc:  # refused by the database although it passed the checks
                errors.append({"error": "invalid_ad", "field": f"ads.{i}",
                               "message": f"ad #{i}: the database refused it "
                                          f"({type(exc.orig).__name__}); it was skipped"})
    if not ids:
        raise NoAdImported(errors)
    with store.new_session() as session:
        rows = session.scalars(select(JobAdRow).where(JobAdRow.id.in_(ids)))
        imported = [_ad_out(r, engine, lang) for r in rows]
    return {"imported": imported, "errors": errors}


def _store_ad(session: Any, owner: str, ad: Any, requirement: RequirementProfile) -> int:
    row = session.scalar(select(JobAdRow).where(JobAdRow.owner == owner,
                                                JobAdRow.external_id == ad.id))
    if row is None:
        row = JobAdRow(owner=owner, external_id=ad.id)
        session.add(row)
    row.headline, row.document = ad.headline, ad.to_dict()
    row.requirements = requirement.to_dict()["requirements"]
    row.imported_at = utcnow()
    session.flush()
    return int(row.id)


@router.get("", response_model=list[AdOut], responses=ERRORS)
def list_ads(platform: Platform, engine: EngineDep, store: StoreDep, lang: LangParam = "sv",
             limit: Annotated[int, Query(ge=1, le=1000)] = 100,
             offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> list[dict[str, Any]]:
    """Your imported ads with their requirement profiles."""
    with store.new_session() as session:
        rows = session.scalars(select(JobAdRow).where(JobAdRow.owner == platform.owner)
                               .order_by(JobAdRow.id).limit(limit).offset(offset))
        return [_ad_out(r, engine, lang) for r in rows]


@router.delete("/{ad_id}", status_code=204,
               responses=ERRORS | {404: ERRORS[422] | {"description": "no such ad of yours"}})
def delete_ad(ad_id: Annotated[int, Path(ge=1, le=MAX_ID)], platform: Platform,
              store: StoreDep) -> Response:
    with store.session() as session:
        row = session.get(JobAdRow, ad_id)
        if row is None or row.owner != platform.owner:
            raise NotFound(f"no job ad {ad_id} among yours", field="ad_id")
        session.delete(row)
    return Response(status_code=204)
