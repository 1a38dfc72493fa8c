"""Influence endpoints: who brought whom, along referrals lifted to identities.

Role ``analyst`` and above (they read the whole referral graph). The semantics (the
time-respecting rule, the rankings) are those of :mod:`graph.influence`; errors are the
core's, mapped to HTTP by :mod:`api.errors`.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.auth import AUTH_RESPONSES, AnalystDep
from api.common import ERROR_RESPONSES, IDENTITY_RESPONSES, IdentityIdPath, moved
from api.deps import RepoDep
from api.schemas import DateTimeText
from graph.identity.profiles import MergedIdentity, RetiredIdentity
from graph.influence.queries import (
    DEFAULT_LIMIT,
    DEFAULT_MAX_DEPTH,
    MAX_DEPTH,
    MAX_LIMIT,
    influenced,
    influencers,
)
from graph.influence.ranking import MAX_TOP, top_influencers

__all__ = [
    "CascadeNodeOut",
    "InfluencedResponse",
    "InfluencerNodeOut",
    "InfluencersResponse",
    "RankedIdentityOut",
    "TopInfluenceResponse",
    "router",
]

router = APIRouter(tags=["influence"])

# --- models ---------------------------------------------------------------------------------


class EventRefOut(BaseModel):
    source: str
    event_id: str


class CascadeNodeOut(BaseModel):
    """An identity of the cascade and those it brought in afterwards."""

    identity_id: str
    at: datetime | None = Field(
        description="when the referral that brought it into the cascade happened (null: root)"
    )
    depth: int = Field(description="referrals between the root and it (0: the root)")
    events: list[EventRefOut] = Field(description="the events of that referral")
    children: list[CascadeNodeOut] = Field(description="identities it brought in, earliest first")


class InfluencedResponse(BaseModel):
    """The time-respecting cascade below an identity, as a tree.

    ``size`` and ``depth`` describe the whole cascade; the tree stops at ``max_depth``
    and ``limit`` identities (breadth first), and says ``truncated`` when it left
    identities out.
    """

    identity_id: str
    size: int = Field(description="identities in the whole cascade, the root not counted")
    depth: int = Field(description="deepest level of the whole cascade")
    returned: int = Field(description="identities the tree shows below the root")
    truncated: bool
    tree: CascadeNodeOut


class InfluencerNodeOut(BaseModel):
    """An identity upstream: it referred the identity below it at ``at``."""

    identity_id: str
    at: datetime | None = Field(
        description="when it referred the identity below it (null: the requested identity)"
    )
    depth: int = Field(description="referrals between it and the requested identity")
    events: list[EventRefOut] = Field(description="the events of that referral")
    referrers: list[InfluencerNodeOut] = Field(
        description="who referred it before it made that referral, earliest first"
    )


class InfluencersResponse(BaseModel):
    """Every time-respecting referral path up from an identity, as a tree upward.

    An identity may appear in several branches (several paths), never twice on one.
    """

    identity_id: str
    size: int = Field(description="distinct identities upstream within max_depth referrals")
    depth: int = Field(description="deepest level the tree shows")
    returned: int = Field(description="nodes the tree shows above the root")
    truncated: bool
    tree: InfluencerNodeOut


class RankedIdentityOut(BaseModel):
    rank: int
    identity_id: str
    score: float = Field(
        description="cascade: identities in its cascade; pagerank/articlerank: the score"
    )
    cascade_depth: int | None = Field(description="by=cascade: the deepest level of its cascade")


class TopInfluenceResponse(BaseModel):
    """The most influential identities by one ranking, best first."""

    by: Literal["cascade", "pagerank", "articlerank"]
    backend: Literal["python", "gds", "networkx"] = Field(
        description="where the ranking was computed: scores compare only within one answer"
    )
    since: datetime | None
    until: datetime | None
    identities_considered: int = Field(
        description="identities with at least one referral (made or received) in the window"
    )
    identities: list[RankedIdentityOut]


# --- routes ---------------------------------------------------------------------------------

MaxDepthQuery = Annotated[
    int, Query(ge=1, le=MAX_DEPTH, description="how many referrals away the tree goes")
]
LimitQuery = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description="how many identities the tree shows at most")
]


@router.get(
    "/v1/identities/{identity_id}/influenced",
    response_model=InfluencedResponse,
    responses={**AUTH_RESPONSES, **IDENTITY_RESPONSES},
)
def get_influenced(
    identity_id: IdentityIdPath,
    repo: RepoDep,
    request: Request,
    _caller: AnalystDep,
    max_depth: MaxDepthQuery = DEFAULT_MAX_DEPTH,
    limit: LimitQuery = DEFAULT_LIMIT,
) -> InfluencedResponse | JSONResponse:
    """The cascade below an identity: whom it brought in, whom they brought in, and on.

    Referrals are lifted to identities (one per pair, the earliest). Time-respecting:
    a referral X -> Y counts only if it happened strictly after the referral that
    brought X in; each identity appears once, at its earliest entry into the cascade.
    A merged id answers 308 to the same request on the identity it lives on as.
    """
    found = influenced(repo, identity_id, max_depth, limit)
    if isinstance(found, MergedIdentity | RetiredIdentity):
        return moved(found, request, "influenced")
    return InfluencedResponse.model_validate(asdict(found))


@router.get(
    "/v1/identities/{identity_id}/influencers",
    response_model=InfluencersResponse,
    responses={**AUTH_RESPONSES, **IDENTITY_RESPONSES},
)
def get_influencers(
    identity_id: IdentityIdPath,
    repo: RepoDep,
    request: Request,
    _caller: AnalystDep,
    max_depth: MaxDepthQuery = DEFAULT_MAX_DEPTH,
    limit: LimitQuery = DEFAULT_LIMIT,
) -> InfluencersResponse | JSONResponse:
    """Who brought this identity in, and who brought them in earlier, as a tree upward.

    Time-respecting: a referrer's own referrer counts only if that referral happened
    strictly before the one the referrer made. Several referrers give several
    branches: every path is shown (up to ``max_depth`` and ``limit``).
    A merged id answers 308 to the same request on the identity it lives on as.
    """
    found = influencers(repo, identity_id, max_depth, limit)
    if isinstance(found, MergedIdentity | RetiredIdentity):
        return moved(found, request, "influencers")
    return InfluencersResponse.model_validate(asdict(found))


@router.get(
    "/v1/influence/top",
    response_model=TopInfluenceResponse,
    responses={**AUTH_RESPONSES, **ERROR_RESPONSES},
)
def get_top(
    repo: RepoDep,
    request: Request,
    _caller: AnalystDep,
    by: Annotated[
        Literal["cascade", "pagerank", "articlerank"],
        Query(description="the ranking: see the endpoint's description"),
    ] = "cascade",
    limit: Annotated[int, Query(ge=1, le=MAX_TOP, description="how many identities")] = 20,
    since: Annotated[
        DateTimeText | None,
        Query(description="only referrals at or after this time (ISO 8601; no zone: UTC)"),
    ] = None,
    until: Annotated[
        DateTimeText | None,
        Query(description="only referrals strictly before this time (ISO 8601; no zone: UTC)"),
    ] = None,
) -> TopInfluenceResponse:
    """The most influential identities, best first, over referrals lifted to identities.

    - `cascade`: how many identities each one's **time-respecting cascade** holds (a
      referral X -> Y counts only if after the referral that brought X in), computed
      for every referrer in the API process; `cascade_depth` is its deepest level.
    - `pagerank`: PageRank with credit flowing from the referred to the referrer: high
      when you brought in people who themselves brought in many (times ignored).
    - `articlerank`: ArticleRank, PageRank where what an identity passes on is divided
      by its degree plus the average degree, so a few incidental referrals weigh less.

    PageRank and ArticleRank run in the GDS plugin when the server has it (`backend:
    gds`), else in the API process with the same formulas and defaults (`backend:
    networkx`: damping 0.85, 20 iterations, scores not normalised).
    `since`/`until` keep the referrals in `[since, until)`.
    """
    ranking = top_influencers(
        repo,
        by=by,
        limit=limit,
        since=since,
        until=until,
        algorithms=request.app.state.algorithms,
        cache=request.app.state.rankings,
    )
    return TopInfluenceResponse.model_validate(asdict(ranking))
