"""Writing one ingest batch in one transaction: optimistic first, checked on a clash.

Events are created optimistically, all at once; when one is already in the graph the
unique constraint fails the transaction, and the batch is written again with only the
events not found (a re-run, or a concurrent writer, costs that look-up; a fresh batch
never pays it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from graph.errors import ConstraintViolated, DatabaseError
from graph.store.gateway import GraphStore, Row, Tx

__all__ = ["BatchPlan", "write_batch"]

_CONSTRAINT_RETRIES = 5
"""Look-up-and-write attempts of an ingest batch that meets events a concurrent writer
just created, before the error is raised."""


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


def write_batch(store: GraphStore, plan: BatchPlan) -> list[int]:
    """Write one batch in one transaction: its new events and what they saw.

    Returns:
        The positions of the events this batch created (the others were duplicates).
    """

    def write(tx: Tx, new: list[int]) -> None:
        if not new:
            return
        record = tx.raw_single("ingest/write_batch", **plan.rows(new))
        if record is None:  # the statement aggregates: it always returns one row
            raise DatabaseError("ingest/write_batch returned no row")
        attach = plan.attachments(record["unassigned"])
        if attach:
            tx.rows("ingest/attach_identities", rows=attach)

    keys = plan.event_keys()
    everything = list(range(len(keys)))

    def optimistic(tx: Tx) -> list[int]:
        write(tx, everything)
        return everything

    def checked(tx: Tx) -> list[int]:
        found = {int(r["k"]) for r in tx.rows("ingest/existing_events", events=keys)}
        new = [n for n in everything if n not in found]
        write(tx, new)
        return new

    try:
        return store.write_retrying(optimistic)
    except ConstraintViolated:
        pass
    for _ in range(_CONSTRAINT_RETRIES):
        try:
            return store.write_retrying(checked)
        except ConstraintViolated:
            # A concurrent writer created one of the events after the look-up.
            continue
    return store.write_retrying(checked)
