"""Errors of the service and the handlers that turn every failure into one JSON shape.

Every 4xx body is ``{"error": CODE, "message": "...", "field": FIELD_OR_NULL}``: library
errors (:class:`matcher.errors.MatcherError`) in one handler, request validation in another,
HTTP errors (401, 403, 404, 405, 413) in a third. A database constraint that refuses a write
(two requests racing to create what may exist once) is a 409 naming the conflict. Anything
unexpected is logged and answered with a 500 in the same shape, without internals.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from matcher.errors import (
    CredentialError,
    IndexMismatchError,
    InvalidInputError,
    MatcherError,
    TaxonomyNotFoundError,
    UnknownConceptError,
)

logger = logging.getLogger(__name__)


class ServiceError(MatcherError):
    """An error of the service layer with its HTTP status."""

    code = "service_error"
    status = 400


class Unauthorized(ServiceError):
    code, status = "unauthorized", 401


class Forbidden(ServiceError):
    code, status = "forbidden", 403


class NotFound(ServiceError):
    code, status = "not_found", 404


class Conflict(ServiceError):
    code, status = "conflict", 409


class Gone(ServiceError):
    code, status = "gone", 410


class PayloadTooLarge(ServiceError):
    code, status = "payload_too_large", 413


class TooManyRequests(ServiceError):
    """Over a per-key quota or the mapping pool's queue; ``retry_after`` in seconds."""

    code, status = "too_many_requests", 429

    def __init__(self, message: str, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = max(1, int(retry_after))


# The unique constraints (and the columns SQLite names instead) a racing write can break:
# what the conflict means to the caller, and the request field it concerns.
CONFLICTS: tuple[tuple[tuple[str, ...], str, str | None], ...] = (
    (("candidates_owner_key", "candidates.owner", "uq_candidates_owner"),
     "you already have a candidate profile; change it with PATCH /v1/me/candidate", None),
    (("uq_declared_skill", "declared_skills.candidate_id"),
     "you have already declared this skill", "uri"),
    (("uq_held_credentials_credential", "held_credentials.credential_id"),
     "this credential has already been claimed", "claim_code"),
    (("uq_credentials_owner_ext", "credentials.owner"),
     "you already published a credential with this id", "document.id"),
    (("uq_job_ads_owner_ext", "job_ads.owner"),
     "an ad with this id was imported at the same time; import it again", "ads"),
    (("api_keys_key_hash_key", "api_keys.key_hash"), "a key with this secret exists", None),
)


_STATUS_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 406: "not_acceptable", 409: "conflict",
    413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid_request",
    429: "too_many_requests",
}


def status_of(error: MatcherError) -> int:
    if isinstance(error, ServiceError):
        return error.status
    if isinstance(error, UnknownConceptError | CredentialError | InvalidInputError):
        return 422
    if isinstance(error, TaxonomyNotFoundError | IndexMismatchError):
        return 503
    return 400


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": code, "message": message, "field": field}


def error_response(status: int, code: str, message: str, field: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, field), status_code=status, headers=headers)


def _location(loc: tuple[Any, ...] | list[Any]) -> str | None:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:] if len(parts) > 1 else parts
    return ".".join(parts) or None


async def _matcher_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MatcherError)
    status = status_of(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, TooManyRequests):
        headers = {"Retry-After": str(exc.retry_after)}
    return error_response(status, exc.code, exc.message, exc.field, headers)


def conflict_of(exc: IntegrityError) -> tuple[str, str | None]:
    """The message and field of a constraint violation (PostgreSQL names the constraint,
    SQLite the columns)."""
    diag = getattr(getattr(exc, "orig", None), "diag", None)
    text = " ".join(str(x) for x in (getattr(diag, "constraint_name", None) or "",
                                     getattr(exc, "orig", None) or exc))
    for names, message, field in CONFLICTS:
        if any(name in text for name in names):
            return message, field
    if "FOREIGN KEY" in text.upper():
        return ("what this request refers to was deleted by another request at the same "
                "time; reload and try again"), None
    return ("the request conflicts with data written by another request at the same time; "
            "reload and try again"), None


async def _integrity_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, IntegrityError)
    message, field = conflict_of(exc)
    logger.info("write refused by a database constraint: %s", message)
    return error_response(409, "conflict", message, field)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if not errors:
        return error_response(422, "invalid_request", "the request is not valid")
    first = errors[0]
    field = _location(first.get("loc", ()))
    problem = str(first.get("msg", "invalid value"))
    if first.get("type") == "json_invalid":
        message = f"the body is not valid JSON ({first.get('ctx', {}).get('error', problem)})"
        field = None
    elif first.get("type") == "missing":
        message = f"field {field!r} is required"
    else:
        message = f"field {field!r}: {problem}" if field else problem
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem(s))"
    return error_response(422, "invalid_request", message, field)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, "http_error")
    message = str(exc.detail)
    if exc.status_code == 404 and message == "Not Found":
        message = "no such route; see /docs for the routes of this API"
    elif exc.status_code == 405:
        message = "this method is not allowed on this route; see /docs"
    return error_response(exc.status_code, code, message, None, dict(exc.headers or {}))


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unexpected error", exc_info=exc)
    return error_response(500, "internal_error",
                          "an unexpected error occurred; it has been logged")


async def _stale(_request: Request, exc: Exception) -> JSONResponse:
    """A row this request read was changed or deleted by another before it wrote (e.g. a
    profile updated while another request deleted it)."""
    logger.info("write found its row gone: %s", exc)
    return error_response(409, "conflict", "what this request changes was changed or "
                          "deleted by another request at the same time; reload and try again")


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(MatcherError, _matcher_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(StaleDataError, _stale)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
