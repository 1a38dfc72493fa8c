"""A recording fake of :class:`graph.store.gateway.GraphStore`, for unit tests.

Like graphdatascience's ``CollectingQueryRunner``: :class:`FakeStore` implements every
method of the protocol, records each call (:class:`Call`: the method, the query's name,
its parameters) and answers from results scripted per query name::

    store = FakeStore()
    store.answer("store/gds_version", StatementRejected("no such function"))
    store.answer("identity/cluster/neighbours", [{"id": "a"}, {"id": "b"}])
    store.answer("store/counts", lambda params: [{"identifiers": 3}])
    assert admin.gds_version(store) is None
    assert store.names() == ["store/gds_version"]

An answer is a list of rows, a function of the call's parameters that returns rows, or
an exception to raise. A query without an answer returns no rows (or, with
``FakeStore(strict=True)``, fails the test). Every name must be a file of the Cypher
catalog, as with the real store: a misspelt name raises ``KeyError``.

``read_transaction``, ``write_transaction`` and ``write_retrying`` run their work function
once with a :class:`FakeTx` that records and answers the same way; the calls made inside
carry the transaction's number (``Call.tx``) and its access. ``read_chunks``,
``write_chunks`` and ``write_batches`` split their input as the real store does and
record (and answer) one call per chunk. ``read_text`` answers from the rows scripted for
the query text; ``explain`` answers ``"r"`` unless ``plans`` says otherwise; ``gds``
returns ``gds_client``, which a test sets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from graph.store import catalog
from graph.store.gateway import Access, GraphStore, Row, TextResult, Tx, reads, writes

__all__ = ["Answer", "Call", "FakeStore", "FakeTx"]

T = TypeVar("T")

Answer = Sequence[Row] | Callable[[dict[str, Any]], Sequence[Row]] | Exception
"""What a scripted query gives: rows, a function of the parameters, or an error."""


@dataclass(frozen=True)
class Call:
    """One recorded call.

    ``method`` is the store's method (``"read"``, ``"write_batches"``...) or, inside a
    transaction, the :class:`~graph.store.gateway.Tx` method (``"rows"``, ``"single"``,
    ``"raw_single"``). ``name`` is the query's name (the text for ``explain`` and
    ``read_text``; None for transactions, ``run_statements`` and ``gds``). ``tx`` is
    the number of the transaction the call belongs to (1, 2... in order; None outside).
    """

    method: str
    name: str | None
    params: dict[str, Any] = field(default_factory=dict)
    access: Access = Access.READ
    tx: int | None = None


class FakeTx:
    """A transaction of a :class:`FakeStore`: records into it and answers from it."""

    def __init__(self, store: FakeStore, number: int, access: Access) -> None:
        self._store = store
        self.number = number
        self.access = access

    def _run(self, method: str, name: str, params: dict[str, Any]) -> list[Row]:
        return self._store._call(method, name, params, self.access, self.number)

    def rows(self, name: str, /, **params: Any) -> list[Row]:
        return self._run("rows", name, params)

    def single(self, name: str, /, **params: Any) -> Row | None:
        found = self._run("single", name, params)
        return found[0] if found else None

    def raw_single(self, name: str, /, **params: Any) -> Row | None:
        found = self._run("raw_single", name, params)
        return found[0] if found else None


class FakeStore:
    """A :class:`~graph.store.gateway.GraphStore` that records calls and answers scripts.

    Args:
        database: the database name the code under test sees.
        strict: a named query without a scripted answer fails the test instead of
            returning no rows.
    """

    def __init__(self, database: str = "neo4j", *, strict: bool = False) -> None:
        self.database = database
        self.strict = strict
        self.calls: list[Call] = []
        self.plans: dict[str, str] = {}
        """``explain`` answers per query text (default ``"r"``)."""
        self.gds_client: Any = None
        """What ``gds()`` returns; None fails the test when the code asks for it."""
        self._answers: dict[str, Answer] = {}
        self._transactions = 0

    # --- scripting and inspection -----------------------------------------------------

    def answer(self, name: str, result: Answer) -> FakeStore:
        """Script the answer of the query ``name`` (or of a query text); returns self."""
        if not isinstance(result, Exception) and not callable(result):
            result = [dict(row) for row in result]
        self._answers[name] = result
        return self

    def names(self, method: str | None = None) -> list[str]:
        """The names of the queries run, in order (only those of ``method`` if given)."""
        return [
            c.name
            for c in self.calls
            if c.name is not None and (method is None or c.method == method)
        ]

    def calls_of(self, name: str) -> list[Call]:
        """The calls that ran the query ``name``, in order."""
        return [c for c in self.calls if c.name == name]

    def params_of(self, name: str) -> list[dict[str, Any]]:
        """The parameters of each run of the query ``name``, in order."""
        return [c.params for c in self.calls_of(name)]

    @property
    def wrote(self) -> bool:
        """Whether any call wrote (a write method, or a query in a write transaction)."""
        return any(c.access is Access.WRITE for c in self.calls)

    # --- the machinery ----------------------------------------------------------------

    def _record(
        self,
        method: str,
        name: str | None,
        params: Mapping[str, Any],
        access: Access,
        tx: int | None = None,
    ) -> None:
        self.calls.append(Call(method, name, dict(params), access, tx))

    def _respond(self, key: str, params: dict[str, Any]) -> list[Row]:
        found = self._answers.get(key)
        if found is None:
            if self.strict:
                raise AssertionError(f"FakeStore: no answer scripted for {key!r}")
            return []
        if isinstance(found, Exception):
            raise found
        rows = found(dict(params)) if callable(found) else found
        return [dict(row) for row in rows]

    def _call(
        self,
        method: str,
        name: str,
        params: dict[str, Any],
        access: Access,
        tx: int | None = None,
    ) -> list[Row]:
        catalog.query(name)  # KeyError for a name the catalog does not have, as for real
        self._record(method, name, params, access, tx)
        return self._respond(name, params)

    def _transaction(
        self, method: str, access: Access, work: Callable[[Tx], T], **params: Any
    ) -> T:
        self._transactions += 1
        number = self._transactions
        self._record(method, None, params, access, number)
        return work(FakeTx(self, number, access))

    # --- reads ------------------------------------------------------------------------

    @reads
    def read(self, name: str, /, **params: Any) -> list[Row]:
        return self._call("read", name, params, Access.READ)

    @reads
    def read_chunks(
        self, name: str, ids: Sequence[str], /, chunk: int = 10_000, **params: Any
    ) -> list[Row]:
        out: list[Row] = []
        for start in range(0, len(ids), chunk):
            part = {"ids": list(ids[start : start + chunk]), **params}
            out.extend(self._call("read_chunks", name, part, Access.READ))
        return out

    @reads
    def stream(self, name: str, /, **params: Any) -> Iterator[Row]:
        # A generator, like the real one: nothing runs before the first row is asked for.
        yield from self._call("stream", name, params, Access.READ)

    @reads
    def read_transaction(self, work: Callable[[Tx], T], *, timeout: float | None = None) -> T:
        return self._transaction("read_transaction", Access.READ, work, timeout=timeout)

    @reads
    def explain(self, text: str, params: Mapping[str, Any], *, timeout: float) -> str:
        self._record("explain", text, {**params, "timeout": timeout}, Access.READ)
        found = self._answers.get(text)
        if isinstance(found, Exception):
            raise found
        return self.plans.get(text, "r")

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
        self._record("read_text", text, params, Access.READ)
        found = self._respond(text, dict(params))
        columns = list(found[0]) if found else []
        rows = [{k: convert(row[k]) for k in columns} for row in found[:limit]]
        return TextResult(columns, rows, len(found) > limit)

    # --- writes -----------------------------------------------------------------------

    @writes
    def write(self, name: str, /, **params: Any) -> list[Row]:
        return self._call("write", name, params, Access.WRITE)

    @writes
    def write_batches(
        self, name: str, rows: Sequence[Row], /, batch_size: int = 10_000, **params: Any
    ) -> None:
        for start in range(0, len(rows), batch_size):
            part = {"rows": list(rows[start : start + batch_size]), **params}
            self._call("write_batches", name, part, Access.WRITE)

    @writes
    def write_chunks(
        self, name: str, ids: Sequence[str], /, chunk: int = 10_000, **params: Any
    ) -> list[Row]:
        out: list[Row] = []
        for start in range(0, len(ids), chunk):
            part = {"ids": list(ids[start : start + chunk]), **params}
            out.extend(self._call("write_chunks", name, part, Access.WRITE))
        return out

    @writes
    def write_transaction(self, work: Callable[[Tx], T]) -> T:
        return self._transaction("write_transaction", Access.WRITE, work)

    @writes
    def write_retrying(self, work: Callable[[Tx], T]) -> T:
        return self._transaction("write_retrying", Access.WRITE, work)

    @writes
    def write_autocommit(self, name: str, /, **params: Any) -> None:
        self._call("write_autocommit", name, params, Access.WRITE)

    @writes
    def run_statements(self, statements: Sequence[str]) -> None:
        self._record("run_statements", None, {"statements": list(statements)}, Access.WRITE)
        for statement in statements:
            found = self._answers.get(statement)
            if isinstance(found, Exception):
                raise found

    @writes
    def gds(self) -> Any:
        self._record("gds", None, {}, Access.WRITE)
        if self.gds_client is None:
            raise AssertionError("FakeStore: the code asked for GDS; set gds_client")
        return self.gds_client


def _conforms(store: FakeStore) -> GraphStore:
    """mypy checks here that FakeStore matches the GraphStore protocol."""
    return store
