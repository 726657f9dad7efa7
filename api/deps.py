"""Dependencies: the engine, the store, the candidate pool and the caller's API key.

The key comes as ``Authorization: Bearer KEY`` or ``X-API-Key: KEY``. Only its hash is looked
up. A route states the roles it admits with ``Depends(require(...))``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.bulkhead import MappingPool, Quotas
from api.errors import Forbidden, Unauthorized
from api.pool import CandidatePool
from api.settings import ServiceSettings
from api.store import Store
from matcher.engine import Engine

T = TypeVar("T")
_bearer = HTTPBearer(auto_error=False, description="API key as a bearer token")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key")


# The dependencies are ``async``: FastAPI runs a plain ``def`` dependency in the thread pool,
# one hop per dependency and request; only the key lookup does blocking work, and it takes
# one hop of its own.
async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def get_pool(request: Request) -> CandidatePool:
    pool: CandidatePool = request.app.state.pool
    return pool


async def get_settings(request: Request) -> ServiceSettings:
    settings: ServiceSettings = request.app.state.settings
    return settings


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[ServiceSettings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
PoolDep = Annotated[CandidatePool, Depends(get_pool)]


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id, role and owner."""

    key_id: int
    role: str
    owner: str
    name: str


async def get_principal(
    request: Request,
    store: StoreDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    header: Annotated[str | None, Security(_header)],
) -> Principal:
    secret = header or (bearer.credentials if bearer else None)
    if not secret:
        raise Unauthorized("an API key is required: send it as 'Authorization: Bearer KEY' "
                           "or 'X-API-Key: KEY' (create one with `matcher keys create`)")
    # The key is read from the database on every request (revocation is immediate on every
    # process), in a worker thread: a slow database never stalls the event loop.
    key = await anyio.to_thread.run_sync(store.find_key, secret.strip())
    if key is None:
        raise Unauthorized("the API key is not valid or has been revoked")
    quotas: Quotas = request.app.state.quotas
    quotas.request(key.id)  # 429 when over the key's request quota
    return Principal(key.id, key.role, key.owner, key.name)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


@dataclass(frozen=True)
class Mapping:
    """Runs mapping work for the caller: its characters are counted against the key's
    mapping quota (429 over it), and the work runs in the mapping pool, not in a request
    thread (:mod:`api.bulkhead`)."""

    quotas: Quotas
    pool: MappingPool
    key_id: int

    async def __call__(self, chars: int, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        self.quotas.mapping_chars(self.key_id, chars)
        return await self.pool.run(fn, *args, **kwargs)


async def get_mapping(request: Request, principal: PrincipalDep) -> Mapping:
    return Mapping(request.app.state.quotas, request.app.state.mapping_pool, principal.key_id)


MappingDep = Annotated[Mapping, Depends(get_mapping)]

ROLE_NAMES = {"issuer": "issuers", "employer": "employers", "job_seeker": "job seekers",
              "platform": "platforms", "admin": "administrators"}


def require(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency admitting only keys with one of ``roles``."""

    async def check(principal: PrincipalDep) -> Principal:
        if principal.role not in roles:
            allowed = ", ".join(ROLE_NAMES[r] for r in roles)
            raise Forbidden(f"this route is for {allowed}; your key's role is "
                            f"{principal.role!r}")
        return principal

    return check


Issuer = Annotated[Principal, Depends(require("issuer"))]
Employer = Annotated[Principal, Depends(require("employer"))]
JobSeeker = Annotated[Principal, Depends(require("job_seeker"))]
Platform = Annotated[Principal, Depends(require("platform"))]
Admin = Annotated[Principal, Depends(require("admin"))]
AnyRole = PrincipalDep
