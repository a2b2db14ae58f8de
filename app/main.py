"""The ASGI application: `app.main:app`."""

import gc
import logging
import threading
from contextlib import asynccontextmanager
from functools import partial

from anyio import to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from app.adoptions.router import router as adoptions_router
from app.analytics.clusters.router import router as clusters_router
from app.analytics.flags.router import router as flags_router
from app.analytics.indexer import state as indexer_state
from app.analytics.kpis.router import router as kpis_router
from app.analytics.overlaps.router import router as overlaps_router
from app.analytics.scaling.router import router as scaling_router
from app.assembly import assemble
from app.auth.throttle import FailureThrottle
from app.catalogue.router import router as catalogue_router
from app.changes.log.router import router as log_router
from app.changes.router import router as changes_router
from app.core.db import build_engine
from app.core.middleware import RequestBodyGuard, SecurityHeaders
from app.core.problems import install_problem_handlers, on_error
from app.core.read_cache import ReadCache, ReadCacheMiddleware, VersionedMemo
from app.core.settings import Settings, get_settings
from app.imports.router import router as imports_router
from app.initiatives.router import organisation_router as organisation_initiatives_router
from app.initiatives.router import router as initiatives_router
from app.language.router import router as concepts_router
from app.language.warm_up import warm_up_language
from app.meta.router import router as meta_router
from app.organisations.router import router as organisations_router
from app.sources.router import router as sources_router
from app.web.acts import router as web_acts_router
from app.web.compare import router as web_compare_router
from app.web.map import router as web_map_router
from app.web.portfolio import router as web_portfolio_router
from app.web.router import STATIC_DIR
from app.web.router import router as web_router
from app.web.templating import SignInRequired, redirect_to_sign_in
from app.web.templating import error_page as web_error_page
from app.webhooks.router import router as webhooks_router
from importers.jobs import ImportJobs
from importers.router import router as import_start_router

GC_THRESHOLDS = (20_000, 20, 20)  # Python's defaults: (700, 10, 10)
IMPORT_STOP_SECONDS = 10.0  # for running imports to record how far they got when the worker stops
API_DESCRIPTION = """
**[← Tillbaka till registret](/)** · [Om registret och API:t](/om)

Det här är API:t till Registret för offentlig digitalisering: kommuners, regioners och
kommunalförbunds digitaliseringsinitiativ, öppna för alla (CC0 1.0). Allt som sidorna visar går
att hämta här. Att läsa kräver ingen nyckel. Prova ett anrop: öppna `GET /api/v1/initiatives`,
välj *Try it out* och *Execute*. Vill du ha allt på en gång, ladda ned listan som JSON Lines
från [/initiativ](/initiativ), eller följ ändringsflödet `GET /api/v1/changes`. Att skriva kräver
organisationens nyckel (`Authorization: Bearer <nyckel>`), som registrets administratör delar ut.

The shared, public registry of Swedish municipalities', regions' and federations' digitalisation
initiatives. Reads are public. Writes need `Authorization: Bearer <key>`: an organisation's key
writes that organisation's initiatives, the admin key writes everything. Errors are RFC 9457
`application/problem+json`; `/problems` lists every type.
"""


def settle_garbage_collector() -> None:
    """Keep the collector's full passes short and rare once a worker has warmed up.

    A full pass walks every object the worker holds, the vocabulary and the word caches among
    them (and, when this was measured, the word lists as Python dicts, now tries): that stalled
    one request in a hundred by about 90 ms. Freezing moves what exists after warm-up out of the
    collector's sight, and a higher first threshold makes passes rarer;
    cycles are still collected. Only for a server's workers: a process that builds many apps
    (the tests) would keep every frozen one.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def warm_up(is_server_worker: bool) -> None:
    """Load the word lists and the vocabulary, then (in a server's worker) settle the collector."""
    warm_up_language()
    if is_server_worker:
        # After the vocabulary is loaded, or it stays in the collector's sight: frozen before
        # it, a full pass every few hundred requests stalled one by about 170 ms at 20,000
        # initiatives (bench/analytics.py's in-service reads, p99 13 ms once frozen after them).
        settle_garbage_collector()


def create_app(settings: Settings | None = None, *, is_server_worker: bool = False) -> FastAPI:
    settings = settings or get_settings()
    assemble()
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in ("app", "importers"):
        logging.getLogger(name).setLevel(settings.log_level.upper())

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        # The vocabulary takes seconds to load (every label is analysed): not before the worker
        # is ready, but before the first write or search is likely to need it.
        threading.Thread(target=warm_up, args=(is_server_worker,), name="language-warm-up", daemon=True).start()
        yield
        # After uvicorn has let in-flight requests finish: imports this worker runs stop at
        # their next batch and record it, instead of staying `running`.
        await to_thread.run_sync(app.state.import_jobs.shut_down, IMPORT_STOP_SECONDS)
        app.state.engine.dispose()

    # FastAPIOffline serves Swagger UI and ReDoc from bundled files instead of a CDN.
    app = FastAPIOffline(
        title="Registret för offentlig digitalisering",
        version="1.0.0",
        description=API_DESCRIPTION,
        license_info={"name": "Data: CC0 1.0", "url": "https://creativecommons.org/publicdomain/zero/1.0/"},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = build_engine(settings.database_url)
    app.state.read_cache = ReadCache(settings.read_cache_bytes)
    app.state.shared_figures = VersionedMemo()
    app.state.import_jobs = ImportJobs()
    app.state.auth_throttle = FailureThrottle()
    app.state.data_version = partial(indexer_state.data_version_of, app.state.engine)
    install_problem_handlers(app, error_page=web_error_page)
    on_error(app, SignInRequired, redirect_to_sign_in)
    for router in (
        organisations_router,
        organisation_initiatives_router,
        initiatives_router,
        adoptions_router,
        sources_router,
        changes_router,
        webhooks_router,
        log_router,
        catalogue_router,
        overlaps_router,
        concepts_router,
        clusters_router,
        scaling_router,
        flags_router,
        kpis_router,
        imports_router,
        import_start_router,
        meta_router,
        web_router,
        web_acts_router,
        web_portfolio_router,
        web_compare_router,
        web_map_router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(ReadCacheMiddleware)
    app.add_middleware(RequestBodyGuard, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type", "If-Match"],
            expose_headers=["ETag", "Location"],
        )
    return app


def __getattr__(name: str) -> FastAPI:
    # `app.main:app` is built on first access, not at import, so tests and tools can import
    # this module without touching the configured database.
    if name == "app":
        globals()["app"] = create_app(is_server_worker=True)
        return globals()["app"]
    raise AttributeError(name)
