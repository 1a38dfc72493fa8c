"""The read-only runner behind ``idgraph cypher`` and ``POST /v1/cypher``.

Every query, named (:func:`run_named`, from the library of
:mod:`graph.analyst.library`) or ad hoc (:func:`run_adhoc`), goes through the same
read-only gate before it runs:

1. a static check of the text (:func:`graph.analyst.gate.check_read_only_text`): one
   read statement, no ``LOAD CSV``, ``CALL { } IN TRANSACTIONS``, ``USE``, and only the
   read-only schema procedures;
2. ``EXPLAIN`` of the query: the planner's ``query_type`` must be ``r`` (read only),
   not ``rw``, ``w`` or ``s`` (schema);
3. the query runs in a ``READ`` access-mode transaction (``execute_read``), which the
   server itself stops from writing, with a timeout; the row limit is applied while
   consuming the result (the text is never rewritten), values made JSON-safe
   (:func:`json_safe`).

Errors, all :class:`~graph.errors.InputError` (HTTP 422) unless the database fails::

    InputError
    └── AnalystQueryError
        ├── UnknownQuery        no library query has that name
        ├── InvalidParameter    a parameter is unknown, missing or of the wrong type
        ├── QueryRefused        the query is not read-only (or is an admin command...)
        ├── QueryFailed         Neo4j refused the query (syntax, types): code only
        └── QueryTimedOut       it ran longer than its timeout

Messages name parameters and Neo4j error codes, never parameter values or the
server's message (which may quote them): values are personal data.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import neo4j
import neo4j.time
from neo4j.graph import Node, Path, Relationship
from neo4j.spatial import Point

from graph.analyst.gate import check_read_only_text
from graph.analyst.library import bind_params, get_query, is_parameter_name
from graph.errors import (
    DatabaseError,
    InvalidParameter,
    QueryFailed,
    QueryRefused,
    QueryTimedOut,
    ReadOnlyViolated,
    StatementRejected,
    TransactionTimedOut,
)
from graph.store.gateway import GraphStore

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_TIMEOUT_S",
    "MAX_LIMIT",
    "MAX_TIMEOUT_S",
    "QueryResult",
    "explain_query_type",
    "json_safe",
    "run_adhoc",
    "run_named",
]

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000
DEFAULT_TIMEOUT_S = 10.0
MAX_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class QueryResult:
    """The answer of a query: JSON-safe rows, at most the limit."""

    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool
    """More rows were there than the limit."""
    query_type: str = "r"


def json_safe(value: Any) -> Any:
    """A result value as JSON: temporal values as ISO 8601 strings, nodes and
    relationships as ``{element_id, labels/type, properties}``, paths as their nodes and
    relationships, bytes in base64, non-finite floats as null."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Node):
        return {
            "element_id": value.element_id,
            "labels": sorted(value.labels),
            "properties": json_safe(dict(value)),
        }
    if isinstance(value, Relationship):
        return {
            "element_id": value.element_id,
            "type": value.type,
            "start_element_id": value.start_node.element_id if value.start_node else None,
            "end_element_id": value.end_node.element_id if value.end_node else None,
            "properties": json_safe(dict(value)),
        }
    if isinstance(value, Path):
        return {
            "nodes": [json_safe(n) for n in value.nodes],
            "relationships": [json_safe(r) for r in value.relationships],
        }
    if isinstance(value, Point):
        point: dict[str, Any] = {"srid": value.srid}
        point.update(zip(("x", "y", "z"), (json_safe(v) for v in value), strict=False))
        return point
    if isinstance(value, neo4j.time.DateTime | neo4j.time.Date | neo4j.time.Time):
        return value.iso_format()
    if isinstance(value, neo4j.time.Duration):
        return value.iso_format()
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(v) for v in value]
    return str(value)


def _check_limits(limit: int, timeout_s: float) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidParameter(f"limit must be between 1 and {MAX_LIMIT}", "limit")
    if not 0 < timeout_s <= MAX_TIMEOUT_S:
        raise InvalidParameter(
            f"timeout_s must be more than 0 and at most {MAX_TIMEOUT_S:g}", "timeout_s"
        )


def _translate(e: DatabaseError, timeout_s: float) -> Exception:
    """A store error as the analyst's: its code (and a syntax error's position) only."""
    if isinstance(e, TransactionTimedOut):
        return QueryTimedOut(
            f"the query ran longer than {timeout_s:g} s: narrow it, or raise timeout_s "
            f"(at most {MAX_TIMEOUT_S:g})",
            "timeout_s",
        )
    if isinstance(e, ReadOnlyViolated):
        return QueryRefused("the query tried to write: only read-only queries may run", "query")
    if isinstance(e, StatementRejected):
        at = f" at line {e.line}, column {e.column}" if e.line is not None else ""
        return QueryFailed(f"Neo4j refused the query ({e.code}){at}", "query")
    return e


def explain_query_type(
    repo: GraphStore, text: str, params: Mapping[str, object] | None = None
) -> str:
    """What the planner says ``text`` does: ``r``, ``rw``, ``w`` or ``s`` (schema).

    Nothing runs (``EXPLAIN``), in a read session.
    """
    return repo.explain(text, dict(params or {}), timeout=DEFAULT_TIMEOUT_S)


def _run(
    repo: GraphStore, text: str, params: dict[str, Any], limit: int, timeout_s: float
) -> QueryResult:
    check_read_only_text(text)
    try:
        query_type = repo.explain(text, params, timeout=timeout_s)
        if query_type != "r":
            kind = {"rw": "reads and writes", "w": "writes", "s": "changes the schema"}
            raise QueryRefused(
                f"the query {kind.get(str(query_type), 'is not read-only')} (query type "
                f"{query_type!r}): only read-only queries (type 'r') may run",
                "query",
            )
        found = repo.read_text(text, params, limit=limit, timeout=timeout_s, convert=json_safe)
    except DatabaseError as e:
        raise _translate(e, timeout_s) from e
    except (TypeError, ValueError, OverflowError) as e:
        # The driver cannot send a parameter value (an integer beyond 64 bits...).
        raise InvalidParameter("a parameter has a value Neo4j cannot take", "params") from e
    return QueryResult(found.columns, found.rows, found.truncated, str(query_type))


def run_named(
    repo: GraphStore,
    name: str,
    params: Mapping[str, object],
    *,
    limit: int = DEFAULT_LIMIT,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> QueryResult:
    """Run the library query ``name`` with ``params`` typed per its header.

    Raises:
        UnknownQuery, InvalidParameter, QueryRefused, QueryFailed, QueryTimedOut,
        DatabaseError: see the module docstring.
    """
    query = get_query(name)
    _check_limits(limit, timeout_s)
    return _run(repo, query.text, bind_params(query, params), limit, timeout_s)


def run_adhoc(
    repo: GraphStore,
    text: str,
    params: Mapping[str, object] | None = None,
    *,
    limit: int = DEFAULT_LIMIT,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> QueryResult:
    """Run an ad-hoc query, after the read-only gate; ``params`` go in as they are.

    Raises:
        InvalidParameter, QueryRefused, QueryFailed, QueryTimedOut, DatabaseError: see
        the module docstring.
    """
    _check_limits(limit, timeout_s)
    bound = dict(params or {})
    for key in bound:
        if not isinstance(key, str) or not is_parameter_name(key):
            raise InvalidParameter("a parameter name is not a valid name", "params")
    return _run(repo, text, bound, limit, timeout_s)
