"""Request and response models of the HTTP API (the OpenAPI contract)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from graph.events import EventIn, IdentifierIn  # noqa: F401  (EventIn: documented format)

MAX_RESOLVE_IDENTIFIERS = 50
MAX_EVENTS_PER_REQUEST = 5000


class ResolveRequest(BaseModel):
    """Identifiers of one person, in any supported type and raw format."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "identifiers": [
                        {"type": "phone", "value": "06 12 34 56 78"},
                        {"type": "email", "value": "Jean.Dupont@Example.fr"},
                    ]
                }
            ]
        },
    )

    identifiers: list[IdentifierIn] = Field(min_length=1, max_length=MAX_RESOLVE_IDENTIFIERS)


class MatchedIdentifier(BaseModel):
    index: int = Field(description="position in the request")
    type: str
    value: str = Field(description="normalised value")
    identity_id: str | None
    blocked: bool | None = Field(description="a blocklisted junk value: never links anything")


class UnknownIdentifier(BaseModel):
    index: int
    type: str
    value: str = Field(description="normalised value")


class InvalidIdentifierOut(BaseModel):
    index: int
    type: str
    reason: str


class IdentityMember(BaseModel):
    type: str
    value: str
    first_seen: datetime | None
    last_seen: datetime | None
    event_count: int | None


class ResolveResponse(BaseModel):
    """The identity behind the identifiers, or why there is none.

    ``status``: ``matched`` (one identity), ``conflict`` (several: see ``candidates``),
    ``unclustered`` (known identifiers, not yet placed by clustering), ``unknown``
    (never seen).
    """

    status: Literal["matched", "conflict", "unclustered", "unknown"]
    identity_id: str | None
    candidates: list[str]
    matched: list[MatchedIdentifier]
    unknown: list[UnknownIdentifier]
    invalid: list[InvalidIdentifierOut]
    identifiers: list[IdentityMember] = Field(description="every identifier of the identity")


class HealthResponse(BaseModel):
    status: Literal["ok", "unavailable"]
    neo4j: str | None = None
    gds: str | None = None
    detail: str | None = None


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


class ErrorResponse(BaseModel):
    error: str
    detail: str
    location: str | None = None


__all__ = [
    "ErrorResponse",
    "EventResult",
    "EventsRequest",
    "EventsResponse",
    "HealthResponse",
    "IdentifierIn",
    "IdentityMember",
    "ResolveRequest",
    "ResolveResponse",
]
