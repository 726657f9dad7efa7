"""The app factory: ``create_app(engine=None, settings=None)``.

The lifespan builds the engine once (taxonomy, embedder, skill index: loaded, never built per
request), runs the store's migrations, loads the consenting candidates into memory (then keeps
them current from the change log in a background thread, :mod:`api.pool`) and keeps all
three on ``app.state``. Tests pass a small engine, or override :func:`api.deps.get_engine`.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from api import ranking
from api.audit import AuditWriter
from api.bulkhead import MappingPool, Quotas
from api.errors import install_handlers
from api.headers import SecurityHeaders, install_docs
from api.limits import BodySizeLimit
from api.pool import CandidatePool
from api.routes import ads, candidates, credentials, employers, system, taxonomy, wallet
from api.search import LabelSearch
from api.settings import ServiceSettings
from api.store import Store
from matcher import __version__, spelling
from matcher.engine import Engine

logger = logging.getLogger(__name__)

STATIC = Path(str(resources.files("api").joinpath("static")))

DESCRIPTION = """
Links Swedish micro-credentials (*mikromeriter*) to ESCO skills and matches people to jobs.

Send your API key as `Authorization: Bearer KEY` or `X-API-Key: KEY`. Roles: **issuer**
(publish credentials, review their skill links), **job_seeker** (your own profile),
**employer** (requirement profiles, search consenting candidates), **platform** (import job
ads), **admin** (keys, audit log). Every error is `{"error", "message", "field"}`.
"""


def create_app(engine: Engine | None = None,
               settings: ServiceSettings | None = None) -> FastAPI:
    """Build the service.

    Args:
        engine: use this engine (tests); default: one built from ``settings`` at start-up.
        settings: where data lives, which model, the database URL (default: environment;
            with ``engine`` given, its home and model and the environment's service settings).
    """
    if settings is None:
        given = engine.settings if engine is not None else None
        settings = (given if isinstance(given, ServiceSettings)
                    else ServiceSettings(**given.model_dump()) if given is not None
                    else ServiceSettings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        started = time.perf_counter()
        # Requests run in a thread pool; the work is mostly CPU under one GIL, so more threads
        # than this only add switching (anyio's default is 40).
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        eng = engine or Engine(settings, show_progress=False)
        _ = eng.mapper  # load taxonomy, model and index now, not on the first request
        spelling.prepare()  # and the Swedish spelling vocabulary
        store = Store(settings.store_url)
        store.upgrade()
        pool = CandidatePool(store, eng.taxonomy, eng.link_policy, eng.partial_credit.space)
        pool.reload()  # the one full load; from here on, the change log's deltas
        ranking.prepare(eng, pool)
        pool.start()
        app.state.engine, app.state.store, app.state.pool = eng, store, pool
        app.state.label_search = LabelSearch(eng)
        app.state.audit = AuditWriter(store)
        # Everything loaded so far lives as long as the process: keep it out of the garbage
        # collector's full passes, which otherwise walk millions of taxonomy and profile
        # objects while searches wait.
        gc.freeze()
        logger.info("service ready in %.1fs (%r, %d findable candidates)",
                    time.perf_counter() - started, store, len(pool))
        try:
            yield
        finally:
            pool.stop()
            app.state.audit.close()
            store.dispose()

    app = FastAPI(title="Meritmatch", version=__version__, description=DESCRIPTION,
                  lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.quotas = Quotas(settings.rate_limit, settings.mapping_rate_limit,
                              settings.rate_limit_storage)
    app.state.mapping_pool = MappingPool(settings.mapping_threads, settings.mapping_queue)
    install_handlers(app)
    for module in (system, taxonomy, credentials, wallet, candidates, employers, ads):
        app.include_router(module.router)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes,
                       body_timeout=settings.body_timeout)
    app.add_middleware(SecurityHeaders)  # outermost: on every answer, refusals included
    install_docs(app)

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    @app.get("/index.html", include_in_schema=False)
    def page_alias() -> RedirectResponse:
        return RedirectResponse("/")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
