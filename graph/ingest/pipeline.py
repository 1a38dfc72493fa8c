"""Ingest: events from files or the API into the graph, with nothing lost.

Every input record ends *accepted*, a *duplicate* (same ``(source, event_id)`` as an
event already in the graph or earlier in the input) or *rejected* (with its line,
the reason and the original text, written to the rejects file): see
:mod:`graph.ingest.outcomes`. The summary keeps
``accepted + duplicates + rejected == records read``. Each event's type and attribute
names become canonical (:mod:`graph.model.event_types`); an accepted event whose type
maps to nothing is stored as ``event`` and counted per source, in the summary and in
the graph (:mod:`graph.ingest.sources`).

Writes are batched: one transaction per batch creates the batch's new events and
upserts what only those new events saw (identifiers, observations, co-occurrence
links pre-aggregated per pair, referrals: :mod:`graph.ingest.rows`), so a re-run
changes nothing. Events are created optimistically, and a batch that meets events
already in the graph is written again without them (see
:func:`graph.ingest.batches.write_batch`). Records come from :mod:`graph.ingest.readers`.
"""

from __future__ import annotations

import gc
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext

from graph.errors import InputError
from graph.ingest.batches import write_batch
from graph.ingest.outcomes import EventOutcome, IngestSummary, reason_category
from graph.ingest.readers import RawRecord
from graph.ingest.rows import Key, Plan, identifier_key
from graph.model.event_types import EventTypeMap, default_event_types
from graph.model.events import PreparedEvent, prepare_event
from graph.model.identifiers import Normaliser
from graph.store.gateway import GraphStore

__all__ = [
    "Ingestor",
]


_gc_lock = threading.Lock()
_gc_users = 0
_gc_saved: tuple[int, int, int] = (0, 0, 0)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect young objects less often while a bulk ingest runs.

    An ingest allocates millions of short-lived rows while it holds a record of every
    outcome: with the default threshold (700 allocations) the cycle collector took 40%
    of ingest's Python time. Ingest makes few cycles, so collecting every 100,000
    allocations costs little memory. The threshold is the whole process's, so only a
    process that does nothing else asks for this (``Ingestor(tune_gc=True)``: the CLI's
    ``idgraph ingest``), never the API, whose resolves run beside its ingests. Shared by
    concurrent ingests of one process; the last one out restores the previous threshold.
    """
    global _gc_users, _gc_saved
    with _gc_lock:
        if _gc_users == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(max(_gc_saved[0], _GC_YOUNG_THRESHOLD), *_gc_saved[1:])
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0:
                gc.set_threshold(*_gc_saved)


_GC_YOUNG_THRESHOLD = 100_000


class Ingestor:
    """Validates, deduplicates and writes events in batches.

    Args:
        repo: where events are written.
        normaliser: validates and normalises identifiers.
        batch_size: events per write transaction.
        event_types: the mapping of sources' event types and attribute names onto
            canonical ones (:func:`graph.model.event_types.load_event_types`); None:
            the built-in defaults.
        on_reject: receives each rejected record and its outcome (e.g. the rejects file).
        writers: write transactions in flight at once. Validation of the next batch
            runs while they write; with 2, the server uses both cores. Concurrent
            batches may still deadlock: the server detects it and the batch is retried
            (:func:`graph.ingest.batches.write_batch`; every step of a batch is re-derived from
            what the database answers, so a retry is exact).
        tune_gc: collect young objects less often while :meth:`ingest` runs (see
            :func:`_fewer_collections`). The collector's thresholds are the whole
            process's: for a bulk load in a process of its own (``idgraph ingest``), never
            in a server, where other requests would run with them. Off by default.
    """

    def __init__(
        self,
        repo: GraphStore,
        normaliser: Normaliser,
        batch_size: int = 5000,
        on_reject: Callable[[RawRecord, EventOutcome], None] | None = None,
        writers: int = 1,
        tune_gc: bool = False,
        event_types: EventTypeMap | None = None,
    ) -> None:
        if writers < 1:
            raise ValueError("writers must be at least 1")
        self.repo = repo
        self.normaliser = normaliser
        self.batch_size = batch_size
        self.on_reject = on_reject
        self.writers = writers
        self.tune_gc = tune_gc
        self.event_types = event_types or default_event_types()

    def ingest(
        self,
        records: Iterable[RawRecord],
        progress: Callable[[int], None] | None = None,
    ) -> tuple[IngestSummary, list[EventOutcome]]:
        """Ingest records; returns the summary and one outcome per record, in order."""
        summary = IngestSummary()
        outcomes: list[EventOutcome] = []
        pending: list[tuple[EventOutcome, PreparedEvent]] = []
        seen: set[tuple[str, str]] = set()
        collections = _fewer_collections() if self.tune_gc else nullcontext()
        with collections, _WritePipeline(self, summary) as pipeline:
            for record in records:
                summary.read += 1
                outcome = EventOutcome(line=record.line, status="accepted")
                outcomes.append(outcome)
                event = self._prepare(record, outcome, summary)
                if event is None:
                    continue
                if event.dedup_key in seen:
                    outcome.status = "duplicate"
                    summary.duplicates += 1
                    continue
                seen.add(event.dedup_key)
                pending.append((outcome, event))
                if len(pending) >= self.batch_size:
                    pending = pipeline.submit(pending)
                    if progress:
                        progress(summary.read)
            pipeline.finish(pending)
        if progress:
            progress(summary.read)
        return summary, outcomes

    def _prepare(
        self, record: RawRecord, outcome: EventOutcome, summary: IngestSummary
    ) -> PreparedEvent | None:
        """Validate one record; a rejected one is recorded and gives None."""
        try:
            if isinstance(record.parsed, BaseException):
                raise record.parsed
            event = prepare_event(record.parsed, self.normaliser, self.event_types)
        except InputError as e:
            self._reject(summary, record, outcome, str(e), e.location)
            return None
        outcome.event_id = event.event_id
        outcome.issues = event.issues
        summary.identifiers_rejected += sum(
            1 for i in event.issues if not i.startswith("referred_by:")
        )
        summary.identifiers_blocked += len(event.blocked) + event.junk
        return event

    def _reject(
        self,
        summary: IngestSummary,
        record: RawRecord,
        outcome: EventOutcome,
        reason: str,
        location: str,
    ) -> None:
        outcome.status = "rejected"
        outcome.reason = reason
        outcome.location = location
        summary.rejected += 1
        key = reason_category(reason, location)
        summary.reasons[key] = summary.reasons.get(key, 0) + 1
        if self.on_reject is not None:
            self.on_reject(record, outcome)

    def _write(self, plan: Plan) -> list[int]:
        """Write one batch (in a writer thread); returns the positions of new events."""
        return write_batch(self.repo, plan)

    @staticmethod
    def _record(
        batch: list[tuple[EventOutcome, PreparedEvent]], created: set[int], summary: IngestSummary
    ) -> None:
        for n, (outcome, event) in enumerate(batch):
            if n in created:
                summary.accepted += 1
                if event.unmapped:
                    summary.count_unmapped(event.source, event.source_type)
            else:
                outcome.status = "duplicate"
                summary.duplicates += 1


Batch = list[tuple[EventOutcome, PreparedEvent]]


class _WritePipeline:
    """Up to ``writers`` batches written in threads while the next one is validated.

    With more than one writer, an event that sees an identifier first sent by a batch
    that may still be writing is held back for the next batch. Two transactions that
    both create the same identifier take the same index-entry lock as readers and
    then both ask to write it: the server fails one of them (a deadlock) and the
    whole batch starts over. Held back, the event is written once that identifier
    exists; events of one ingest may land in a different batch than the input order
    gives, which changes nothing in the graph (times are kept per event, counts and
    first/last seen are order-free).
    """

    def __init__(self, ingestor: Ingestor, summary: IngestSummary) -> None:
        self.ingestor = ingestor
        self.summary = summary
        self.in_flight: deque[tuple[Batch, Future[list[int]]]] = deque()
        self.executor = ThreadPoolExecutor(
            max_workers=ingestor.writers, thread_name_prefix="idgraph-ingest"
        )
        self.sent = 0  # batches submitted so far
        self.introduced: dict[Key, int] = {}  # identifier -> the batch that first sent it
        self.quiet = 0  # batches before this one are all written

    def submit(self, batch: Batch) -> Batch:
        """Send a batch to a writer; returns the events held back for the next one."""
        batch, held = self._hold_back(batch)
        if batch:
            plan = Plan([e for _, e in batch])  # while earlier batches write
            self.settle(keep=self.ingestor.writers - 1)
            future = self.executor.submit(self.ingestor._write, plan)
            self.in_flight.append((batch, future))
            self.sent += 1
        return held

    def finish(self, batch: Batch) -> None:
        """Send the last events, and those held back, once nothing they wait on writes."""
        while batch:
            batch = self.submit(batch)
            if batch:
                self.settle(keep=0)
                self.quiet = self.sent

    def _hold_back(self, batch: Batch) -> tuple[Batch, Batch]:
        writers = self.ingestor.writers
        if writers == 1:
            return batch, []
        # Batches that may write at the same time as this one: the newest writers - 1,
        # counted whether or not they are done yet (batches do not depend on timing),
        # unless all were waited for.
        busy = max(self.sent - (writers - 1), self.quiet)
        go: Batch = []
        held: Batch = []
        for item in batch:
            event = item[1]
            keys = [
                identifier_key(i) for i in (*event.identifiers, *event.blocked, *event.referrers)
            ]
            if any(busy <= self.introduced.get(k, -1) < self.sent for k in keys):
                held.append(item)
                continue
            go.append(item)
            for k in keys:
                self.introduced.setdefault(k, self.sent)
        return go, held

    def settle(self, keep: int) -> None:
        """Record finished writes, oldest first, until at most ``keep`` are in flight."""
        while len(self.in_flight) > keep or (self.in_flight and self.in_flight[0][1].done()):
            batch, future = self.in_flight.popleft()
            self.ingestor._record(batch, set(future.result()), self.summary)

    def __enter__(self) -> _WritePipeline:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if exc_type is None:
                self.settle(keep=0)
        finally:
            # Wait for what was sent, even on error, so no write outlives the call.
            self.executor.shutdown(wait=True)
