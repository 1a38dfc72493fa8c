"""The contract of the one gateway to Neo4j: :class:`GraphStore`.

Everything in ``graph/`` that needs the database gets a ``GraphStore`` and runs named
queries of the catalog (:mod:`graph.store.catalog`) through it; nothing else opens a
session. Each method declares whether it reads or writes (:func:`reads`, :func:`writes`),
so that routing reads to a cluster's readers is a switch inside the store, and an audit
test checks that no method is left undeclared. Driver errors never leave a store: they
come out as :class:`~graph.errors.DatabaseError` and its subclasses.

The Neo4j implementation is :class:`graph.store.repository.Neo4jStore`; tests use the
recording fake in ``tests/fakes.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, TypeVar

__all__ = [
    "Access",
    "GraphStore",
    "Row",
    "TextResult",
    "Tx",
    "access_of",
    "reads",
    "writes",
]

Row = dict[str, Any]
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


class Access(StrEnum):
    """What a store method does to the database: routed to a reader or to the writer."""

    READ = "read"
    WRITE = "write"


def reads(method: F) -> F:
    """Declare a store method a read (a cluster may route it to a reader)."""
    method.__idgraph_access__ = Access.READ  # type: ignore[attr-defined]
    return method


def writes(method: F) -> F:
    """Declare a store method a write (it runs on the writer, like every GDS call)."""
    method.__idgraph_access__ = Access.WRITE  # type: ignore[attr-defined]
    return method


def access_of(method: Callable[..., Any]) -> Access | None:
    """The access a method declared with :func:`reads` or :func:`writes`, else None."""
    found = getattr(method, "__idgraph_access__", None)
    return found if isinstance(found, Access) else None


class Tx(Protocol):
    """One open transaction: the named queries of a unit of work run inside it."""

    def rows(self, name: str, /, **params: Any) -> list[Row]:
        """Every record of the named query, values as Python's (date-times...)."""
        ...

    def single(self, name: str, /, **params: Any) -> Row | None:
        """The first record of the named query (values as Python's), or None."""
        ...

    def raw_single(self, name: str, /, **params: Any) -> Row | None:
        """The first record as the driver decodes it, or None: for hot queries that
        return epoch milliseconds instead of date-times."""
        ...


@dataclass(frozen=True)
class TextResult:
    """The answer of an analyst's query text: converted rows, at most the limit."""

    columns: list[str]
    rows: list[Row]
    truncated: bool
    """More rows were there than the limit (the rest was never fetched)."""


class GraphStore(Protocol):
    """Reads and writes of the identity graph in one Neo4j database.

    Queries are named (``"identity/cluster/neighbours"``); values always go in as
    parameters. Every method may raise :class:`~graph.errors.DatabaseError` or one of its
    subclasses (:class:`~graph.errors.DatabaseUnavailable`,
    :class:`~graph.errors.TransactionTimedOut`, :class:`~graph.errors.StatementRejected`...).
    """

    database: str

    @reads
    def read(self, name: str, /, **params: Any) -> list[Row]:
        """The named query's rows, in one read transaction (retried on transient errors)."""
        ...

    @reads
    def read_chunks(
        self, name: str, ids: Sequence[str], /, chunk: int = 10_000, **params: Any
    ) -> list[Row]:
        """The named query run once per ``chunk`` of ``ids`` (parameter ``ids``)."""
        ...

    @reads
    def stream(self, name: str, /, **params: Any) -> Iterator[Row]:
        """The named query's rows as they come (a large export), outside a managed
        transaction: not retried."""
        ...

    @reads
    def read_transaction(self, work: Callable[[Tx], T], *, timeout: float | None = None) -> T:
        """``work`` in one read transaction, stopped by the server after ``timeout`` s."""
        ...

    @writes
    def write(self, name: str, /, **params: Any) -> list[Row]:
        """The named query in one write transaction (retried on transient errors)."""
        ...

    @writes
    def write_batches(
        self, name: str, rows: Sequence[Row], /, batch_size: int = 10_000, **params: Any
    ) -> None:
        """The named query once per ``batch_size`` of ``rows`` (parameter ``rows``)."""
        ...

    @writes
    def write_chunks(
        self, name: str, ids: Sequence[str], /, chunk: int = 10_000, **params: Any
    ) -> list[Row]:
        """The named write once per ``chunk`` of ``ids`` (parameter ``ids``); all rows."""
        ...

    @writes
    def write_transaction(self, work: Callable[[Tx], T]) -> T:
        """``work`` in one write transaction (retried by the driver on transient errors)."""
        ...

    @writes
    def write_retrying(self, work: Callable[[Tx], T]) -> T:
        """``work`` in one write transaction, retried soon (about 20 ms, then doubling)
        on transient errors such as deadlocks between concurrent ingest writers."""
        ...

    @writes
    def write_autocommit(self, name: str, /, **params: Any) -> None:
        """The named query in an auto-commit transaction (``CALL ... IN TRANSACTIONS``)."""
        ...

    @writes
    def run_statements(self, statements: Sequence[str]) -> None:
        """Schema statements of the catalog (migrations), each in its own auto-commit
        transaction, as schema changes must be."""
        ...

    @reads
    def explain(self, text: str, params: Mapping[str, Any], *, timeout: float) -> str:
        """What the planner says a query text does (``r``, ``rw``, ``w``, ``s``), in a
        read session; nothing runs."""
        ...

    @reads
    def read_text(
        self,
        text: str,
        params: Mapping[str, Any],
        *,
        limit: int,
        timeout: float,
        convert: Callable[[Any], Any],
    ) -> TextResult:
        """An analyst's query text in a read transaction, at most ``limit`` rows, each
        value through ``convert``."""
        ...

    @writes
    def gds(self) -> Any:
        """A Graph Data Science client on this database (on the writer: projections
        live in the writer's memory)."""
        ...
