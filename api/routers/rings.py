"""Fraud rings endpoints (role investigator): the ranked list and one ring in full.

What a ring is and how it is scored is :mod:`graph.fraud.detect`'s; rings are written
by ``idgraph detect`` (and after each clustering run), these routes only read them.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from api.auth import AUTH_RESPONSES, InvestigatorDep
from api.common import ERROR_RESPONSES
from api.deps import RepoDep
from api.schemas import DateTimeText, ErrorResponse
from graph.fraud.ring_queries import get_ring, list_rings

__all__ = ["RingDetailResponse", "RingListResponse", "router"]

router = APIRouter(tags=["fraud"])

MAX_LIMIT = 500
MAX_OFFSET = 1_000_000
RING_ID_PATTERN = r"^ring_[0-9a-f]{16}$"

# --- models ---------------------------------------------------------------------------------


class RingOut(BaseModel):
    """A ring as listed."""

    ring_id: str
    score: float = Field(description="in [0, 1]: the weighted mean of the ring's signals")
    size: int = Field(description="member identities")
    reasons: list[str] = Field(description="the signals behind the score, in words")
    first_seen: datetime | None = Field(description="the members' first event")
    last_seen: datetime | None = Field(description="the members' last event")


class RingListResponse(BaseModel):
    """Rings, highest score first, one page of them."""

    rings: list[RingOut]
    total: int = Field(description="rings matching the filters, all pages")
    limit: int
    offset: int


class RingMemberOut(BaseModel):
    identity_id: str
    risk: float | None = Field(description="the identity's combined ring and bot risk")
    bot_score: float | None = Field(description="null: not scored (too few events)")
    first_seen: datetime | None
    last_seen: datetime | None
    identifiers: int = Field(description="identifiers the identity holds")


class RingSharedOut(BaseModel):
    type: str
    value: str = Field(description="normalised value (masked for roles that may not see it)")
    identities: int = Field(description="members using it")


class RingEventOut(BaseModel):
    timestamp: datetime | None
    identity_id: str
    type: str
    channel: str


class RingDetailResponse(BaseModel):
    """One ring: who is in it, what they share, what gave them away, and when."""

    ring_id: str
    score: float
    size: int
    reasons: list[str]
    signals: dict[str, float] = Field(description="signal name -> value in [0, 1]")
    first_seen: datetime | None
    last_seen: datetime | None
    members: list[RingMemberOut]
    shared: list[RingSharedOut] = Field(
        description="shared identifiers used by two members or more, most used first"
    )
    timeline: list[RingEventOut] = Field(
        description="the members' events in time order (the first 500)"
    )


# --- routes ---------------------------------------------------------------------------------


@router.get(
    "/v1/rings",
    response_model=RingListResponse,
    responses={**ERROR_RESPONSES, **AUTH_RESPONSES},
)
def get_rings(
    repo: RepoDep,
    _caller: InvestigatorDep,
    min_score: Annotated[
        float, Query(ge=0.0, le=1.0, description="only rings scoring at least this")
    ] = 0.0,
    since: Annotated[
        DateTimeText | None,
        Query(description="only rings active at or after this time (ISO 8601; no zone: UTC)"),
    ] = None,
    until: Annotated[
        DateTimeText | None,
        Query(description="only rings active before this time (ISO 8601; no zone: UTC)"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="rings per page")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rings to skip")] = 0,
) -> RingListResponse:
    """Fraud rings found by the last detection run, highest score first.

    A ring is *active* in `[since, until)` when its members' activity (first to last
    event) overlaps the window; `since` must come before `until` (422). Rings
    scoring at least 0.5 flag their members `ring_member` in resolve. Role
    `investigator` and above.
    """
    page = list_rings(repo, min_score, since, until, limit, offset)
    return RingListResponse.model_validate(asdict(page))


@router.get(
    "/v1/rings/{ring_id}",
    response_model=RingDetailResponse,
    responses={
        404: {"model": ErrorResponse, "description": "no ring has this id"},
        **ERROR_RESPONSES,
        **AUTH_RESPONSES,
    },
)
def get_ring_detail(
    ring_id: Annotated[
        str,
        Path(
            pattern=RING_ID_PATTERN,
            description="a ring id: `ring_` and 16 lowercase hexadecimal characters",
            examples=["ring_0123456789abcdef"],
        ),
    ],
    repo: RepoDep,
    caller: InvestigatorDep,
) -> RingDetailResponse:
    """One ring: members, the identifiers they share, its signals and its timeline.

    Ring ids come from the members: a ring found again with the same members keeps
    its id. Role `investigator` and above, who see identifier values in clear.
    """
    ring = get_ring(repo, ring_id, show=caller.show)
    return RingDetailResponse.model_validate(asdict(ring))
