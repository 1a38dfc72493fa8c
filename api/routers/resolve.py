"""``POST /v1/resolve``: who is this? The identity behind one or more identifiers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.auth import AUTH_RESPONSES, ResolverDep
from api.common import ERROR_RESPONSES
from api.deps import NormaliserDep, RepoDep
from api.schemas import AwareDateTimeText
from graph.identity.resolve import FlagName, IdentityResolver, ResolveContext
from graph.model.events import IdentifierIn

__all__ = ["MAX_RESOLVE_IDENTIFIERS", "ResolveRequest", "ResolveResponse", "router"]

router = APIRouter(tags=["resolution"])

MAX_RESOLVE_IDENTIFIERS = 50

# --- models ---------------------------------------------------------------------------------


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
    at: AwareDateTimeText | None = Field(
        default=None,
        description="whose identifiers at this time, RFC 3339 with offset: a recycled phone "
        "number or a resold device answers its owner then (default: timestamp, else now)",
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


class Handover(BaseModel):
    identity_id: str = Field(description="an earlier owner of a handed-over identifier")
    until: datetime | None = Field(description="when the next owner's use began")


class MatchedIdentifier(BaseModel):
    index: int = Field(description="position in the request")
    type: str
    value: str = Field(description="normalised value")
    identity_id: str | None = Field(description="its identity at the time asked (default now)")
    handovers: list[Handover] = Field(
        default_factory=list,
        description="its earlier owners, oldest first (a recycled number, a resold device)",
    )
    blocked: bool | None = Field(description="a blocklisted junk value: never links anything")


class UnknownIdentifier(BaseModel):
    index: int
    type: str
    value: str = Field(description="normalised value")


class InvalidIdentifierOut(BaseModel):
    index: int
    type: str
    reason: str


class TieEvidence(BaseModel):
    """What clustering decided about a pooled identifier (graph/identity/ties.py)."""

    verdict: Literal["handover", "one_person", "glue"] = Field(
        description="handed over between owners in time, one person's e-mails, or glue "
        "between people (cut and shared)"
    )
    score: float | None = Field(description="the one-person score in [0, 1]")
    signals: dict[str, float] = Field(
        description="each signal's value: interleave, overlap, fanout, names, alternative "
        "(a handover: periods)"
    )


class IdentityMember(BaseModel):
    type: str
    value: str
    confidence: float | None = Field(description="membership confidence in [0, 1]")
    first_seen: datetime | None
    last_seen: datetime | None
    event_count: int | None
    channels: list[str] = Field(description="channels of the events that saw it")
    tie: TieEvidence | None = Field(
        default=None,
        description="for a phone, device or card tying several e-mails or accounts: what "
        "clustering decided it is, and the signals that decided",
    )


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


# --- routes ---------------------------------------------------------------------------------


@router.post(
    "/v1/resolve",
    response_model=ResolveResponse,
    responses={**ERROR_RESPONSES, **AUTH_RESPONSES},
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
        at=ctx.at if ctx else None,
    )
    items = [(i.type, i.value) for i in body.identifiers]

    def answer() -> ResolveResponse:
        result = IdentityResolver(repo, normaliser).resolve(items, context, show=caller.show)
        return ResolveResponse.model_validate(result, from_attributes=True)

    # The hot path: async, with its dependencies, so that the blocking driver work is
    # the request's one trip to the thread pool (each trip costs a thread hand-off).
    return await run_in_threadpool(answer)
