"""Ingest: events from files or the API into the graph, with nothing lost.

Every input record ends *accepted*, a *duplicate* (same ``(source, event_id)`` as an
event already in the graph or earlier in the input) or *rejected* (with its line,
the reason and the original text, written to the rejects file). The summary keeps
``accepted + duplicates + rejected == records read``.

Writes are batched: one transaction per batch creates the batch's new events, then
upserts what only those new events saw (identifiers, observations, co-occurrence
links pre-aggregated per pair, referrals), so a re-run changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations
from pathlib import Path
from typing import IO, Any, Literal

from graph.clustering import identity_id_for
from graph.errors import InputError, InvalidEvent
from graph.events import PreparedEvent, prepare_event
from graph.identifiers import Identifier, Normaliser
from graph.repository import GraphRepository

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
        try:
            parsed: object = json.loads(text)
        except json.JSONDecodeError as e:
            parsed = InvalidEvent(f"not valid JSON ({e.msg} at column {e.colno})")
        yield RawRecord(n, text, parsed)


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


@dataclass
class _BatchRows:
    """What the new events of a batch saw, pre-aggregated, keyed by (type, value)."""

    identifiers: list[dict[str, Any]]
    observations: list[tuple[int, Key, str]]
    links: list[tuple[Key, Key, dict[str, Any]]]
    referrals: list[tuple[Key, Key, dict[str, Any]]]


def _batch_rows(events: list[tuple[int, PreparedEvent]]) -> _BatchRows:
    """Pre-aggregate what ``events`` saw, sorted to take locks in one order."""
    idents: dict[Key, dict[str, Any]] = {}
    links: dict[tuple[Key, Key], dict[str, Any]] = {}
    observations: list[tuple[int, Key, str]] = []
    referrals: list[tuple[Key, Key, dict[str, Any]]] = []

    def touch(i: Identifier, at: int, blocked: bool, count: int) -> None:
        key = _key(i)
        row = idents.get(key)
        if row is None:
            idents[key] = {
                "type": i.type,
                "value": i.value,
                "first_seen": at,
                "last_seen": at,
                "count": count,
                "blocked": blocked,
            }
        else:
            row["first_seen"] = min(row["first_seen"], at)
            row["last_seen"] = max(row["last_seen"], at)
            row["count"] += count

    for idx, ev in events:
        at = _millis(ev.timestamp)  # epoch ms: the driver sends ints far faster than datetimes
        for i in ev.identifiers:
            touch(i, at, False, 1)
        for i in ev.blocked:
            touch(i, at, True, 1)
        for i in ev.referrers:
            touch(i, at, False, 0)
        observations += [(idx, _key(i), "subject") for i in ev.identifiers + ev.blocked]
        observations += [(idx, _key(i), "referrer") for i in ev.referrers]
        for a, b in combinations(sorted({_key(i) for i in ev.identifiers}), 2):
            link = links.get((a, b))
            if link is None:
                links[(a, b)] = {
                    "count": 1,
                    "first_seen": at,
                    "last_seen": at,
                    "channels": [ev.channel],
                    "sources": [ev.source],
                }
            else:
                link["count"] += 1
                link["first_seen"] = min(link["first_seen"], at)
                link["last_seen"] = max(link["last_seen"], at)
                if ev.channel not in link["channels"]:
                    link["channels"].append(ev.channel)
                if ev.source not in link["sources"]:
                    link["sources"].append(ev.source)
        for r in ev.referrers:
            for subject in ev.identifiers:
                referrals.append(
                    (
                        _key(r),
                        _key(subject),
                        {"at": at, "source": ev.source, "event_id": ev.event_id},
                    )
                )
    return _BatchRows(
        identifiers=[idents[k] for k in sorted(idents)],
        observations=observations,
        links=[(a, b, links[(a, b)]) for a, b in sorted(links)],
        referrals=referrals,
    )


def _reason_category(reason: str, location: str) -> str:
    """A stable name for counting rejections: where it failed, without positions."""
    if location and location not in ("line", "row"):
        return "invalid " + re.sub(r"\[\d+\]", "[]", location)
    return reason.split(" (", 1)[0][:80]


def _millis(at: datetime) -> int:
    return round(at.timestamp() * 1000)


class _Plan:
    """Rows of one batch, and the incremental identity decisions for its new identifiers."""

    def __init__(self, events: list[PreparedEvent]) -> None:
        self.events = events
        self.rows = _BatchRows([], [], [], [])
        self.keys: dict[str, Key] = {}
        self.links: list[tuple[str, str]] = []

    def identifier_rows(self, created: list[int]) -> list[dict[str, Any]]:
        self.rows = _batch_rows([(n, self.events[n]) for n in created])
        return self.rows.identifiers

    def relationship_rows(
        self, event_ids: dict[int, str], identifier_ids: dict[Key, str]
    ) -> dict[str, list[dict[str, Any]]]:
        self.keys = {node: key for key, node in identifier_ids.items()}
        ids = identifier_ids
        self.links = [(ids[a], ids[b]) for a, b, _ in self.rows.links]
        return {
            "observations": [
                {"e": event_ids[idx], "i": ids[key], "role": role}
                for idx, key, role in self.rows.observations
            ],
            "links": [{"a": ids[a], "b": ids[b], **props} for a, b, props in self.rows.links],
            "referrals": [
                {"a": ids[a], "b": ids[b], **props} for a, b, props in self.rows.referrals
            ],
        }

    def attachments(self, neighbourhood: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """New identifiers join an identity when the evidence is unambiguous.

        Identifiers without identity are grouped by the batch's links among them; a
        group whose links reach exactly one identity joins it, a group that reaches
        none is a new person (its id derived like clustering's), and a group that
        reaches several waits for the next clustering run.
        """
        pending = {str(r["id"]): set(r["identities"]) for r in neighbourhood}
        parent = {k: k for k in pending}

        def find(k: str) -> str:
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        for a, b in self.links:
            if a in pending and b in pending:
                parent[find(a)] = find(b)
        groups: dict[str, list[str]] = {}
        for k in pending:
            groups.setdefault(find(k), []).append(k)
        out: list[dict[str, Any]] = []
        for members in groups.values():
            reached = set().union(*(pending[m] for m in members))
            if len(reached) == 1:
                target = next(iter(reached))
            elif not reached:
                anchor = min(f"{t}:{v}" for t, v in (self.keys[m] for m in members))
                target = identity_id_for(anchor)
            else:
                continue
            out += [{"id": m, "identity_id": target} for m in members]
        return sorted(out, key=lambda r: (r["identity_id"], r["id"]))


class Ingestor:
    """Validates, deduplicates and writes events in batches.

    Args:
        repo: where events are written.
        normaliser: validates and normalises identifiers.
        batch_size: events per write transaction.
        on_reject: receives each rejected record and its outcome (e.g. the rejects file).
        writers: write transactions in flight at once. Validation of the next batch
            runs while they write; with 2, the server uses both cores. Concurrent
            batches that touch the same identifiers may deadlock: the server detects
            it and the driver retries the batch (every step of a batch is re-derived
            from what the database answers, so a retry is exact).
    """

    def __init__(
        self,
        repo: GraphRepository,
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
        with _WritePipeline(self, summary) as pipeline:
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
                    pipeline.submit(pending)
                    pending = []
                    if progress:
                        progress(summary.read)
            if pending:
                pipeline.submit(pending)
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

    def _write(self, events: list[PreparedEvent]) -> list[int]:
        """Write one batch (in a writer thread); returns the positions of new events."""
        rows = [
            {
                "idx": n,
                "source": e.source,
                "event_id": e.event_id,
                "timestamp": e.timestamp.isoformat(),
                "channel": e.channel,
                "type": e.type,
                "attributes": e.attributes_json,
            }
            for n, e in enumerate(events)
        ]

        return self.repo.write_batch(f"b-{uuid.uuid4().hex}", rows, _Plan(events))

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
    """Up to ``writers`` batches written in threads while the next one is validated."""

    def __init__(self, ingestor: Ingestor, summary: IngestSummary) -> None:
        self.ingestor = ingestor
        self.summary = summary
        self.in_flight: deque[tuple[Batch, Future[list[int]]]] = deque()
        self.executor = ThreadPoolExecutor(
            max_workers=ingestor.writers, thread_name_prefix="idgraph-ingest"
        )

    def submit(self, batch: Batch) -> None:
        self.settle(keep=self.ingestor.writers - 1)
        future = self.executor.submit(self.ingestor._write, [e for _, e in batch])
        self.in_flight.append((batch, future))

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
