"""Ingest: events from files or the API into the graph, with nothing lost.

Every input record ends *accepted*, a *duplicate* (same ``(source, event_id)`` as an
event already in the graph or earlier in the input) or *rejected* (with its line,
the reason and the original text, written to the rejects file). The summary keeps
``accepted + duplicates + rejected == records read``.

Writes are batched: one transaction per batch creates the batch's new events and
upserts what only those new events saw (identifiers, observations, co-occurrence
links pre-aggregated per pair, referrals), so a re-run changes nothing. A batch is
one statement whose rows point at each other by position (``ingest/write_batch``);
events are created optimistically, and a batch that meets events already in the graph
is written again without them (see :func:`graph.ingest.batches.write_batch`).
"""

from __future__ import annotations

import csv
import gc
import io
import json
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import IO, Any, Literal

import orjson

from graph.errors import InputError, InvalidEvent
from graph.identity.clustering import identity_id_for
from graph.ingest.batches import write_batch
from graph.model.events import PreparedEvent, prepare_event
from graph.model.identifiers import Identifier, Normaliser
from graph.model.times import to_epoch_ms
from graph.store.gateway import GraphStore

__all__ = [
    "EventOutcome",
    "Ingestor",
    "IngestSummary",
    "RawRecord",
    "read_csv",
    "read_jsonl",
    "read_path",
]

Status = Literal["accepted", "duplicate", "rejected"]


@dataclass(frozen=True)
class RawRecord:
    """One input record: where it came from, its original text, and its parsed form.

    ``parsed`` is the decoded JSON object, or the exception that decoding raised.
    """

    line: int
    text: str
    parsed: object


@dataclass
class EventOutcome:
    """What happened to one input record."""

    line: int
    status: Status
    reason: str = ""
    location: str = ""
    issues: tuple[str, ...] = ()
    event_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"line": self.line, "status": self.status}
        if self.event_id is not None:
            out["event_id"] = self.event_id
        if self.reason:
            out["reason"] = self.reason
        if self.location:
            out["location"] = self.location
        if self.issues:
            out["issues"] = list(self.issues)
        return out


@dataclass
class IngestSummary:
    """Counts of one ingest run; ``accepted + duplicates + rejected == read``."""

    read: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    identifiers_rejected: int = 0
    identifiers_blocked: int = 0
    rejects_file: str | None = None
    reasons: dict[str, int] = field(default_factory=dict)

    def add(self, other: IngestSummary) -> None:
        self.read += other.read
        self.accepted += other.accepted
        self.duplicates += other.duplicates
        self.rejected += other.rejected
        self.identifiers_rejected += other.identifiers_rejected
        self.identifiers_blocked += other.identifiers_blocked
        for k, v in other.reasons.items():
            self.reasons[k] = self.reasons.get(k, 0) + v

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines_read": self.read,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "identifiers_rejected": self.identifiers_rejected,
            "identifiers_blocked": self.identifiers_blocked,
            "rejects_file": self.rejects_file,
            "rejection_reasons": dict(sorted(self.reasons.items())),
        }


# --- readers ------------------------------------------------------------------------------


def read_jsonl(stream: IO[str]) -> Iterator[RawRecord]:
    """One record per non-blank line; undecodable lines carry their error."""
    for n, line in enumerate(stream, start=1):
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        yield RawRecord(n, text, _decode(text))


_LONG_DIGITS = re.compile(r"[0-9]{19}")


def _decode(text: str) -> object:
    """One JSON value, or the error that says why the text is not one.

    orjson decodes about three times faster; what it refuses (NaN, lone surrogates,
    nesting past 1,024) and any text holding 19 digits in a row (orjson turns integers
    past 64 bits into floats) go to the standard module, so what is accepted, its
    values and the error messages are the standard module's.
    """
    if not _LONG_DIGITS.search(text):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        return InvalidEvent(f"not valid JSON ({e.msg} at column {e.colno})")
    except RecursionError:
        return InvalidEvent("not valid JSON (nested too deeply)")


_CSV_FIXED = ("event_id", "timestamp", "source", "channel", "type")


def _csv_row_to_event(row: dict[str, str | None]) -> dict[str, Any]:
    """Flat CSV columns to the event format.

    Columns: ``event_id, timestamp, source, channel, type``; one column per identifier
    type (``email``, ``phone``...; several values separated by ``|``); referrers as
    ``referred_by.<type>``; attributes as ``attr.<name>`` (values kept as text).
    """
    event: dict[str, Any] = {}
    identifiers: list[dict[str, str]] = []
    referred: list[dict[str, str]] = []
    attributes: dict[str, str] = {}
    for column, raw in row.items():
        if column is None:
            raise InvalidEvent("more fields than header columns", location="row")
        value = (raw or "").strip()
        if not value:
            continue
        name = column.strip()
        if name in _CSV_FIXED:
            event[name] = value
        elif name.startswith("attr."):
            attributes[name.removeprefix("attr.")] = value
        elif name.startswith("referred_by."):
            kind = name.removeprefix("referred_by.")
            referred += [{"type": kind, "value": v} for v in value.split("|") if v.strip()]
        else:
            identifiers += [{"type": name, "value": v} for v in value.split("|") if v.strip()]
    event["identifiers"] = identifiers
    if referred:
        event["referred_by"] = referred
    if attributes:
        event["attributes"] = attributes
    return event


def read_csv(stream: IO[str]) -> Iterator[RawRecord]:
    """One record per CSV data row (line numbers count the header as line 1)."""
    text = stream.read()
    lines = text.splitlines()
    reader = csv.DictReader(io.StringIO(text), strict=True)
    if reader.fieldnames is None:
        return
    missing = [c for c in ("event_id", "timestamp") if c not in reader.fieldnames]
    if missing:
        raise InputError(f"CSV header lacks required column(s): {', '.join(missing)}", "line 1")
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            n = reader.line_num
            original = lines[n - 1] if 0 < n <= len(lines) else ""
            yield RawRecord(n, original, InvalidEvent(f"malformed CSV ({e})"))
            continue
        n = reader.line_num
        original = lines[n - 1] if 0 < n <= len(lines) else ""
        try:
            parsed: object = _csv_row_to_event(row)
        except InvalidEvent as e:
            parsed = e
        yield RawRecord(n, original, parsed)


def read_path(path: Path) -> Iterator[RawRecord]:
    """Records of a ``.jsonl``/``.ndjson``/``.json`` or ``.csv`` file, by its suffix."""
    suffix = path.suffix.lower()
    with path.open(encoding="utf-8", errors="strict", newline="") as f:
        if suffix == ".csv":
            yield from read_csv(f)
        elif suffix in (".jsonl", ".ndjson", ".json"):
            yield from read_jsonl(f)
        else:
            raise InputError(
                f"unknown file type '{suffix}': use .jsonl (JSON Lines) or .csv", str(path)
            )


# --- the writer ---------------------------------------------------------------------------


Key = tuple[str, str]


def _key(i: Identifier) -> Key:
    return (i.type, i.value)


class _Rows(list[Any]):
    """Query parameter rows whose ``repr`` is a count, never the values.

    The driver formats every parameter for its debug log before it knows whether the
    log is on: for batches of thousands of rows that was 6% of ingest's Python time,
    and with the log on it would put identifiers, which are personal data, into it.
    """

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


@dataclass
class _BatchRows:
    """What the new events of a batch saw, pre-aggregated: the parameters of
    ``ingest/write_batch``, where rows refer to identifiers by position."""

    keys: list[Key]
    params: dict[str, list[Any]]


def _batch_rows(events: list[PreparedEvent]) -> _BatchRows:
    """Pre-aggregate what ``events`` saw, identifiers and links sorted to take locks in
    one order."""
    idents: dict[Key, list[Any]] = {}  # key -> [first, last, count, blocked]
    # Per event: its time, its subjects' keys (sorted), its blocked and referrer keys.
    seen: list[tuple[int, list[Key], list[Key], list[Key]]] = []

    def touch(key: Key, at: int, blocked: bool, count: int) -> None:
        row = idents.get(key)
        if row is None:
            idents[key] = [at, at, count, blocked]
        else:
            if at < row[0]:
                row[0] = at
            if at > row[1]:
                row[1] = at
            row[2] += count

    for ev in events:
        at = to_epoch_ms(ev.timestamp)
        subjects = sorted({_key(i) for i in ev.identifiers})
        blocked = [_key(i) for i in ev.blocked]
        referrers = [_key(i) for i in ev.referrers]
        for key in subjects:
            touch(key, at, False, 1)
        for key in blocked:
            touch(key, at, True, 1)
        for key in referrers:
            touch(key, at, False, 0)
        seen.append((at, subjects, blocked, referrers))
    keys = sorted(idents)
    pos = {key: k for k, key in enumerate(keys)}
    # Links keyed by identifier positions: positions follow key order, so a pair of
    # sorted subjects is already (smaller, larger), and sorting ints is cheap.
    links: dict[tuple[int, int], list[Any]] = {}  # -> [count, first, last, channels, sources]
    observations: list[list[Any]] = []  # role None: subject, stored as no property
    referrals: list[list[Any]] = []
    for n, (ev, (at, subjects, blocked, referrers)) in enumerate(zip(events, seen, strict=True)):
        places = [pos[key] for key in subjects]
        observations += [[n, k, None] for k in places]
        observations += [[n, pos[key], None] for key in blocked]
        for key in referrers:
            r = pos[key]
            observations.append([n, r, "referrer"])
            referrals += [[r, s, at, ev.source, ev.event_id] for s in places]
        for pair in combinations(places, 2):
            link = links.get(pair)
            if link is None:
                links[pair] = [1, at, at, [ev.channel], [ev.source]]
            else:
                link[0] += 1
                if at < link[1]:
                    link[1] = at
                if at > link[2]:
                    link[2] = at
                if ev.channel not in link[3]:
                    link[3].append(ev.channel)
                if ev.source not in link[4]:
                    link[4].append(ev.source)
    # Rows are lists, in the order `ingest/write_batch` documents: without a map's keys
    # they pack and unpack in about half the time.
    return _BatchRows(
        keys=keys,
        params={
            "events": _Rows(
                [
                    e.source,
                    e.event_id,
                    e.timestamp.isoformat(),
                    e.channel,
                    e.type,
                    e.attributes_json,
                ]
                for e in events
            ),
            "identifiers": _Rows([*key, *idents[key]] for key in keys),
            "observations": _Rows(observations),
            "links": _Rows([a, b, *links[(a, b)]] for a, b in sorted(links)),
            "referrals": _Rows(referrals),
        },
    )


def _reason_category(reason: str, location: str) -> str:
    """A stable name for counting rejections: where it failed, without positions."""
    if location and location not in ("line", "row"):
        return "invalid " + re.sub(r"\[\d+\]", "[]", location)
    return reason.split(" (", 1)[0][:80]


class _Plan:
    """One batch: its rows once the new events are known, and the incremental identity
    decisions for its new identifiers."""

    def __init__(self, events: list[PreparedEvent]) -> None:
        self.events = events
        # Rows for the whole batch, built by the thread that validates (while the
        # previous batch writes): a fresh batch writes every event.
        self.batch = self.everything = _batch_rows(events)

    def event_keys(self) -> list[dict[str, Any]]:
        return _Rows({"source": e.source, "event_id": e.event_id} for e in self.events)

    def rows(self, new: Sequence[int]) -> dict[str, list[Any]]:
        if len(new) == len(self.events):
            self.batch = self.everything
        else:
            self.batch = _batch_rows([self.events[n] for n in new])
        return self.batch.params

    def attachments(self, unassigned: list[list[Any]]) -> list[dict[str, Any]]:
        """New identifiers join an identity when the evidence is unambiguous.

        Identifiers without identity are grouped by the batch's links among them; a
        group whose links reach exactly one identity joins it, a group that reaches
        none is a new person (its id derived like clustering's), and a group that
        reaches several waits for the next clustering run.
        """
        pending = {int(k): set(identities) for k, _node, identities in unassigned}
        node = {int(k): str(node_id) for k, node_id, _ in unassigned}
        parent = {k: k for k in pending}

        def find(k: int) -> int:
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        for a, b, *_ in self.batch.params.get("links", ()):
            if a in pending and b in pending:
                parent[find(a)] = find(b)
        groups: dict[int, list[int]] = {}
        for k in pending:
            groups.setdefault(find(k), []).append(k)
        keys = self.batch.keys
        out: list[dict[str, Any]] = []
        for members in groups.values():
            reached = set().union(*(pending[m] for m in members))
            if len(reached) == 1:
                target = next(iter(reached))
            elif not reached:
                anchor = min(f"{keys[m][0]}:{keys[m][1]}" for m in members)
                target = identity_id_for(anchor)
            else:
                continue
            out += [{"id": node[m], "identity_id": target} for m in members]
        return _Rows(sorted(out, key=lambda r: (r["identity_id"], r["id"])))


_gc_lock = threading.Lock()
_gc_users = 0
_gc_saved: tuple[int, int, int] = (0, 0, 0)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect young objects less often while ingesting.

    An ingest allocates millions of short-lived rows while it holds a record of every
    outcome: with the default threshold (700 allocations) the cycle collector took 40%
    of ingest's Python time. Ingest makes few cycles, so collecting every 100,000
    allocations costs little memory. Shared by concurrent ingests (the API's); the last
    one out restores the previous threshold.
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
        on_reject: receives each rejected record and its outcome (e.g. the rejects file).
        writers: write transactions in flight at once. Validation of the next batch
            runs while they write; with 2, the server uses both cores. Concurrent
            batches may still deadlock: the server detects it and the batch is retried
            (:func:`graph.ingest.batches.write_batch`; every step of a batch is re-derived from
            what the database answers, so a retry is exact).
    """

    def __init__(
        self,
        repo: GraphStore,
        normaliser: Normaliser,
        batch_size: int = 5000,
        on_reject: Callable[[RawRecord, EventOutcome], None] | None = None,
        writers: int = 1,
    ) -> None:
        if writers < 1:
            raise ValueError("writers must be at least 1")
        self.repo = repo
        self.normaliser = normaliser
        self.batch_size = batch_size
        self.on_reject = on_reject
        self.writers = writers

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
        with _fewer_collections(), _WritePipeline(self, summary) as pipeline:
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
            event = prepare_event(record.parsed, self.normaliser)
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
        key = _reason_category(reason, location)
        summary.reasons[key] = summary.reasons.get(key, 0) + 1
        if self.on_reject is not None:
            self.on_reject(record, outcome)

    def _write(self, plan: _Plan) -> list[int]:
        """Write one batch (in a writer thread); returns the positions of new events."""
        return write_batch(self.repo, plan)

    @staticmethod
    def _record(
        batch: list[tuple[EventOutcome, PreparedEvent]], created: set[int], summary: IngestSummary
    ) -> None:
        for n, (outcome, _event) in enumerate(batch):
            if n in created:
                summary.accepted += 1
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
            plan = _Plan([e for _, e in batch])  # while earlier batches write
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
            keys = [_key(i) for i in (*event.identifiers, *event.blocked, *event.referrers)]
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


class RejectsFile:
    """Appends rejected records to a JSON Lines file: line, reason, location, original."""

    def __init__(self, path: Path, source_name: str) -> None:
        self.path = path
        self.source_name = source_name
        self._file: IO[str] | None = None

    def __call__(self, record: RawRecord, outcome: EventOutcome) -> None:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", encoding="utf-8")
        entry = {
            "file": self.source_name,
            "line": record.line,
            "reason": outcome.reason,
            "location": outcome.location,
            "original": record.text,
        }
        self._file.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
