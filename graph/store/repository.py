"""The one object that talks to Neo4j: every Cypher text the code runs goes through it.

Queries come from the catalog (:mod:`graph.store.catalog`), values always go in as
parameters, reads run with ``execute_read`` (routable on a cluster), writes with
``execute_write`` (retried by the driver on transient errors such as deadlocks); an
ingest batch is retried by this module, sooner than the driver would.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, LiteralString, Protocol, TypeVar

import neo4j
from neo4j import Driver, GraphDatabase, ManagedTransaction
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConstraintError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
)

from graph.errors import ConfigurationError, DatabaseUnavailable
from graph.settings import Settings
from graph.store import catalog

__all__ = ["GraphRepository", "connect"]

Row = dict[str, Any]
T = TypeVar("T")
log = logging.getLogger("idgraph.ingest")

_CONSTRAINT_RETRIES = 5
"""Look-up-and-write attempts of an ingest batch that meets events a concurrent writer
just created, before the error is raised."""

_RETRY_SECONDS = 60.0
"""How long an ingest batch is retried on transient errors (deadlocks, a lost
connection) before the error is raised."""
_RETRY_FIRST_DELAY = 0.02
_RETRY_MAX_DELAY = 1.0


def _write_retrying(session: neo4j.Session, work: Callable[[neo4j.Transaction], T]) -> T:
    """Run ``work`` in a write transaction, again on a transient error.

    Like ``execute_write``, but the first retry comes after about 20 ms instead of the
    driver's one second: a deadlock between two ingest writers is resolved by the
    server failing one of them, and the other has released nothing it needs, so the
    victim may start over at once (the jitter keeps the two from meeting again).
    """
    deadline = time.monotonic() + _RETRY_SECONDS
    delay = _RETRY_FIRST_DELAY
    while True:
        try:
            with session.begin_transaction() as tx:
                result = work(tx)
                tx.commit()
                return result
        except (Neo4jError, DriverError) as e:
            if not e.is_retryable() or time.monotonic() + delay > deadline:
                raise
            code = getattr(e, "code", None) or type(e).__name__
            log.info("ingest batch failed on %s; retrying", code)
        time.sleep(delay * random.uniform(0.5, 1.5))
        delay = min(delay * 2, _RETRY_MAX_DELAY)


class BatchPlan(Protocol):
    """What an ingest batch writes, decided as the database answers."""

    def event_keys(self) -> list[Row]:
        """``{source, event_id}`` of each event of the batch, in order."""
        ...

    def rows(self, new: Sequence[int]) -> dict[str, list[Any]]:
        """Parameters of ``ingest/write_batch`` for the batch's events at positions ``new``."""
        ...

    def attachments(self, unassigned: list[list[Any]]) -> list[Row]:
        """``{id, identity_id}`` rows for new identifiers that join an identity.

        Args:
            unassigned: per identifier without identity: its position, node id and the
                identity ids of the identifiers it is linked to.
        """
        ...


def native(value: Any) -> Any:
    """Neo4j temporal values to Python's (``datetime``...), recursively in lists and maps."""
    if hasattr(value, "to_native"):
        return value.to_native()
    if isinstance(value, list):
        return [native(v) for v in value]
    if isinstance(value, dict):
        return {k: native(v) for k, v in value.items()}
    return value


def from_epoch_ms(value: Any) -> datetime | None:
    """An epoch-milliseconds integer (what hot queries return instead of date-times: the
    driver decodes those slowly) as an aware UTC datetime; anything else is None."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, UTC)
    return None


def to_epoch_ms(value: datetime) -> int:
    """An aware datetime as epoch milliseconds (the driver sends ints far faster than
    date-times; queries rebuild them with ``datetime({epochMillis: ...})``)."""
    return round(value.timestamp() * 1000)


def row_of(record: neo4j.Record) -> Row:
    return {k: native(record[k]) for k in record.keys()}


def _q(name: str) -> LiteralString:
    # The catalog's files are part of the package, not user input: safe as query text.
    return catalog.query(name)


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


class GraphRepository:
    """Reads and writes of the identity graph in one Neo4j database.

    Args:
        driver: an open driver; the repository does not close it.
        database: the database name (``NEO4J_DATABASE``).
    """

    def __init__(self, driver: Driver, database: str = "neo4j") -> None:
        self.driver = driver
        self.database = database

    # --- plumbing ------------------------------------------------------------------------

    def _read(self, name: str, **params: Any) -> list[Row]:
        def work(tx: ManagedTransaction) -> list[Row]:
            return [row_of(r) for r in tx.run(_q(name), params)]

        with self.driver.session(database=self.database) as session:
            return session.execute_read(work)

    def _write(self, name: str, **params: Any) -> list[Row]:
        def work(tx: ManagedTransaction) -> list[Row]:
            return [row_of(r) for r in tx.run(_q(name), params)]

        with self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    def session(self) -> neo4j.Session:
        """A session on the repository's database (for multi-query transactions)."""
        return self.driver.session(database=self.database)

    # --- administration --------------------------------------------------------------------

    def ping(self) -> Row:
        """The server's name, version and edition; raises if it does not answer."""
        rows = self._read("store/ping")
        return rows[0] if rows else {}

    def gds_version(self) -> str | None:
        """The GDS plugin's version, or None when the server does not have it."""
        try:
            rows = self._read("store/gds_version")
        except ClientError as e:
            if "Unknown function" in (e.message or "") or "gds" in (e.message or ""):
                return None
            raise
        return str(rows[0]["version"]) if rows else None

    def migrate(self) -> list[str]:
        """Apply every schema migration (idempotent). Returns the names applied."""
        applied = []
        with self.session() as session:
            for name, statements in catalog.schema_migrations():
                for statement in statements:
                    session.run(statement).consume()
                session.run(_q("store/record_migration"), name=name).consume()
                applied.append(name)
        return applied

    def reset_data(self) -> None:
        """Delete every node and relationship; the schema stays. Callers confirm first."""
        with self.session() as session:
            session.run(_q("store/reset_data")).consume()

    def counts(self) -> dict[str, int]:
        """How many identifiers, events, identities, links and referrals the graph holds."""
        rows = self._read("store/counts")
        return {k: int(v) for k, v in rows[0].items()} if rows else {}

    # --- ingest ------------------------------------------------------------------------------

    def write_batch(self, plan: BatchPlan) -> list[int]:
        """Write one batch in one transaction: its new events and what they saw.

        Events are created optimistically, all at once; when one is already in the graph
        the unique constraint fails the transaction, and the batch is written again
        with only the events not found (a re-run, or a concurrent writer, costs that
        look-up; a fresh batch never pays it).

        Returns:
            The positions of the events this batch created (the others were duplicates).
        """

        def write(tx: neo4j.Transaction, new: list[int]) -> None:
            if not new:
                return
            record = tx.run(_q("ingest/write_batch"), plan.rows(new)).single(strict=True)
            attach = plan.attachments(record["unassigned"])
            if attach:
                tx.run(_q("ingest/attach_identities"), rows=attach).consume()

        keys = plan.event_keys()
        everything = list(range(len(keys)))

        def optimistic(tx: neo4j.Transaction) -> list[int]:
            write(tx, everything)
            return everything

        def checked(tx: neo4j.Transaction) -> list[int]:
            found = {int(r["k"]) for r in tx.run(_q("ingest/existing_events"), events=keys)}
            new = [n for n in everything if n not in found]
            write(tx, new)
            return new

        # fetch_size=-1: results come in one message, not a round trip per 1,000 rows.
        with self.driver.session(database=self.database, fetch_size=-1) as session:
            try:
                return _write_retrying(session, optimistic)
            except ConstraintError:
                pass
            for _ in range(_CONSTRAINT_RETRIES):
                try:
                    return _write_retrying(session, checked)
                except ConstraintError:
                    # A concurrent writer created one of the events after the look-up.
                    continue
            return _write_retrying(session, checked)

    # --- clustering ----------------------------------------------------------------------------

    def _write_batches(
        self, name: str, rows: Sequence[Row], batch_size: int, **params: Any
    ) -> None:
        for start in range(0, len(rows), batch_size):
            self._write(name, rows=list(rows[start : start + batch_size]), **params)

    def _read_chunks(
        self, name: str, ids: Sequence[str], chunk: int = 10_000, **params: Any
    ) -> Iterator[Row]:
        for start in range(0, len(ids), chunk):
            yield from self._read(name, ids=list(ids[start : start + chunk]), **params)

    def _write_chunks(
        self, name: str, ids: Sequence[str], chunk: int = 10_000, **params: Any
    ) -> None:
        for start in range(0, len(ids), chunk):
            self._write(name, ids=list(ids[start : start + chunk]), **params)

    def all_identifier_ids(self) -> list[str]:
        with self.session() as session:
            return [str(r["id"]) for r in session.run(_q("identity/cluster/all_identifier_ids"))]

    def changed_identifiers(self) -> list[Row]:
        """Identifiers touched by ingest since the last run: ``id, last_seen`` (epoch ms)."""
        return self._read("identity/cluster/changed_identifiers")

    def clear_changed(self, ids: Sequence[str]) -> None:
        self._write_chunks("identity/cluster/clear_changed", ids)

    def newest_link(self) -> int | None:
        """The newest link's last sighting, epoch ms (None: no link)."""
        rows = self._read("identity/cluster/newest_link")
        return int(rows[0]["newest"]) if rows and rows[0]["newest"] is not None else None

    def mark_hubs(
        self, ids: Sequence[str], limits: Mapping[str, int], non_identifying: Sequence[str]
    ) -> list[str]:
        """Set ``hub`` on the given identifiers (see ``identity/cluster/mark_hubs``); returns those
        that just became hubs."""
        return [
            str(r["id"])
            for start in range(0, len(ids), 10_000)
            for r in self._write(
                "identity/cluster/mark_hubs",
                ids=list(ids[start : start + 10_000]),
                limits=dict(limits),
                non_identifying=list(non_identifying),
            )
        ]

    def write_link_weights(
        self,
        ids: Sequence[str],
        newest: int,
        strength: Mapping[str, float],
        default_strength: float,
        half_life_days: float,
    ) -> None:
        """Set ``weight`` on the links of the given identifiers (``link_weights``)."""
        self._write_chunks(
            "identity/cluster/link_weights",
            ids,
            newest=newest,
            strength=dict(strength),
            default_strength=default_strength,
            half_life_days=half_life_days,
        )

    def neighbours(
        self, ids: Sequence[str], min_weight: float, through_hubs: bool = False
    ) -> list[Row]:
        """Trusted neighbours of the given identifiers: ``id, identity_id``."""
        return list(
            self._read_chunks(
                "identity/cluster/neighbours", ids, min_weight=min_weight, through_hubs=through_hubs
            )
        )

    def identity_member_ids(self, identity_ids: Sequence[str]) -> list[str]:
        return [
            str(r["id"])
            for r in self._read(
                "identity/cluster/identity_members", identity_ids=list(identity_ids)
            )
        ]

    def identifier_nodes(self, ids: Sequence[str]) -> list[Row]:
        """The given identifiers: ``id, type, key, hub, previous``."""
        return list(self._read_chunks("identity/cluster/identifier_nodes", ids))

    def incident_links(self, ids: Sequence[str]) -> list[Row]:
        """Links of the given identifiers: ``a`` (given), ``b``, ``weight``, ``b_identity``;
        a link between two given identifiers comes once from each end."""
        return list(self._read_chunks("identity/cluster/incident_links", ids))

    def identities_info(self, identity_ids: Sequence[str]) -> list[Row]:
        """Those of the given ids that exist or existed: ``identity_id, created, status``."""
        return self._read("identity/cluster/identities_info", identity_ids=list(identity_ids))

    def write_clustering(
        self,
        run_id: str,
        identities: Sequence[Row],
        memberships: Sequence[Row],
        used_by: Sequence[Row],
        changes: Sequence[Row],
        replaced: Sequence[str],
        batch_size: int = 10_000,
    ) -> None:
        """Write a run's identities, memberships, shared uses and history.

        ``replaced``: the identities the run recomputed; those it did not produce again
        (and that were not merged) are retired.
        """
        self._write_batches("identity/cluster/write_identities", identities, batch_size, run=run_id)
        self._write_batches("identity/cluster/write_memberships", memberships, batch_size)
        for start in range(0, max(len(memberships), len(replaced)), batch_size):
            self._write(
                "identity/cluster/clear_used_by",
                ids=[str(r["id"]) for r in memberships[start : start + batch_size]],
                identity_ids=list(replaced[start : start + batch_size]),
            )
        self._write_batches("identity/cluster/write_used_by", used_by, batch_size)
        self._write_batches("identity/cluster/record_changes", changes, batch_size, run=run_id)
        for start in range(0, len(replaced), batch_size):
            self._write(
                "identity/cluster/retire_identities",
                identity_ids=list(replaced[start : start + batch_size]),
                run=run_id,
            )

    def links_by_key(self) -> Iterator[tuple[str, str]]:
        """Every co-occurrence link as a pair of ``type:value`` keys (streamed)."""
        with self.session() as session:
            for record in session.run(_q("identity/cluster/links_by_key")):
                yield str(record["a"]), str(record["b"])

    def export_identities(self) -> Iterator[Row]:
        """Every identifier of an identity with its confidence (streamed, ordered)."""
        with self.session() as session:
            for record in session.run(_q("identity/cluster/export_identities")):
                yield row_of(record)

    # --- resolution ----------------------------------------------------------------------------

    def lookup_identifiers(self, identifiers: Sequence[Row]) -> list[Row]:
        """The known identifiers among ``{type, value}`` rows, with their identity id."""
        return self._read("identity/resolve/lookup_identifiers", identifiers=list(identifiers))

    def identity_members(self, identity_id: str) -> list[Row]:
        """Every identifier of one identity."""
        return self._read("identity/resolve/identity_members", identity_id=identity_id)


def is_database_error(exc: BaseException) -> bool:
    """True for errors that mean the database, not the caller, is at fault."""
    return isinstance(exc, Neo4jError | ServiceUnavailable | DatabaseUnavailable)
