"""Graph exploration endpoints (role ``investigator``): neighbourhood, path, export.

The bounds (hops, nodes, neighbours per node, time-out) and the JSON shape are those of
:mod:`graph.explore`; errors are the core's, mapped to HTTP by :mod:`api.errors`.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.auth import AUTH_RESPONSES, InvestigatorDep
from api.common import ERROR_RESPONSES
from api.deps import NormaliserDep, RepoDep
from api.schemas import DateTimeText, ErrorResponse
from graph.errors import InputError
from graph.explore.paths import DEFAULT_PATH_HOPS, MAX_PATH_HOPS, shortest_path
from graph.explore.queries import export_ring, neighbourhood
from graph.explore.subgraph import (
    DEFAULT_HOPS,
    DEFAULT_LIMIT,
    MAX_HOPS,
    MAX_LIMIT,
    Subgraph,
    seed_of,
    to_graphml,
)
from graph.model.ids import IDENTITY_ID_PATTERN

__all__ = ["GraphResponse", "PathResponse", "router"]

router = APIRouter(tags=["exploration"])

_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    **AUTH_RESPONSES,
    404: {"model": ErrorResponse, "description": "the identifier, identity or ring is unknown"},
}


class NodeOut(BaseModel):
    id: str = Field(description="opaque, stable: `idf:<hash>` (identifier), `ide:<id>` (identity)")
    kind: Literal["identifier", "identity"]
    type: str | None = Field(description="identifier type (null for an identity)")
    value: str | None = Field(description="identifier value (null for an identity)")
    identity_id: str | None = Field(description="the identity, or the one it belongs to")
    risk: float | None = Field(description="the identity's fraud risk, 0..1 (null: not scored)")
    label: str


class EdgeOut(BaseModel):
    id: str
    source: str
    target: str
    kind: Literal["LINKED", "MEMBER", "USED_BY", "REFERRED"]
    count: int | None = Field(description="events behind a LINKED edge, referrals of a REFERRED")
    first_seen: datetime | None
    last_seen: datetime | None


class GraphResponse(BaseModel):
    """A subgraph; ``truncated``: a bound (nodes, neighbours per node) left some out."""

    nodes: list[NodeOut]
    edges: list[EdgeOut]
    truncated: bool


class PathResponse(BaseModel):
    """A shortest path: nodes in order from start to end, ``length`` edges."""

    nodes: list[NodeOut]
    edges: list[EdgeOut]
    length: int


TypeQuery = Annotated[
    str | None,
    Query(min_length=1, max_length=40, description="identifier type (with `value`)"),
]
ValueQuery = Annotated[
    str | None,
    Query(min_length=1, max_length=512, description="identifier value, raw formats welcome"),
]
IdentityQuery = Annotated[
    str | None,
    Query(pattern=IDENTITY_ID_PATTERN, description="an identity id, instead of type and value"),
]
HopsQuery = Annotated[int, Query(ge=1, le=MAX_HOPS, description="hops out from the start")]
LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="nodes at most")]
SinceQuery = Annotated[
    DateTimeText | None,
    Query(description="only links active at or after this time (ISO 8601; no zone: UTC)"),
]
UntilQuery = Annotated[
    DateTimeText | None,
    Query(description="only links active strictly before this time (ISO 8601; no zone: UTC)"),
]


@router.get("/v1/graph/neighbourhood", response_model=GraphResponse, responses=_RESPONSES)
def get_neighbourhood(
    repo: RepoDep,
    normaliser: NormaliserDep,
    caller: InvestigatorDep,
    type: TypeQuery = None,
    value: ValueQuery = None,
    identity_id: IdentityQuery = None,
    hops: HopsQuery = DEFAULT_HOPS,
    limit: LimitQuery = DEFAULT_LIMIT,
    since: SinceQuery = None,
    until: UntilQuery = None,
) -> GraphResponse:
    """The graph around an identifier (`type` + `value`) or an identity (`identity_id`).

    Breadth first, `hops` out (at most 3), at most `limit` nodes (at most 1000) and 50
    neighbours of each kind per node, so a hub (a kiosk, a ring's shared phone) cannot
    flood it: `truncated` says a bound left something out. `since`/`until` keep the
    links (LINKED, REFERRED) active in the window. Role `investigator`.
    """
    seed = seed_of(normaliser, type, value, identity_id)
    found = neighbourhood(repo, seed, hops, limit, since, until, show=caller.show)
    return GraphResponse.model_validate(asdict(found))


@router.get("/v1/graph/path", response_model=PathResponse, responses=_RESPONSES)
def get_path(
    repo: RepoDep,
    normaliser: NormaliserDep,
    caller: InvestigatorDep,
    from_type: TypeQuery = None,
    from_value: ValueQuery = None,
    from_identity: IdentityQuery = None,
    to_type: TypeQuery = None,
    to_value: ValueQuery = None,
    to_identity: IdentityQuery = None,
    max_hops: Annotated[
        int, Query(ge=1, le=MAX_PATH_HOPS, description="longest path accepted")
    ] = DEFAULT_PATH_HOPS,
) -> PathResponse:
    """The shortest path between two identifiers or identities, over co-occurrence links.

    Identifiers are joined through LINKED (read undirected); an identity end is reached
    through one of its identifiers (MEMBER) or a shared one it uses (USED_BY), one hop.
    404 when there is no path of at most `max_hops` (at most 10). Role `investigator`.
    """
    start = seed_of(normaliser, from_type, from_value, from_identity, prefix="from_")
    end = seed_of(normaliser, to_type, to_value, to_identity, prefix="to_")
    found = shortest_path(repo, start, end, max_hops, show=caller.show)
    return PathResponse.model_validate(asdict(found))


_GRAPHML_TYPE = "application/graphml+xml"


@router.get(
    "/v1/graph/export",
    response_model=GraphResponse,
    responses={
        **_RESPONSES,
        200: {
            "description": "the subgraph: JSON, or GraphML with `format=graphml`",
            "content": {_GRAPHML_TYPE: {"schema": {"type": "string"}}},
        },
    },
)
def get_export(
    repo: RepoDep,
    normaliser: NormaliserDep,
    caller: InvestigatorDep,
    type: TypeQuery = None,
    value: ValueQuery = None,
    identity_id: IdentityQuery = None,
    ring_id: Annotated[
        str | None,
        Query(
            pattern=r"^ring_[0-9a-f]{1,64}$",
            description="a fraud ring: its members and what they hold and share",
        ),
    ] = None,
    hops: HopsQuery = DEFAULT_HOPS,
    limit: LimitQuery = DEFAULT_LIMIT,
    since: SinceQuery = None,
    until: UntilQuery = None,
    format: Annotated[
        Literal["json", "graphml"], Query(description="`json` or `graphml`")
    ] = "json",
) -> GraphResponse | Response:
    """A subgraph to take away: a neighbourhood (same selectors) or a ring (`ring_id`).

    JSON (the neighbourhood's shape) or GraphML (`format=graphml`,
    `application/graphml+xml`, for networkx, Gephi, yEd, Cytoscape). Role
    `investigator`.
    """
    found: Subgraph
    if ring_id is not None:
        if type is not None or value is not None or identity_id is not None:
            raise InputError(
                "give either ring_id or a neighbourhood's start, not both", location="ring_id"
            )
        found = export_ring(repo, ring_id, hops, limit, since, until, show=caller.show)
        name = ring_id
    else:
        seed = seed_of(normaliser, type, value, identity_id)
        found = neighbourhood(repo, seed, hops, limit, since, until, show=caller.show)
        name = seed.identity_id or "neighbourhood"
    if format == "graphml":
        return Response(
            content=to_graphml(found),
            media_type=_GRAPHML_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{name}.graphml"'},
        )
    return GraphResponse.model_validate(asdict(found))
