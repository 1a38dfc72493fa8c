"""The FastAPI application: ``create_app(settings)`` builds one; nothing at import time.

Assembly only: the routes are in :mod:`api.routers`, one router per feature. The
lifespan opens the runtime (:func:`graph.runtime.open_runtime`: the driver, the store,
the normaliser, the schema migrations) and the periodic clustering, and closes them;
each request gets what it needs through :mod:`api.deps`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from neo4j.exceptions import Neo4jError, ServiceUnavailable

from api.auth import api_keys
from api.errors import install_error_handlers
from api.limits import BodyLimit
from api.routers import ROUTERS
from api.ui import mount_ui
from graph.access.keys import KeyTable
from graph.errors import DatabaseUnavailable
from graph.identity.resolve import IdentityResolver
from graph.influence.ranking import RankingCache
from graph.model.identifiers import Normaliser
from graph.runtime import open_runtime, periodic_clustering
from graph.settings import Settings, get_settings
from graph.store.gateway import GraphStore

__all__ = ["create_app", "create_worker_app", "package_version"]

log = logging.getLogger("idgraph.api")


def package_version() -> str:
    """idgraph's version, from the installed package's metadata (``pyproject.toml`` is
    the one place it is written)."""
    try:
        return version("idgraph")
    except PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"


def _announce_auth(keys: KeyTable | None) -> None:
    if keys is None:
        log.warning(
            "AUTHENTICATION IS OFF: no API key is configured, so every caller is admin. "
            "Fine on 127.0.0.1 for a demo; anywhere else set IDGRAPH_API_KEYS or "
            "IDGRAPH_API_KEYS_FILE (python -m graph.access.keys ROLE makes a key)."
        )
    else:
        log.info("API keys: %d configured", len(keys))


_WARM_UP_IDENTIFIER = ("email", "warm-up@idgraph.invalid")
"""Resolved once at start-up: an address no one has (the .invalid domain is reserved)."""


def _warm_up(repo: GraphStore, normaliser: Normaliser) -> None:
    """Resolve once before serving, so that the first caller does not wait for the
    server to plan the resolve statement (about a second on a fresh server)."""
    try:
        IdentityResolver(repo, normaliser).resolve([_WARM_UP_IDENTIFIER])
    except (DatabaseUnavailable, Neo4jError, ServiceUnavailable) as e:
        # The API starts anyway; the first caller pays for the planning.
        log.warning("resolve warm-up failed (%s); serving without it", type(e).__name__)


def create_app(
    settings: Settings | None = None, *, migrate: bool = True, cluster_job: bool = True
) -> FastAPI:
    """Build the API for ``settings`` (default: from the environment).

    Args:
        migrate: apply the schema migrations at start-up.
        cluster_job: run the periodic incremental clustering (every
            ``cluster_interval`` seconds; never when it is 0).

    Raises:
        ConfigurationError: the API keys are misconfigured (the message names the
            variable or line, never a key).
    """
    settings = settings or get_settings()
    keys = api_keys(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stack = ExitStack()  # the runtime, then the clustering job: closed in reverse
        try:
            runtime = await run_in_threadpool(
                stack.enter_context, open_runtime(settings, migrate=migrate)
            )
            app.state.settings = runtime.settings
            app.state.repo = runtime.store
            app.state.normaliser = runtime.normaliser
            # Chosen once (no request asks for the GDS version), shared with the job.
            app.state.algorithms = await run_in_threadpool(lambda: runtime.algorithms)
            app.state.rankings = RankingCache()
            await run_in_threadpool(_warm_up, runtime.store, runtime.normaliser)
            app.state.cluster_job = (
                stack.enter_context(periodic_clustering(runtime)) if cluster_job else None
            )
            _announce_auth(keys)
            yield
        finally:
            await run_in_threadpool(stack.close)  # joins the job's thread: off the loop

    app = FastAPI(
        title="idgraph",
        version=package_version(),
        summary="Identity graph on Neo4j: who is this, and who influenced whom.",
        lifespan=lifespan,
    )
    app.state.keys = keys
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    for router in ROUTERS:
        app.include_router(router)
    mount_ui(app)  # the investigator web explorer at /ui (static files)
    return app


def create_worker_app() -> FastAPI:
    """The app of one worker of ``idgraph serve --workers N`` (a uvicorn factory).

    The settings come from the environment the worker inherits, unchanged; the
    supervising process has applied the migrations and runs the one periodic
    clustering for all workers, so the worker does neither.
    """
    return create_app(get_settings(), migrate=False, cluster_job=False)
