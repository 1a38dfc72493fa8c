"""The analysts' query library and the read-only runner behind ``idgraph cypher`` and
``POST /v1/cypher``.

The library is the ``.cypher`` files under ``cypher/queries/<topic>/``. Each starts
with a machine-readable header, which :func:`parse_header` reads::

    // @purpose What the query answers (continuation lines are indented comments).
    // @param identity_id string "id_0123456789abcdef0123"  what it is
    // @param min_size int 15 [default]  a parameter whose example is also its default
    // @column type  the identifier type

A parameter line is ``@param NAME TYPE EXAMPLE [default] DESCRIPTION``: TYPE is one of
``string``, ``int``, ``float``, ``bool``, ``datetime``; EXAMPLE a JSON literal (strings
and date-times quoted). Only parameters marked ``[default]`` may be left out; the
others are required. Comment lines after a tag continue its text.

Every query, named or ad hoc, goes through the same read-only gate before it runs:

1. a static check of the text (comments and string literals removed): one statement,
   starting with ``MATCH``, ``OPTIONAL MATCH``, ``WITH``, ``UNWIND``, ``RETURN`` or
   ``CALL``; no ``LOAD CSV``, no ``CALL { } IN TRANSACTIONS``, no ``USE``, and
   procedure calls only to the read-only schema procedures of :data:`READ_PROCEDURES`
   (so admin commands, ``SHOW``, schema commands and ``db.createLabel`` are out);
2. ``EXPLAIN`` of the query: the planner's ``query_type`` must be ``r`` (read only),
   not ``rw``, ``w`` or ``s`` (schema);
3. the query runs in a ``READ`` access-mode transaction (``execute_read``), which the
   server itself stops from writing, with a timeout; the row limit is applied while
   consuming the result (the text is never rewritten).

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
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import cache
from typing import Any, Literal, get_args

import neo4j
import neo4j.time
from neo4j.graph import Node, Path, Relationship
from neo4j.spatial import Point

from graph.errors import (
    DatabaseError,
    InvalidParameter,
    QueryFailed,
    QueryRefused,
    QueryTimedOut,
    ReadOnlyViolated,
    StatementRejected,
    TransactionTimedOut,
    UnknownQuery,
)
from graph.store import catalog
from graph.store.gateway import GraphStore

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_TIMEOUT_S",
    "LIBRARY_PREFIX",
    "MAX_LIMIT",
    "MAX_TIMEOUT_S",
    "READ_PROCEDURES",
    "Column",
    "LibraryQuery",
    "Parameter",
    "QueryResult",
    "bind_params",
    "check_read_only_text",
    "coerce",
    "explain_query_type",
    "get_query",
    "json_safe",
    "library",
    "parse_cli_params",
    "parse_header",
    "run_adhoc",
    "run_named",
]

LIBRARY_PREFIX = "queries/"
DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000
DEFAULT_TIMEOUT_S = 10.0
MAX_TIMEOUT_S = 60.0

ParamType = Literal["string", "int", "float", "bool", "datetime"]
PARAM_TYPES: tuple[str, ...] = get_args(ParamType)

#: The procedures an ad-hoc query may call: read-only schema and index look-ups.
READ_PROCEDURES = frozenset(
    {
        "db.labels",
        "db.relationshiptypes",
        "db.propertykeys",
        "db.schema.visualization",
        "db.schema.nodetypeproperties",
        "db.schema.reltypeproperties",
        "db.index.fulltext.querynodes",
        "db.index.fulltext.queryrelationships",
        "db.index.vector.querynodes",
        "db.info",
        "db.ping",
    }
)

_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)\.\s")
_FIRST_CLAUSES = ("MATCH", "OPTIONAL", "WITH", "UNWIND", "RETURN", "CALL")


# --- the library and its headers -------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    """One declared parameter of a library query."""

    name: str
    type: ParamType
    example: Any
    """The example value, typed (a ``datetime`` for a date-time)."""
    description: str = ""
    has_default: bool = False
    """The example is also the default: the parameter may be left out."""


@dataclass(frozen=True)
class Column:
    """One column a library query returns."""

    name: str
    description: str


@dataclass(frozen=True)
class LibraryQuery:
    """A named read-only query of the library, with what its header declares."""

    name: str
    """``topic/name``, e.g. ``resolution/identity_of_identifier``."""
    purpose: str
    parameters: tuple[Parameter, ...]
    columns: tuple[Column, ...]
    text: str = field(repr=False)

    @property
    def topic(self) -> str:
        return self.name.split("/", 1)[0]

    @property
    def summary(self) -> str:
        """The first sentence of the purpose."""
        first = _SENTENCE_END.split(self.purpose, maxsplit=1)[0]
        return first.rstrip(".") + "."

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def example_params(self) -> dict[str, Any]:
        """Every parameter at its example value."""
        return {p.name: p.example for p in self.parameters}


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _example(name: str, kind: ParamType, literal: str) -> Any:
    try:
        raw = json.loads(literal)
    except json.JSONDecodeError as e:
        raise ValueError(f"@param {name}: the example is not a JSON literal") from e
    return coerce(Parameter(name, kind, None), raw)


def _parse_param(body: str) -> Parameter:
    parts = body.split(None, 2)
    if len(parts) < 3:
        raise ValueError(f"@param needs NAME TYPE EXAMPLE, got {body!r}")
    name, kind, rest = parts
    if not _NAME.fullmatch(name):
        raise ValueError(f"@param {name!r} is not a parameter name")
    if kind not in PARAM_TYPES:
        raise ValueError(f"@param {name}: type {kind!r} is not one of {', '.join(PARAM_TYPES)}")
    if rest.startswith('"'):
        _, end = json.JSONDecoder().raw_decode(rest)
        literal, description = rest[:end], rest[end:]
    else:
        literal, _, description = rest.partition(" ")
    description = description.strip()
    has_default = description.startswith("[default]")
    description = description.removeprefix("[default]").strip()
    example = _example(name, kind, literal)  # type: ignore[arg-type]
    return Parameter(name, kind, example, description, has_default)  # type: ignore[arg-type]


def parse_header(name: str, text: str) -> LibraryQuery:
    """Read the ``@purpose``/``@param``/``@column`` header of a library query.

    Raises:
        ValueError: the header is missing a purpose or a column, or a line is malformed
            (a bug in the ``.cypher`` file).
    """
    tags: list[tuple[str, str]] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("//"):
            break
        content = stripped[2:].strip()
        if content.startswith("@"):
            tag, _, body = content[1:].partition(" ")
            tags.append((tag, body.strip()))
        elif tags and content:
            tag, body = tags[-1]
            tags[-1] = (tag, f"{body} {content}")
    purpose = ""
    params: list[Parameter] = []
    columns: list[Column] = []
    for tag, body in tags:
        if tag == "purpose":
            purpose = body
        elif tag == "param":
            params.append(_parse_param(body))
        elif tag == "column":
            col, _, description = body.partition(" ")
            if not _NAME.fullmatch(col) or not description.strip():
                raise ValueError(f"{name}: @column needs NAME DESCRIPTION, got {body!r}")
            columns.append(Column(col, description.strip()))
        else:
            raise ValueError(f"{name}: unknown header tag @{tag}")
    if not purpose:
        raise ValueError(f"{name}: the header has no @purpose")
    if not columns:
        raise ValueError(f"{name}: the header has no @column")
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise ValueError(f"{name}: a parameter is declared twice")
    return LibraryQuery(name, purpose, tuple(params), tuple(columns), text)


@cache
def library() -> dict[str, LibraryQuery]:
    """Every library query, by name (``topic/name``), sorted."""
    return {
        n.removeprefix(LIBRARY_PREFIX): parse_header(
            n.removeprefix(LIBRARY_PREFIX), catalog.query(n)
        )
        for n in catalog.all_query_names()
        if n.startswith(LIBRARY_PREFIX)
    }


def get_query(name: str) -> LibraryQuery:
    """The library query ``name`` (``topic/name``; a ``queries/`` prefix is accepted).

    Raises:
        UnknownQuery: there is none.
    """
    found = library().get(name.strip().removeprefix(LIBRARY_PREFIX))
    if found is None:
        raise UnknownQuery(
            "no library query has this name (idgraph cypher list shows them)", "name"
        )
    return found


# --- parameters --------------------------------------------------------------------------------

_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


def _bad(param: Parameter, what: str) -> InvalidParameter:
    return InvalidParameter(f"parameter {param.name!r} must be {what}", f"params.{param.name}")


def coerce(param: Parameter, value: object) -> Any:
    """``value`` (from JSON or a command line) as ``param``'s declared type.

    Strings are parsed (``"12"`` for an int, ``"true"`` for a bool, ISO 8601 for a
    date-time; a date-time without a zone is UTC).

    Raises:
        InvalidParameter: it is not a value of that type; the message names the
            parameter, never the value.
    """
    kind = param.type
    if value is None:
        raise _bad(param, f"a {kind}, not null")
    if kind == "string":
        if isinstance(value, str):
            return value
        raise _bad(param, "a string")
    if kind == "int":
        if isinstance(value, bool):
            raise _bad(param, "an integer")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise _bad(param, "an integer")
    if kind == "float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                pass
        raise _bad(param, "a number")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise _bad(param, "true or false")
    # datetime
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    raise _bad(param, "an ISO 8601 date-time such as 2026-03-01T00:00:00Z")


def bind_params(query: LibraryQuery, given: Mapping[str, object]) -> dict[str, Any]:
    """The parameters for a run of ``query``: ``given`` typed, defaults filled in.

    Raises:
        InvalidParameter: an unknown parameter, a missing one (without a default), or a
            value of the wrong type; the message names it.
    """
    declared = {p.name: p for p in query.parameters}
    for name in given:
        if name not in declared:
            known = ", ".join(declared) or "none"
            raise InvalidParameter(
                f"unknown parameter {name!r} for {query.name} (its parameters: {known})",
                f"params.{name}",
            )
    bound: dict[str, Any] = {}
    for name, param in declared.items():
        if name in given:
            bound[name] = coerce(param, given[name])
        elif param.has_default:
            bound[name] = param.example
        else:
            raise InvalidParameter(
                f"missing parameter {name!r} ({param.type}) for {query.name}", f"params.{name}"
            )
    return bound


def parse_cli_params(pairs: list[str]) -> dict[str, str]:
    """``key=value`` strings as a dict (values still text: :func:`coerce` types them).

    Raises:
        InvalidParameter: an item is not ``key=value`` or a key is given twice.
    """
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not _NAME.fullmatch(key):
            raise InvalidParameter("a --param is not key=value with a parameter name", "params")
        if key in params:
            raise InvalidParameter(f"parameter {key!r} is given twice", f"params.{key}")
        params[key] = value
    return params


# --- the read-only gate ------------------------------------------------------------------------


def _scrub(text: str) -> str:
    """The query without comments, with string literals emptied and quoted names
    replaced by a placeholder, so keywords are found only where they are keywords."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            out.append(" ")
        elif c in "'\"":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append("''")
            i = j + 1
        elif c == "`":
            end = text.find("`", i + 1)
            out.append(" _quoted_ ")
            i = n if end < 0 else end + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


_LOAD_CSV = re.compile(r"\bLOAD\s+CSV\b", re.IGNORECASE)
_IN_TRANSACTIONS = re.compile(r"\bIN\s+(?:\S+\s+)?(?:CONCURRENT\s+)?TRANSACTIONS\b", re.I)
_USE = re.compile(r"(?:^|[\s{(])USE\s", re.IGNORECASE)
_PROCEDURE = re.compile(r"\bCALL\s+([A-Za-z_][\w]*(?:\s*\.\s*[A-Za-z_]\w*)*)", re.IGNORECASE)
# Write clauses, not property keys (n.set) or map keys ({create: 1}).
_WRITE_WORDS = re.compile(
    r"(?<![.\w$])(CREATE|MERGE|SET|DELETE|DETACH|REMOVE|DROP|FOREACH)\b(?!\s*:)", re.I
)


def check_read_only_text(text: str) -> None:
    """The static half of the read-only gate (the other half is ``EXPLAIN``).

    Raises:
        QueryRefused: the text is empty, several statements, not a read query, or
            uses LOAD CSV, CALL { } IN TRANSACTIONS, USE, or a procedure that is not
            one of :data:`READ_PROCEDURES`.
    """
    scrubbed = _scrub(text).strip()
    if scrubbed.endswith(";"):
        scrubbed = scrubbed[:-1].rstrip()
    if not scrubbed:
        raise QueryRefused("the query is empty", "query")
    if ";" in scrubbed:
        raise QueryRefused("one statement at a time: the query has several", "query")
    first = scrubbed.split(None, 1)[0].upper()
    first = re.split(r"[^A-Z]", first, maxsplit=1)[0]
    if first not in _FIRST_CLAUSES:
        word = first if first.isalpha() and len(first) <= 20 else "something else"
        raise QueryRefused(
            f"only read queries may run: they start with MATCH, OPTIONAL MATCH, WITH, "
            f"UNWIND, RETURN or CALL, not {word} (no writes, schema or admin commands)",
            "query",
        )
    if _LOAD_CSV.search(scrubbed):
        raise QueryRefused("LOAD CSV is not allowed", "query")
    if _IN_TRANSACTIONS.search(scrubbed):
        raise QueryRefused("CALL { } IN TRANSACTIONS is not allowed", "query")
    if _USE.search(scrubbed):
        raise QueryRefused("the USE clause is not allowed: queries run on the graph", "query")
    for match in _PROCEDURE.finditer(scrubbed):
        procedure = re.sub(r"\s+", "", match.group(1)).lower()
        if procedure not in READ_PROCEDURES:
            raise QueryRefused(
                "only read-only schema procedures may be called (db.labels, "
                "db.relationshipTypes, db.propertyKeys, db.schema.*, db.index.*.query*)",
                "query",
            )
    write = _WRITE_WORDS.search(scrubbed)
    if write is not None:
        raise QueryRefused(
            f"the query writes ({write.group(1).upper()}): only read-only queries may run",
            "query",
        )


# --- running ---------------------------------------------------------------------------------


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
        if not isinstance(key, str) or not _NAME.fullmatch(key):
            raise InvalidParameter("a parameter name is not a valid name", "params")
    return _run(repo, text, bound, limit, timeout_s)
