"""The FastAPI application: ``create_app(settings)`` builds one; nothing at import time.

The driver opens in the lifespan (which also applies schema migrations) and
closes there; each request gets the app's repository through a dependency.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from neo4j.exceptions import Neo4jError, ServiceUnavailable

from api import cypher_routes, explore, influence, rings
from api.auth import AUTH_RESPONSES, AdminDep, AnalystDep, ResolverDep, require_role
from api.common import ERROR_RESPONSES, IDENTITY_RESPONSES, IdentityIdPath, moved
from api.deps import NormaliserDep, RepoDep, SettingsDep
from api.errors import install_error_handlers
from api.limits import BodyLimit
from api.schemas import (
    ClusteringStatus,
    EventResult,
    EventsRequest,
    EventsResponse,
    HealthResponse,
    IdentityProfileResponse,
    ResolveRequest,
    ResolveResponse,
)
from api.ui import mount_ui
from graph.access.keys import KeyTable, Role, load_keys
from graph.errors import DatabaseUnavailable
from graph.identity.profiles import MergedIdentity, RetiredIdentity, identity_profile
from graph.identity.resolve import IdentityResolver, ResolveContext
from graph.identity.scheduler import ClusterJob
from graph.ingest.pipeline import Ingestor, RawRecord
from graph.model.identifiers import Normaliser
from graph.settings import Settings, get_settings
from graph.store import admin
from graph.store.gateway import GraphStore
from graph.store.repository import Neo4jStore, connect

__all__ = ["create_app"]

log = logging.getLogger("idgraph.api")


def _keys(settings: Settings) -> KeyTable | None:
    """The configured API keys, hashed (None: none configured, authentication off)."""
    env_keys = settings.api_keys.get_secret_value() if settings.api_keys is not None else None
    return load_keys(env_keys, settings.api_keys_file)


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


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the API for ``settings`` (default: from the environment).

    Raises:
        ConfigurationError: the API keys are misconfigured (the message names the
            variable or line, never a key).
    """
    settings = settings or get_settings()
    keys = _keys(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        driver = await run_in_threadpool(connect, settings)
        repo = Neo4jStore(driver, settings.neo4j_database)
        applied = await run_in_threadpool(admin.migrate, repo)
        log.info("schema migrations applied: %s", ", ".join(applied))
        app.state.settings = settings
        app.state.repo = repo
        app.state.normaliser = settings.normaliser()
        await run_in_threadpool(_warm_up, repo, app.state.normaliser)
        job = None
        if settings.cluster_interval > 0:
            job = ClusterJob(repo, settings.cluster_interval, settings.cluster_backend)
            job.start()
        app.state.cluster_job = job
        _announce_auth(keys)
        try:
            yield
        finally:
            if job is not None:
                await run_in_threadpool(job.stop)
            driver.close()

    app = FastAPI(
        title="idgraph",
        version="0.1.0",
        summary="Identity graph on Neo4j: who is this, and who influenced whom.",
        lifespan=lifespan,
    )
    app.state.keys = keys
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    # Influence reads the whole referral graph, the Cypher endpoint any of it (read
    # only): analysts and above.
    for router in (influence.router, cypher_routes.router):
        app.include_router(
            router,
            dependencies=[Depends(require_role(Role.ANALYST))],
            responses=AUTH_RESPONSES,
        )
    app.include_router(explore.router)  # graph exploration: investigators and above
    app.include_router(rings.router)  # fraud rings: investigators and above

    @app.get("/healthz", response_model=HealthResponse, tags=["operations"])
    def healthz(repo: RepoDep) -> HealthResponse | JSONResponse:
        """Whether Neo4j answers (503 if not), its version and the GDS plugin's."""
        try:
            server = admin.ping(repo)
            gds = admin.gds_version(repo)
        except (ServiceUnavailable, Neo4jError, DatabaseUnavailable, OSError) as e:
            body = HealthResponse(status="unavailable", detail=type(e).__name__)
            return JSONResponse(status_code=503, content=body.model_dump())
        job = app.state.cluster_job
        clustering = None
        if job is not None:
            clustering = ClusteringStatus.model_validate(job.status(), from_attributes=True)
        return HealthResponse(
            status="ok", neo4j=str(server.get("version")), gds=gds, clustering=clustering
        )

    @app.post(
        "/v1/resolve",
        response_model=ResolveResponse,
        responses={**ERROR_RESPONSES, **AUTH_RESPONSES},
        tags=["resolution"],
    )
    async def resolve(
        body: ResolveRequest, repo: RepoDep, normaliser: NormaliserDep, caller: ResolverDep
    ) -> ResolveResponse:
        """Who is this? The identity behind one or more identifiers (raw formats welcome).

        Unknown identifiers are not an error: the answer says ``status: unknown``.
        Invalid ones are listed in ``invalid`` with the reason, and the rest resolve.
        Role ``resolver`` and above; identifier values are masked for ``resolver``
        (``j***@example.fr``), in clear from ``analyst`` up.
        """
        ctx = body.context
        context = ResolveContext(
            channel=ctx.channel if ctx else None,
            timestamp=ctx.timestamp if ctx else None,
            intent=ctx.intent if ctx else None,
        )
        items = [(i.type, i.value) for i in body.identifiers]

        def answer() -> ResolveResponse:
            result = IdentityResolver(repo, normaliser).resolve(items, context, show=caller.show)
            return ResolveResponse.model_validate(result, from_attributes=True)

        # The hot path: async, with its dependencies, so that the blocking driver work is
        # the request's one trip to the thread pool (each trip costs a thread hand-off).
        return await run_in_threadpool(answer)

    @app.post(
        "/v1/events",
        response_model=EventsResponse,
        responses={**ERROR_RESPONSES, **AUTH_RESPONSES},
        tags=["ingest"],
    )
    def post_events(
        body: EventsRequest,
        repo: RepoDep,
        normaliser: NormaliserDep,
        settings: SettingsDep,
        _caller: AdminDep,
    ) -> EventsResponse:
        """Ingest a batch of events; each gets its own result (accepted, duplicate, rejected).

        The same code path as ``idgraph ingest``; ``summary`` keeps
        ``accepted + duplicates + rejected == lines_read``. Role ``admin``.
        """
        records = [RawRecord(n, "", e) for n, e in enumerate(body.events)]
        summary, outcomes = Ingestor(repo, normaliser, settings.batch_size).ingest(records)
        results = [
            EventResult(
                index=o.line,
                status=o.status,
                event_id=o.event_id,
                reason=o.reason or None,
                location=o.location or None,
                issues=list(o.issues),
            )
            for o in outcomes
        ]
        return EventsResponse(summary=summary.as_dict(), results=results)

    @app.get(
        "/v1/identities/{identity_id}",
        response_model=IdentityProfileResponse,
        responses={**IDENTITY_RESPONSES, **AUTH_RESPONSES},
        tags=["identities"],
    )
    def get_identity(
        identity_id: IdentityIdPath, request: Request, repo: RepoDep, caller: AnalystDep
    ) -> IdentityProfileResponse | JSONResponse:
        """The profile of an identity: identifiers, shared identifiers, habits, history.

        A merged id answers ``308 Permanent Redirect`` to the identity it lives on as
        (chains of merges followed to their end), a retired one ``410 Gone``.
        Role ``analyst`` and above, who see identifier values in clear.
        """
        found = identity_profile(repo, identity_id, show=caller.show)
        if isinstance(found, MergedIdentity | RetiredIdentity):
            return moved(found, request)
        return IdentityProfileResponse.model_validate(asdict(found))

    mount_ui(app)  # the investigator web explorer at /ui (static files)
    return app
