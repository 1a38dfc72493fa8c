"""``POST /v1/events``: ingest a batch of events, the same code path as ``idgraph ingest``."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.auth import AUTH_RESPONSES, AdminDep
from api.common import ERROR_RESPONSES
from api.deps import NormaliserDep, RepoDep, SettingsDep
from graph.ingest.pipeline import Ingestor
from graph.ingest.readers import RawRecord

__all__ = ["MAX_EVENTS_PER_REQUEST", "EventsRequest", "EventsResponse", "router"]

router = APIRouter(tags=["ingest"])

MAX_EVENTS_PER_REQUEST = 5000

# --- models ---------------------------------------------------------------------------------


class EventsRequest(BaseModel):
    """A batch of events in the public event format."""

    model_config = ConfigDict(extra="forbid")

    events: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_EVENTS_PER_REQUEST,
        description=(
            "events in the public event format (see EventIn); each is validated on its "
            "own, so one bad event does not reject the batch"
        ),
    )


class EventResult(BaseModel):
    index: int
    status: Literal["accepted", "duplicate", "rejected"]
    event_id: str | None = None
    reason: str | None = None
    location: str | None = None
    issues: list[str] = Field(default_factory=list)


class EventsResponse(BaseModel):
    summary: dict[str, Any]
    results: list[EventResult]


# --- routes ---------------------------------------------------------------------------------


@router.post(
    "/v1/events",
    response_model=EventsResponse,
    responses={**ERROR_RESPONSES, **AUTH_RESPONSES},
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
    ingestor = Ingestor(
        repo, normaliser, settings.batch_size, event_types=settings.event_type_map()
    )
    summary, outcomes = ingestor.ingest(records)
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
