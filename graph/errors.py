"""The one error tree of idgraph.

Every error the core raises on purpose is an ``IdgraphError``; the API maps the
tree to HTTP status codes in one place (``api.errors``) and the CLI prints the
message and exits non-zero. Driver errors never leave the store: ``graph.store``
translates them into this tree in one place. Messages never contain identifier values
in clear: identifiers are personal data (use :func:`mask` where a value must be hinted
at).

::

    IdgraphError
    ├── ConfigurationError              bad settings or environment (exit 2; HTTP 500)
    ├── AccessError                     the caller may not do this
    │   ├── NotAuthenticated            no API key, or an unknown one (HTTP 401)
    │   └── NotAllowed                  the key's role may not do this (HTTP 403)
    ├── DatabaseError                   Neo4j problems (HTTP 503)
    │   ├── DatabaseUnavailable         cannot connect / authenticate / lost the server
    │   ├── TransactionTimedOut         a transaction ran past its time-out
    │   ├── StatementRejected           Neo4j refused a statement (its code, no message)
    │   │   ├── ConstraintViolated      a uniqueness constraint failed
    │   │   └── ReadOnlyViolated        a statement wrote in a read transaction
    │   ├── MergeChainBroken            an identity's merge history is inconsistent (409)
    │   ├── LocalDatabaseError          the project-managed Neo4j failed (carries log tail)
    │   └── ResetRefused                a destructive action was not confirmed
    ├── InputError                      bad user input (HTTP 422)
    │   ├── InvalidIdentifier           one identifier does not validate
    │   ├── InvalidEvent                one event does not validate
    │   ├── ExplorationTimedOut         a graph exploration asked for too much
    │   └── AnalystQueryError           an analyst's query cannot run as asked
    │       ├── UnknownQuery            no library query has this name
    │       ├── InvalidParameter        a parameter is unknown, missing or mistyped
    │       ├── QueryRefused            the query is not read-only
    │       ├── QueryFailed             Neo4j refused the query (syntax, types...)
    │       └── QueryTimedOut           the query ran past its time-out
    └── NotFound                        an entity does not exist (HTTP 404)
"""

from __future__ import annotations

__all__ = [
    "AccessError",
    "AnalystQueryError",
    "ConfigurationError",
    "ConstraintViolated",
    "DatabaseError",
    "DatabaseUnavailable",
    "ExplorationTimedOut",
    "IdgraphError",
    "InputError",
    "InvalidEvent",
    "InvalidIdentifier",
    "InvalidParameter",
    "LocalDatabaseError",
    "MergeChainBroken",
    "NotAllowed",
    "NotAuthenticated",
    "NotFound",
    "QueryFailed",
    "QueryRefused",
    "QueryTimedOut",
    "ReadOnlyViolated",
    "ResetRefused",
    "StatementRejected",
    "TransactionTimedOut",
    "UnknownQuery",
    "mask",
]


class IdgraphError(Exception):
    """Root of every error idgraph raises on purpose."""


class ConfigurationError(IdgraphError):
    """Settings or the environment are wrong (missing Java, bad port...)."""


# --- access ----------------------------------------------------------------------------------


class AccessError(IdgraphError):
    """The caller may not do what it asked."""


class NotAuthenticated(AccessError):
    """No API key, or not a valid one (HTTP 401)."""


class NotAllowed(AccessError):
    """A valid API key whose role may not do this (HTTP 403)."""


# --- the database ----------------------------------------------------------------------------


class DatabaseError(IdgraphError):
    """Something is wrong with the Neo4j database.

    Attributes:
        code: Neo4j's status code when the server gave one (``Neo.ClientError...``),
            else ``""``. Messages carry the code, never Neo4j's own text, which may
            quote parameters (personal data).
    """

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class DatabaseUnavailable(DatabaseError):
    """Neo4j cannot be reached, refuses our credentials, or went away mid-way."""


class TransactionTimedOut(DatabaseError):
    """A transaction ran longer than its time-out and the server stopped it."""


class StatementRejected(DatabaseError):
    """Neo4j refused a statement (syntax, types, a constraint, an access mode...).

    Attributes:
        line, column: where in the statement, when Neo4j said (a syntax error).
    """

    def __init__(
        self, message: str, code: str = "", line: int | None = None, column: int | None = None
    ) -> None:
        super().__init__(message, code)
        self.line = line
        self.column = column


class ConstraintViolated(StatementRejected):
    """A write broke a uniqueness constraint (a concurrent writer created the node)."""


class ReadOnlyViolated(StatementRejected):
    """A statement tried to write inside a read transaction."""


class MergeChainBroken(DatabaseError):
    """The merge history of an identity does not lead to an identity (a cycle, a
    merged identity without a target, a target that does not exist, or a chain too
    long): the data is inconsistent, not the request."""


class LocalDatabaseError(DatabaseError):
    """The project-managed local Neo4j could not be installed, started or stopped.

    Attributes:
        log_tail: the last lines of the server's logs, to show the user why.
    """

    def __init__(self, message: str, log_tail: str = "") -> None:
        super().__init__(message)
        self.log_tail = log_tail

    def __str__(self) -> str:
        base = super().__str__()
        if self.log_tail:
            return f"{base}\n--- last lines of the Neo4j log ---\n{self.log_tail}"
        return base


class ResetRefused(DatabaseError):
    """A destructive action was asked for without confirmation."""


# --- input -----------------------------------------------------------------------------------


class InputError(IdgraphError):
    """Input from a user or a file is wrong.

    Attributes:
        location: where the problem is (a JSON path such as ``identifiers[1].value``,
            or ``line 12``), never the offending value itself.
    """

    def __init__(self, message: str, location: str = "") -> None:
        super().__init__(message)
        self.location = location


class InvalidIdentifier(InputError):
    """One identifier does not pass its type's validation."""


class InvalidEvent(InputError):
    """One event does not follow the event format."""


class ExplorationTimedOut(InputError):
    """The exploration ran longer than its time-out: the caller should ask for less."""


class AnalystQueryError(InputError):
    """A library or ad-hoc query cannot run as asked."""


class UnknownQuery(AnalystQueryError):
    """No library query has this name."""


class InvalidParameter(AnalystQueryError):
    """A parameter is unknown, missing or of the wrong type (``location`` names it)."""


class QueryRefused(AnalystQueryError):
    """The query is not a read-only query: it writes, changes the schema, loads files,
    runs administration commands or calls a procedure that is not allowed."""


class QueryFailed(AnalystQueryError):
    """Neo4j refused the query (syntax error, type error...)."""


class QueryTimedOut(AnalystQueryError):
    """The query ran longer than its timeout."""


class NotFound(IdgraphError):
    """The requested entity does not exist."""


def mask(value: str) -> str:
    """Hint at a personal value without revealing it: first and last character only.

    >>> mask("jean.dupont@example.fr")
    'j…r (22 chars)'
    """
    if len(value) < 8:  # too short to hint at without giving much of it away
        return f"… ({len(value)} chars)"
    return f"{value[0]}…{value[-1]} ({len(value)} chars)"
