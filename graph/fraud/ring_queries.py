"""The rings API's reads: a page of rings, one ring in full (I/O only).

What a ring is and how it is scored is :mod:`graph.fraud.detect`'s; these read what a
detection run stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph.errors import NotFound
from graph.model.events import stored_attributes
from graph.model.times import from_epoch_ms, time_window, to_epoch_ms
from graph.store.gateway import GraphStore

__all__ = [
    "TIMELINE_LIMIT",
    "RingDetail",
    "RingPage",
    "RingSummary",
    "get_ring",
    "list_rings",
]

#: The most events a ring's timeline shows (the earliest ones).
TIMELINE_LIMIT = 500


def _read(repo: GraphStore, name: str, **params: Any) -> list[dict[str, Any]]:
    return repo.read(name, **params)


@dataclass(frozen=True)
class RingSummary:
    """A ring as listed: its score, size, reasons and active period."""

    ring_id: str
    score: float
    size: int
    reasons: list[str]
    first_seen: datetime | None
    last_seen: datetime | None


@dataclass(frozen=True)
class RingPage:
    """A page of rings, highest score first, and how many match the filters in all."""

    rings: list[RingSummary]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class RingMember:
    identity_id: str
    risk: float | None
    bot_score: float | None
    first_seen: datetime | None
    last_seen: datetime | None
    identifiers: int


@dataclass(frozen=True)
class RingShared:
    type: str
    value: str
    identities: int


@dataclass(frozen=True)
class RingEvent:
    timestamp: datetime | None
    identity_id: str
    type: str
    channel: str


@dataclass(frozen=True)
class RingDetail:
    """One ring: members, the identifiers they share, the signals and the timeline."""

    ring_id: str
    score: float
    size: int
    reasons: list[str]
    signals: dict[str, float]
    first_seen: datetime | None
    last_seen: datetime | None
    members: list[RingMember]
    shared: list[RingShared]
    timeline: list[RingEvent]


def list_rings(
    repo: GraphStore,
    min_score: float = 0.0,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> RingPage:
    """Rings at or above ``min_score`` active in ``[since, until)``, best first.

    A ring is active in the window when its members' activity (first to last event)
    overlaps it; a naive time is UTC.

    Raises:
        InputError: a time out of range, or ``since`` not before ``until`` (as the
            influence and exploration endpoints).
    """
    window = time_window(since, until)
    rows = _read(
        repo,
        "fraud/list_rings",
        min_score=float(min_score),
        since=None if window["since"] is None else to_epoch_ms(window["since"]),
        until=None if window["until"] is None else to_epoch_ms(window["until"]),
        limit=int(limit),
        offset=int(offset),
    )
    row: dict[str, Any] = rows[0] if rows else {"total": 0, "rings": []}
    return RingPage(
        rings=[
            RingSummary(
                ring_id=str(r["ring_id"]),
                score=float(r["score"]),
                size=int(r["size"]),
                reasons=[str(x) for x in r["reasons"] or []],
                first_seen=from_epoch_ms(r["first_seen"]),
                last_seen=from_epoch_ms(r["last_seen"]),
            )
            for r in row["rings"]
        ],
        total=int(row["total"]),
        limit=limit,
        offset=offset,
    )


def _signals(text: object) -> dict[str, float]:
    data = stored_attributes(text)
    return {
        str(k): float(v)
        for k, v in data.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }


def get_ring(
    repo: GraphStore,
    ring_id: str,
    show: Callable[[str, str], str] | None = None,
    timeline_limit: int = TIMELINE_LIMIT,
) -> RingDetail:
    """One ring in full; ``show(type, value)`` renders shared identifier values.

    Raises:
        NotFound: no ring has this id.
    """
    rows = _read(repo, "fraud/ring", ring_id=ring_id)
    if not rows:
        raise NotFound("no ring has this id")
    r = rows[0]
    shared = _read(repo, "fraud/ring_shared", ring_id=ring_id)
    timeline = _read(repo, "fraud/ring_timeline", ring_id=ring_id, limit=timeline_limit)

    def render(kind: str, value: str) -> str:
        return show(kind, value) if show is not None else value

    return RingDetail(
        ring_id=str(r["ring_id"]),
        score=float(r["score"]),
        size=int(r["size"]),
        reasons=[str(x) for x in r["reasons"] or []],
        signals=_signals(r["signals"]),
        first_seen=from_epoch_ms(r["first_seen"]),
        last_seen=from_epoch_ms(r["last_seen"]),
        members=[
            RingMember(
                identity_id=str(m["identity_id"]),
                risk=m["risk"],
                bot_score=m["bot_score"],
                first_seen=from_epoch_ms(m["first_seen"]),
                last_seen=from_epoch_ms(m["last_seen"]),
                identifiers=int(m["identifiers"]),
            )
            for m in r["members"]
        ],
        shared=[
            RingShared(
                type=str(s["type"]),
                value=render(str(s["type"]), str(s["value"])),
                identities=int(s["identities"]),
            )
            for s in shared
        ],
        timeline=[
            RingEvent(
                timestamp=from_epoch_ms(e["at"]),
                identity_id=str(e["identity_id"]),
                type=str(e["type"] or ""),
                channel=str(e["channel"] or ""),
            )
            for e in timeline
        ],
    )
