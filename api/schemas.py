"""Request and response models of the HTTP API (the OpenAPI contract)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from graph.identity.resolve import FlagName
from graph.model.events import EventIn, IdentifierIn  # noqa: F401  (EventIn: documented format)

MAX_RESOLVE_IDENTIFIERS = 50
MAX_EVENTS_PER_REQUEST = 5000

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _date_time_text(v: object) -> object:
    """Refuse numbers, which pydantic would read as Unix times: the contract says an
    ISO 8601 / RFC 3339 string, and ``0.5`` is more likely a mistake than 1970."""
    if isinstance(v, int | float) or (isinstance(v, str) and _NUMBER.fullmatch(v.strip())):
        raise ValueError("must be an ISO 8601 date-time such as 2026-03-01T10:15:00Z, not a number")
    return v


DateTimeText = Annotated[datetime, BeforeValidator(_date_time_text)]
"""A date-time sent as ISO 8601 text (no zone: UTC where the route says so)."""
AwareDateTimeText = Annotated[AwareDatetime, BeforeValidator(_date_time_text)]
"""A date-time sent as RFC 3339 text, with its offset."""


class ResolveContextIn(BaseModel):
    """What the caller knows about the contact (all optional)."""

    model_config = ConfigDict(extra="forbid")

    channel: str | None = Field(
        default=None, min_length=1, max_length=40, description="web, app, call, sms, store..."
    )
    timestamp: AwareDateTimeText | None = Field(
        default=None, description="when the contact happens, RFC 3339 with offset (default: now)"
    )
    intent: (
        Literal["information", "deposit", "purchase", "address_change", "withdrawal", "transfer"]
        | None
    ) = Field(
        default=None,
        description="what the caller wants to do: withdrawals, transfers and address changes "
        "need stricter verification",
    )


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
    context: ResolveContextIn | None = Field(
        default=None, description="the moment of the contact: channel, time, intent"
    )


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
    confidence: float | None = Field(description="membership confidence in [0, 1]")
    first_seen: datetime | None
    last_seen: datetime | None
    event_count: int | None
    channels: list[str] = Field(description="channels of the events that saw it")


class FlagOut(BaseModel):
    name: FlagName
    reason: str


class EvidenceEvent(BaseModel):
    source: str | None
    event_id: str | None
    timestamp: datetime | None
    channel: str | None


class EvidenceLink(BaseModel):
    """A link between a given identifier and another identifier of the identity."""

    type: str
    value: str = Field(description="the given identifier")
    other_type: str
    other_value: str
    weight: float | None = Field(description="link weight in [0, 1] (see the graph model)")
    count: int = Field(description="events that saw both")
    channels: list[str]
    first_seen: datetime | None
    last_seen: datetime | None
    events: list[EvidenceEvent] = Field(description="the latest events that saw both")


class ResolveResponse(BaseModel):
    """The identity behind the identifiers, or why there is none.

    ``status``: ``matched`` (one identity), ``conflict`` (several: see ``candidates``),
    ``shared`` (shared identifiers only: their users are the candidates),
    ``unclustered`` (known identifiers, not yet placed by clustering), ``unknown``
    (never seen).
    """

    status: Literal["matched", "conflict", "shared", "unclustered", "unknown"]
    identity_id: str | None
    candidates: list[str]
    matched: list[MatchedIdentifier]
    unknown: list[UnknownIdentifier]
    invalid: list[InvalidIdentifierOut]
    identifiers: list[IdentityMember] = Field(description="every identifier of the identity")
    confidence: float = Field(
        description="how sure the match is: 1 - prod(1 - c) over the given identifiers' "
        "membership confidences c (0 when nothing matched)"
    )
    flags: list[FlagOut] = Field(description="what is odd, each with its reason")
    verification: Literal["none", "standard", "step_up"] = Field(
        description="none: skip identification questions; standard: the usual ones; "
        "step_up: stronger checks (one-time code...)"
    )
    evidence: list[EvidenceLink] = Field(
        description="the links and events that tie the given identifiers to the identity"
    )


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


class ProfileIdentifierOut(BaseModel):
    type: str
    value: str = Field(description="normalised value")
    confidence: float | None = Field(description="how sure the membership is, in [0, 1]")
    first_seen: datetime | None
    last_seen: datetime | None
    event_count: int | None
    channels: list[str] = Field(description="channels of the events that saw it")
    shared: bool


class SharedIdentifierOut(BaseModel):
    type: str
    value: str = Field(description="normalised value")
    weight: float | None = Field(description="weight of its links into this identity")
    hub: bool = Field(description="linked to more identifiers than one person has")
    identities: int = Field(description="how many identities use it")


class HistoryEntryOut(BaseModel):
    identity_id: str
    at: datetime | None


class IdentityHistoryOut(BaseModel):
    merged_in: list[HistoryEntryOut] = Field(description="ids merged into this identity")
    split_from: list[HistoryEntryOut] = Field(description="identities it was split off")
    split_into: list[HistoryEntryOut] = Field(description="parts split off it")


class IdentityProfileResponse(BaseModel):
    """An active identity: its identifiers, the shared ones it uses, habits and history.

    Times of day are in UTC; ``usual_hours`` counts its events per hour (24 values,
    hour 0 first).
    """

    identity_id: str
    status: str = Field(description="active")
    size: int | None = Field(description="how many identifiers it has")
    cohesion: float | None = Field(description="share of its link weight that stays inside it")
    created_at: datetime | None
    updated_at: datetime | None
    first_seen: datetime | None = Field(description="first time any of its identifiers was seen")
    last_seen: datetime | None = Field(description="last time any of its identifiers was seen")
    event_count: int = Field(description="how many events saw its identifiers")
    identifiers: list[ProfileIdentifierOut]
    shared_identifiers: list[SharedIdentifierOut] = Field(
        description="shared identifiers (kiosks, family devices...) it uses"
    )
    channels: dict[str, int] = Field(description="events per channel, most frequent first")
    usual_hours: list[int] = Field(
        min_length=24, max_length=24, description="events per hour of the day, UTC"
    )
    usual_channels: list[str] = Field(description="its most frequent channels")
    history: IdentityHistoryOut


class MergedIdentityResponse(BaseModel):
    """The id was merged into another identity: ``Location`` gives its profile."""

    identity_id: str
    status: Literal["merged"] = "merged"
    merged_into: str = Field(description="where it lives on: the end of the chain of merges")
    chain: list[str] = Field(description="every id from this one to merged_into, both included")


class RetiredIdentityResponse(ErrorResponse):
    """The identity no longer exists: all its identifiers became shared."""

    identity_id: str
    status: Literal["retired"] = "retired"
    retired_at: datetime | None


__all__ = [
    "ErrorResponse",
    "EventResult",
    "EventsRequest",
    "EventsResponse",
    "HealthResponse",
    "IdentifierIn",
    "IdentityHistoryOut",
    "IdentityMember",
    "IdentityProfileResponse",
    "MergedIdentityResponse",
    "ResolveRequest",
    "ResolveResponse",
    "RetiredIdentityResponse",
]
