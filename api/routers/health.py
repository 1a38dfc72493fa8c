"""``GET /healthz``: whether Neo4j answers, and the periodic clustering's state."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.deps import ClusterJobDep, RepoDep
from graph.errors import DatabaseError
from graph.store import admin

__all__ = ["ClusteringStatus", "HealthResponse", "router"]

router = APIRouter(tags=["operations"])


class ClusteringStatus(BaseModel):
    """The API's periodic incremental clustering (absent when switched off)."""

    interval: float = Field(description="seconds between runs")
    runs: int = Field(description="runs since the API started")
    last_run_at: float | None = Field(description="epoch seconds of the last successful run")
    last_result: dict[str, object] | None = Field(description="summary of the last run")
    last_error: str | None = Field(description="error class of the last failed run, if any")


class HealthResponse(BaseModel):
    status: Literal["ok", "unavailable"]
    neo4j: str | None = None
    gds: str | None = None
    detail: str | None = None
    clustering: ClusteringStatus | None = None


@router.get("/healthz", response_model=HealthResponse)
def healthz(repo: RepoDep, job: ClusterJobDep) -> HealthResponse | JSONResponse:
    """Whether Neo4j answers (503 if not), its version and the GDS plugin's."""
    try:
        server = admin.ping(repo)
        gds = admin.gds_version(repo)
    except (DatabaseError, OSError) as e:
        body = HealthResponse(status="unavailable", detail=type(e).__name__)
        return JSONResponse(status_code=503, content=body.model_dump())
    clustering = None
    if job is not None:
        clustering = ClusteringStatus.model_validate(job.status(), from_attributes=True)
    return HealthResponse(
        status="ok", neo4j=str(server.get("version")), gds=gds, clustering=clustering
    )
