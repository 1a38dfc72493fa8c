"""``POST /v1/cypher``: the analysts' query library and ad-hoc read-only queries.

Role ``analyst`` and above. Everything that matters (the library, parameter typing, the
read-only gate, limits, JSON-safe values) is :mod:`graph.analyst`'s; errors are the core's,
mapped to HTTP by :mod:`api.errors` (a refused, invalid or timed-out query is 422, Neo4j
down is 503).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.auth import AUTH_RESPONSES, AnalystDep
from api.common import ERROR_RESPONSES
from api.deps import RepoDep
from graph.analyst.runner import (
    DEFAULT_LIMIT,
    DEFAULT_TIMEOUT_S,
    MAX_LIMIT,
    MAX_TIMEOUT_S,
    QueryResult,
    run_adhoc,
    run_named,
)

__all__ = ["CypherRequest", "CypherResponse", "router"]

router = APIRouter(tags=["cypher"])


class CypherRequest(BaseModel):
    """A named library query (``name``) or an ad-hoc read-only query (``query``)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "resolution/identity_of_identifier",
                    "params": {"type": "email", "value": "jean.dupont@example.fr"},
                },
                {
                    "query": "MATCH (p:Identity) WHERE p.size >= $n RETURN p.identity_id, p.size",
                    "params": {"n": 10},
                    "limit": 100,
                },
            ]
        },
    )

    name: str | None = Field(
        default=None,
        max_length=200,
        description="a library query, `topic/name` (`idgraph cypher list` shows them)",
    )
    query: str | None = Field(
        default=None,
        max_length=20_000,
        description="an ad-hoc read-only Cypher query (refused if it may write)",
    )
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="named query: typed per its header (date-times as ISO 8601 strings); "
        "ad hoc: passed as they are",
    )
    limit: int = Field(
        default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="at most this many rows"
    )
    timeout_s: float = Field(
        default=DEFAULT_TIMEOUT_S,
        gt=0,
        le=MAX_TIMEOUT_S,
        description="seconds before the query is stopped",
    )

    @model_validator(mode="after")
    def _one_of_name_or_query(self) -> CypherRequest:
        if (self.name is None) == (self.query is None):
            raise ValueError("give either name (a library query) or query (ad hoc), not both")
        return self


class CypherResponse(BaseModel):
    """The rows, as JSON: date-times as ISO 8601 strings, nodes and relationships as
    ``{element_id, labels/type, properties}``."""

    name: str | None = Field(description="the library query run (null: ad hoc)")
    columns: list[str]
    rows: list[dict[str, Any]]
    row_count: int
    truncated: bool = Field(description="more rows were there than `limit`")
    query_type: Literal["r"] = Field(description="what the planner said: always read-only")


@router.post(
    "/v1/cypher",
    response_model=CypherResponse,
    responses={**AUTH_RESPONSES, **ERROR_RESPONSES},
)
def post_cypher(body: CypherRequest, repo: RepoDep, _caller: AnalystDep) -> CypherResponse:
    """Run a library query by name, or an ad-hoc read-only query.

    Read-only is enforced three times: a check of the text (one statement, no LOAD CSV,
    no `CALL { } IN TRANSACTIONS`, no admin or schema command, only read-only schema
    procedures), `EXPLAIN` (the planner's query type must be `r`), and a READ
    access-mode transaction. A refused, invalid or timed-out query is 422 with what was
    wrong; values never appear in error messages.
    """
    result: QueryResult
    if body.name is not None:
        result = run_named(repo, body.name, body.params, limit=body.limit, timeout_s=body.timeout_s)
    else:
        assert body.query is not None
        result = run_adhoc(
            repo, body.query, body.params, limit=body.limit, timeout_s=body.timeout_s
        )
    return CypherResponse(
        name=body.name.strip() if body.name is not None else None,
        columns=result.columns,
        rows=result.rows,
        row_count=len(result.rows),
        truncated=result.truncated,
        query_type="r",
    )
