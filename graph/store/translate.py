"""Driver errors into the error tree, in one place (the way httpx maps transport errors).

Every method of :class:`graph.store.repository.Neo4jStore` runs inside
:func:`translated`; nothing outside ``graph.store`` sees a ``neo4j`` exception. Messages
carry Neo4j's status code, never its text: the text may quote parameters, which are
personal data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConstraintError,
    DriverError,
    IncompleteCommit,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from graph.errors import (
    ConstraintViolated,
    DatabaseError,
    DatabaseUnavailable,
    IdgraphError,
    ReadOnlyViolated,
    StatementRejected,
    TransactionTimedOut,
)

__all__ = ["is_timeout_code", "translate", "translated"]

_POSITION = re.compile(r"\(line (\d+), column (\d+)")
_TIMEOUT_CODES = ("TimedOut", "Terminated", "LockClientStopped")
_READ_ONLY_CODES = ("AccessMode", "ForbiddenOnReadOnlyDatabase")


def is_timeout_code(code: str) -> bool:
    """Whether a Neo4j status code says the server stopped the transaction (time-out)."""
    return any(part in code for part in _TIMEOUT_CODES)


def translate(e: Exception) -> IdgraphError:
    """The domain error for a driver error (the caller raises it ``from e``)."""
    if isinstance(e, AuthError):
        return DatabaseUnavailable("Neo4j refused the credentials", e.code or "")
    if isinstance(e, ServiceUnavailable | SessionExpired | IncompleteCommit):
        return DatabaseUnavailable(f"Neo4j is not reachable ({type(e).__name__})")
    if isinstance(e, Neo4jError):
        code = e.code or "unknown"
        if is_timeout_code(code):
            return TransactionTimedOut(f"the transaction ran past its time-out ({code})", code)
        if isinstance(e, ConstraintError):
            return ConstraintViolated(f"Neo4j refused a write ({code})", code)
        if any(part in code for part in _READ_ONLY_CODES):
            return ReadOnlyViolated(f"a read transaction tried to write ({code})", code)
        if isinstance(e, ClientError):
            where = _POSITION.search(e.message or "")
            line, column = (int(where.group(1)), int(where.group(2))) if where else (None, None)
            return StatementRejected(f"Neo4j refused the statement ({code})", code, line, column)
        return DatabaseError(f"Neo4j error {code}", code)
    if isinstance(e, DriverError):
        return DatabaseError(f"Neo4j driver error ({type(e).__name__})")
    if isinstance(e, ConnectionError):
        return DatabaseUnavailable(f"Neo4j is not reachable ({type(e).__name__})")
    raise TypeError(f"not a driver error: {type(e).__name__}")


@contextmanager
def translated() -> Iterator[None]:
    """Run the block; a driver error leaves it as the matching :class:`DatabaseError`."""
    try:
        yield
    except (Neo4jError, DriverError, ConnectionError) as e:
        raise translate(e) from e
