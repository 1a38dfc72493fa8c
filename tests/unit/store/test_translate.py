"""Driver errors leave the store as the error tree's, with the code and never the text."""

from __future__ import annotations

import pytest
from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired

from graph.errors import (
    ConstraintViolated,
    DatabaseError,
    DatabaseUnavailable,
    ReadOnlyViolated,
    StatementRejected,
    TransactionTimedOut,
)
from graph.store.translate import translate, translated


def _server(code: str, message: str = "secret jean.dupont@example.fr") -> Neo4jError:
    return Neo4jError._hydrate_neo4j(code=code, message=message)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration", TransactionTimedOut),
        ("Neo.TransientError.Transaction.LockClientStopped", TransactionTimedOut),
        ("Neo.ClientError.Transaction.Terminated", TransactionTimedOut),
        ("Neo.ClientError.Schema.ConstraintValidationFailed", ConstraintViolated),
        ("Neo.ClientError.Statement.AccessMode", ReadOnlyViolated),
        ("Neo.ClientError.Statement.SyntaxError", StatementRejected),
        ("Neo.TransientError.Transaction.DeadlockDetected", DatabaseError),
        ("Neo.DatabaseError.General.UnknownError", DatabaseError),
    ],
)
def test_server_errors_by_code(code: str, kind: type[DatabaseError]) -> None:
    cause = _server(code)
    error = translate(cause)
    assert type(error) is kind
    assert isinstance(error, DatabaseError) and error.code == cause.code
    assert "jean.dupont" not in str(error)  # Neo4j's text may quote parameters


def test_a_syntax_error_keeps_its_position_only() -> None:
    error = translate(
        _server("Neo.ClientError.Statement.SyntaxError", "Invalid input 'x' (line 3, column 7)")
    )
    assert isinstance(error, StatementRejected)
    assert (error.line, error.column) == (3, 7)
    assert "Invalid input" not in str(error)


@pytest.mark.parametrize("raised", [ServiceUnavailable("gone"), SessionExpired("gone")])
def test_a_lost_server_is_unavailable(raised: Exception) -> None:
    assert isinstance(translate(raised), DatabaseUnavailable)


def test_the_block_raises_the_domain_error_from_the_driver_error() -> None:
    cause = _server("Neo.ClientError.Statement.SyntaxError")
    with pytest.raises(StatementRejected) as caught, translated():
        raise cause
    assert caught.value.__cause__ is cause


def test_other_errors_pass_through_untouched() -> None:
    with pytest.raises(KeyError), translated():
        raise KeyError("not the database's")
