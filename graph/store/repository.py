"""The Neo4j implementation of :class:`~graph.store.gateway.GraphStore`, and ``connect``.

:class:`Neo4jStore` is the only object that opens a session. Queries come from the
catalog (:mod:`graph.store.catalog`), values always go in as parameters, reads run with
``execute_read`` (routable on a cluster), writes with ``execute_write`` (retried by the
driver on transient errors such as deadlocks); :meth:`Neo4jStore.write_retrying` retries
sooner than the driver would, for ingest batches. Driver errors are translated once, by
:func:`graph.store.translate.translated` around every method.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, LiteralString, TypeVar

import neo4j
from neo4j import Driver, GraphDatabase
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable

from graph.errors import ConfigurationError, DatabaseUnavailable
from graph.settings import Settings
from graph.store import catalog
from graph.store.gateway import Row, TextResult, reads, writes
from graph.store.translate import translated

__all__ = ["Neo4jStore", "bolt_answers", "connect", "native", "row_of"]

T = TypeVar("T")
log = logging.getLogger("idgraph.store")

_RETRY_SECONDS = 60.0
"""How long :meth:`Neo4jStore.write_retrying` retries transient errors (deadlocks, a
lost connection) before the error is raised."""
_RETRY_FIRST_DELAY = 0.02
_RETRY_MAX_DELAY = 1.0


def native(value: Any) -> Any:
    """Neo4j temporal values to Python's (``datetime``...), recursively in lists and maps."""
    if hasattr(value, "to_native"):
        return value.to_native()
    if isinstance(value, list):
        return [native(v) for v in value]
    if isinstance(value, dict):
        return {k: native(v) for k, v in value.items()}
    return value


def row_of(record: neo4j.Record) -> Row:
    """A record as a row of Python values."""
    return {k: native(record[k]) for k in record.keys()}


def _q(name: str) -> LiteralString:
    # The catalog's files are part of the package, not user input: safe as query text.
    return catalog.query(name)


class _Tx:
    """A driver transaction seen through :class:`~graph.store.gateway.Tx`."""

    __slots__ = ("_tx",)

    def __init__(self, tx: neo4j.ManagedTransaction | neo4j.Transaction) -> None:
        self._tx = tx

    def rows(self, name: str, /, **params: Any) -> list[Row]:
        return [row_of(r) for r in self._tx.run(_q(name), params)]

    def single(self, name: str, /, **params: Any) -> Row | None:
        record = self._tx.run(_q(name), params).single()
        return None if record is None else row_of(record)

    def raw_single(self, name: str, /, **params: Any) -> Row | None:
        record = self._tx.run(_q(name), params).single()
        return None if record is None else dict(record)


def _password(settings: Settings) -> str:
    if settings.neo4j_password is not None:
        return settings.neo4j_password.get_secret_value()
    if settings.uses_local_db:
        from graph.localdb.server import LocalNeo4j

        return LocalNeo4j(settings).password()
    raise ConfigurationError("NEO4J_URI is set but NEO4J_PASSWORD is not")


def connect(settings: Settings) -> Driver:
    """A driver for the configured server (``NEO4J_URI``) or the local one.

    Raises:
        DatabaseUnavailable: the server does not answer or refuses the credentials.
    """
    driver = GraphDatabase.driver(
        settings.bolt_uri,
        auth=(settings.neo4j_username, _password(settings)),
        max_connection_pool_size=50,
        notifications_min_severity="OFF",
        connection_acquisition_timeout=30.0,
    )
    try:
        driver.verify_connectivity()
    except AuthError as e:
        driver.close()
        raise DatabaseUnavailable(
            f"Neo4j at {settings.bolt_uri} refused the credentials of user "
            f"'{settings.neo4j_username}'"
        ) from e
    except (ServiceUnavailable, OSError) as e:
        driver.close()
        hint = "" if settings.neo4j_uri else " (start it with: idgraph db start)"
        raise DatabaseUnavailable(f"Neo4j does not answer at {settings.bolt_uri}{hint}") from e
    return driver


def bolt_answers(uri: str, auth: tuple[str, str]) -> bool:
    """Whether a server answers Bolt at ``uri`` with these credentials (a server starting).

    Returns:
        False while nothing answers yet.

    Raises:
        DatabaseUnavailable: a server answers but refuses the credentials.
    """
    try:
        with GraphDatabase.driver(uri, auth=auth) as driver:
            driver.verify_connectivity()
    except AuthError as e:
        raise DatabaseUnavailable("Neo4j refused the credentials", e.code or "") from e
    except (ServiceUnavailable, OSError):
        return False
    return True


class Neo4jStore:
    """The identity graph in one Neo4j database (see :class:`~graph.store.gateway.GraphStore`).

    Args:
        driver: an open driver; the store does not close it.
        database: the database name (``NEO4J_DATABASE``).
    """

    def __init__(self, driver: Driver, database: str = "neo4j") -> None:
        self.driver = driver
        self.database = database

    def _session(self, access: str, **config: Any) -> neo4j.Session:
        return self.driver.session(database=self.database, default_access_mode=access, **config)

    # --- reads ---------------------------------------------------------------------------

    @reads
    def read(self, name: str, /, **params: Any) -> list[Row]:
        def work(tx: neo4j.ManagedTransaction) -> list[Row]:
            return [row_of(r) for r in tx.run(_q(name), params)]

        with translated(), self._session(neo4j.READ_ACCESS) as session:
            return session.execute_read(work)

    @reads
    def read_chunks(
        self, name: str, ids: Sequence[str], /, chunk: int = 10_000, **params: Any
    ) -> list[Row]:
        out: list[Row] = []
        for start in range(0, len(ids), chunk):
            out.extend(self.read(name, ids=list(ids[start : start + chunk]), **params))
        return out

    @reads
    def stream(self, name: str, /, **params: Any) -> Iterator[Row]:
        with translated(), self._session(neo4j.READ_ACCESS) as session:
            for record in session.run(_q(name), params):
                yield row_of(record)

    @reads
    def read_transaction(self, work: Callable[[Any], T], *, timeout: float | None = None) -> T:
        def unit(tx: neo4j.ManagedTransaction) -> T:
            return work(_Tx(tx))

        run = unit if timeout is None else neo4j.unit_of_work(timeout=timeout)(unit)
        with translated(), self._session(neo4j.READ_ACCESS) as session:
            return session.execute_read(run)

    @reads
    def explain(self, text: str, params: Mapping[str, Any], *, timeout: float) -> str:
        with translated(), self._session(neo4j.READ_ACCESS) as session:
            plan = session.run(neo4j.Query("EXPLAIN " + text, timeout=timeout), dict(params))
            return str(plan.consume().query_type)

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
        def work(tx: neo4j.ManagedTransaction) -> TextResult:
            # The text was checked read-only by the analyst gate and EXPLAIN before.
            result = tx.run(text, dict(params))
            columns = list(result.keys())
            rows: list[Row] = []
            for record in result:
                if len(rows) >= limit:
                    return TextResult(columns, rows, True)  # the rest is never fetched
                rows.append({k: convert(record[k]) for k in columns})
            return TextResult(columns, rows, False)

        with (
            translated(),
            self._session(neo4j.READ_ACCESS, fetch_size=min(limit + 1, 1000)) as session,
        ):
            return session.execute_read(neo4j.unit_of_work(timeout=timeout)(work))

    # --- writes --------------------------------------------------------------------------

    @writes
    def write(self, name: str, /, **params: Any) -> list[Row]:
        def work(tx: neo4j.ManagedTransaction) -> list[Row]:
            return [row_of(r) for r in tx.run(_q(name), params)]

        with translated(), self._session(neo4j.WRITE_ACCESS) as session:
            return session.execute_write(work)

    @writes
    def write_batches(
        self, name: str, rows: Sequence[Row], /, batch_size: int = 10_000, **params: Any
    ) -> None:
        for start in range(0, len(rows), batch_size):
            self.write(name, rows=list(rows[start : start + batch_size]), **params)

    @writes
    def write_chunks(
        self, name: str, ids: Sequence[str], /, chunk: int = 10_000, **params: Any
    ) -> list[Row]:
        out: list[Row] = []
        for start in range(0, len(ids), chunk):
            out.extend(self.write(name, ids=list(ids[start : start + chunk]), **params))
        return out

    @writes
    def write_transaction(self, work: Callable[[Any], T]) -> T:
        def unit(tx: neo4j.ManagedTransaction) -> T:
            return work(_Tx(tx))

        with translated(), self._session(neo4j.WRITE_ACCESS) as session:
            return session.execute_write(unit)

    @writes
    def write_retrying(self, work: Callable[[Any], T]) -> T:
        """Like ``execute_write``, but the first retry comes after about 20 ms instead of
        the driver's one second: a deadlock between two ingest writers is resolved by the
        server failing one of them, and the other has released nothing it needs, so the
        victim may start over at once (the jitter keeps the two from meeting again).
        """
        deadline = time.monotonic() + _RETRY_SECONDS
        delay = _RETRY_FIRST_DELAY
        # fetch_size=-1: results come in one message, not a round trip per 1,000 rows.
        with translated(), self._session(neo4j.WRITE_ACCESS, fetch_size=-1) as session:
            while True:
                try:
                    with session.begin_transaction() as tx:
                        result = work(_Tx(tx))
                        tx.commit()
                        return result
                except (Neo4jError, DriverError) as e:
                    if not e.is_retryable() or time.monotonic() + delay > deadline:
                        raise
                    code = getattr(e, "code", None) or type(e).__name__
                    log.info("write failed on %s; retrying", code)
                time.sleep(delay * random.uniform(0.5, 1.5))
                delay = min(delay * 2, _RETRY_MAX_DELAY)

    @writes
    def write_autocommit(self, name: str, /, **params: Any) -> None:
        with translated(), self._session(neo4j.WRITE_ACCESS) as session:
            session.run(_q(name), params).consume()

    @writes
    def run_statements(self, statements: Sequence[str]) -> None:
        with translated(), self._session(neo4j.WRITE_ACCESS) as session:
            for statement in statements:
                session.run(statement).consume()

    @writes
    def gds(self) -> Any:
        from graphdatascience import GraphDataScience

        return GraphDataScience(
            self.driver, database=self.database, arrow=False, show_progress=False
        )
