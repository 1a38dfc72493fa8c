"""The analysts' query library: named read-only queries, their headers and parameters.

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

Parameters given by a caller (JSON or ``--param key=value``) are typed by
:func:`coerce` and checked against the header by :func:`bind_params`; errors are
:class:`~graph.errors.UnknownQuery` and :class:`~graph.errors.InvalidParameter`, whose
messages name parameters, never their values. Running a query is
:mod:`graph.analyst.runner`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any, Literal, get_args

from graph.errors import InvalidParameter, UnknownQuery
from graph.store import catalog

__all__ = [
    "LIBRARY_PREFIX",
    "PARAM_TYPES",
    "Column",
    "LibraryQuery",
    "ParamType",
    "Parameter",
    "bind_params",
    "coerce",
    "get_query",
    "is_parameter_name",
    "library",
    "parse_cli_params",
    "parse_header",
]

LIBRARY_PREFIX = "queries/"

ParamType = Literal["string", "int", "float", "bool", "datetime"]
PARAM_TYPES: tuple[str, ...] = get_args(ParamType)

_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)\.\s")


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


def is_parameter_name(text: str) -> bool:
    """Whether ``text`` may name a query parameter (letters, digits, ``_``; no digit first)."""
    return _NAME.fullmatch(text) is not None


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


# --- parameters ---------------------------------------------------------------------------------

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
