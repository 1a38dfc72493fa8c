"""The FastAPI application: ``create_app(settings)`` builds one; nothing at import time.

The driver opens in the lifespan (which also applies schema migrations) and
closes there; each request gets the app's repository through a dependency.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import FastAPI, Path
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from neo4j.exceptions import Neo4jError, ServiceUnavailable

from api.deps import NormaliserDep, RepoDep, SettingsDep
from api.errors import install_error_handlers
from api.schemas import (
    ClusteringStatus,
    ErrorResponse,
    EventResult,
    EventsRequest,
    EventsResponse,
    HealthResponse,
    IdentityProfileResponse,
    MergedIdentityResponse,
    ResolveRequest,
    ResolveResponse,
    RetiredIdentityResponse,
)
from graph.errors import DatabaseUnavailable
from graph.ingest import Ingestor, RawRecord
from graph.profiles import IDENTITY_ID_PATTERN, MergedIdentity, RetiredIdentity, identity_profile
from graph.repository import GraphRepository, connect
from graph.resolve import IdentityResolver
from graph.scheduler import ClusterJob
from graph.settings import Settings, get_settings

__all__ = ["create_app"]

log = logging.getLogger("idgraph.api")

_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorResponse, "description": "invalid input (what and where)"},
    503: {"model": ErrorResponse, "description": "Neo4j is unavailable"},
}

_IDENTITY_RESPONSES: dict[int | str, dict[str, Any]] = {
    308: {
        "model": MergedIdentityResponse,
        "description": (
            "the id was merged into another identity: `Location` is the profile of the "
            "identity at the end of the chain of merges"
        ),
        "headers": {
            "Location": {
                "description": "`/v1/identities/{merged_into}`",
                "schema": {"type": "string"},
            }
        },
    },
    404: {"model": ErrorResponse, "description": "no identity has this id"},
    409: {
        "model": ErrorResponse,
        "description": "the id's merge history leads nowhere (inconsistent data)",
    },
    410: {
        "model": RetiredIdentityResponse,
        "description": "the identity is retired: all its identifiers became shared",
    },
    **_ERRORS,
}

IdentityIdPath = Annotated[
    str,
    Path(
        pattern=IDENTITY_ID_PATTERN,
        description="a public identity id: `id_` and 20 lowercase hexadecimal characters",
        examples=["id_0123456789abcdef0123"],
    ),
]


def _identity_path(identity_id: str) -> str:
    return f"/v1/identities/{quote(identity_id, safe='')}"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the API for ``settings`` (default: from the environment)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        driver = await run_in_threadpool(connect, settings)
        repo = GraphRepository(driver, settings.neo4j_database)
        applied = await run_in_threadpool(repo.migrate)
        log.info("schema migrations applied: %s", ", ".join(applied))
        app.state.settings = settings
        app.state.repo = repo
        app.state.normaliser = settings.normaliser()
        job = None
        if settings.cluster_interval > 0:
            job = ClusterJob(repo, settings.cluster_interval, settings.cluster_backend)
            job.start()
        app.state.cluster_job = job
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
    install_error_handlers(app)

    @app.get("/healthz", response_model=HealthResponse, tags=["operations"])
    def healthz(repo: RepoDep) -> HealthResponse | JSONResponse:
        """Whether Neo4j answers (503 if not), its version and the GDS plugin's."""
        try:
            server = repo.ping()
            gds = repo.gds_version()
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

    @app.post("/v1/resolve", response_model=ResolveResponse, responses=_ERRORS, tags=["resolution"])
    def resolve(body: ResolveRequest, repo: RepoDep, normaliser: NormaliserDep) -> ResolveResponse:
        """Who is this? The identity behind one or more identifiers (raw formats welcome).

        Unknown identifiers are not an error: the answer says ``status: unknown``.
        Invalid ones are listed in ``invalid`` with the reason, and the rest resolve.
        """
        result = IdentityResolver(repo, normaliser).resolve(
            [(i.type, i.value) for i in body.identifiers]
        )
        return ResolveResponse.model_validate(result, from_attributes=True)

    @app.post("/v1/events", response_model=EventsResponse, responses=_ERRORS, tags=["ingest"])
    def post_events(
        body: EventsRequest, repo: RepoDep, normaliser: NormaliserDep, settings: SettingsDep
    ) -> EventsResponse:
        """Ingest a batch of events; each gets its own result (accepted, duplicate, rejected).

        The same code path as ``idgraph ingest``; ``summary`` keeps
        ``accepted + duplicates + rejected == lines_read``.
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
        responses=_IDENTITY_RESPONSES,
        tags=["identities"],
    )
    def get_identity(
        identity_id: IdentityIdPath, repo: RepoDep
    ) -> IdentityProfileResponse | JSONResponse:
        """The profile of an identity: identifiers, shared identifiers, habits, history.

        A merged id answers ``308 Permanent Redirect`` to the identity it lives on as
        (chains of merges followed to their end), a retired one ``410 Gone``.
        Identifier values are shown in clear.
        """
        found = identity_profile(repo, identity_id)
        if isinstance(found, MergedIdentity):
            merged = MergedIdentityResponse(
                identity_id=found.identity_id, merged_into=found.merged_into, chain=found.chain
            )
            return JSONResponse(
                status_code=308,
                content=merged.model_dump(mode="json"),
                headers={"Location": _identity_path(found.merged_into)},
            )
        if isinstance(found, RetiredIdentity):
            retired = RetiredIdentityResponse(
                error="IdentityRetired",
                detail="this identity is retired: all its identifiers became shared",
                identity_id=found.identity_id,
                retired_at=found.retired_at,
            )
            return JSONResponse(status_code=410, content=retired.model_dump(mode="json"))
        return IdentityProfileResponse.model_validate(asdict(found))

    return app
