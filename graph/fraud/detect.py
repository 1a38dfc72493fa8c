"""Fraud rings and bots: detection after clustering, and what the rings API reads.

:func:`detect` reads the clustered graph, forms candidate rings, scores rings and
bots, combines them into a per-identity risk and writes it all back, replacing the
previous run's output in one transaction. The decisions are pure functions
(:mod:`graph.fraud.rings`, :mod:`graph.fraud.bots`); this module only moves data.

**Rings** (identities, not identifiers: a ring is many *people* that are one actor).
Two identities are linked when they use the same shared identifier (``USED_BY``) of
type device, phone, card or ip, unless more than ``max_fanout`` (40) identities use
it (a shop kiosk). Candidates are the connected components (GDS WCC on the server,
or networkx) of at least 2 identities; components above 60 are split by Louvain.
Each candidate gets these signals, each in [0, 1]:

* ``shared_density``: the share of member pairs that share an identifier (weight 1);
* ``signup_burst``: the largest share of members first seen within 6 hours of each
  other (weight 2): synthetic identities are made in a batch;
* ``failed_payments``: the share of members with a ``payment_failed`` event (weight 2);
* ``low_ratings``: the share of members that left a review rated 2 or less (1.5);
* ``velocity``: the share of the members' activity after their first event that
  falls within 96 hours of it (1.5): short-lived identities, used and dropped;
* ``referral_abuse``: the share of the ring one referrer brought in, when it brought
  two or more (1.5): a leader recruiting the ring's identities for referral rewards.

The score is the weighted mean; a candidate scoring at least 0.25 is stored as a
ring, one scoring at least 0.5 flags its members ``ring_member``. A household
sharing a tablet and a landline is dense but shows nothing else (about 0.1); a crowd
around a busy device is neither dense nor bursty.

**Bots** (:mod:`graph.fraud.bots`): every identity seen in at least 8 events gets
``cookie_churn`` (0.4), ``regularity`` (0.3) and ``event_rate`` (0.3); at least 0.5
flags it ``bot_suspected``.

**Risk**: ``risk = 1 - (1 - ring score) * (1 - bot score)`` (a missing part counts
0); ``risk_flags`` holds ``ring_member`` and ``bot_suspected`` as raised,
``risk_reasons`` the reasons of the raised flags. Stored on ``(:Identity)`` as
``ring_id, ring_score, ring_reasons, bot_score, bot_reasons, risk, risk_flags,
risk_reasons``; rings as ``(:Ring)`` nodes with ``(:Identity)-[:IN_RING]->(:Ring)``
(see ``cypher/README.md``). A ring's id is derived from its members, so an unchanged
ring keeps its id from run to run.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graph.errors import NotFound
from graph.fraud.rings import (
    EventFact,
    MemberActivity,
    SharedUse,
    activity_of,
    form_rings,
)
from graph.fraud.risk import FLAG_BOT, FLAG_RING, FraudParams, assess, combine_risk
from graph.model.times import from_epoch_ms, time_window, to_epoch_ms
from graph.store.algorithms import Algorithms, choose_algorithms
from graph.store.gateway import GraphStore, Tx

__all__ = [
    "FLAG_BOT",
    "FLAG_RING",
    "TIMELINE_LIMIT",
    "FraudParams",
    "FraudResult",
    "RingDetail",
    "RingPage",
    "RingSummary",
    "combine_risk",
    "detect",
    "flagged_identities",
    "get_ring",
    "list_rings",
]

#: The most events a ring's timeline shows (the earliest ones).
TIMELINE_LIMIT = 500

_CHUNK = 2_000


@dataclass(frozen=True)
class FraudResult:
    """What a detection run found, and how long it took."""

    backend: str
    shared_identifiers: int
    hubs_suppressed: int
    candidates: int
    rings: int
    flagged_rings: int
    ring_members: int
    bots_scored: int
    bots_flagged: int
    identities_scored: int
    seconds: float
    timings: Mapping[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """Plain JSON types (what ``idgraph detect`` prints)."""
        return {
            "backend": self.backend,
            "shared_identifiers": self.shared_identifiers,
            "hubs_suppressed": self.hubs_suppressed,
            "candidates": self.candidates,
            "rings": self.rings,
            "flagged_rings": self.flagged_rings,
            "ring_members_flagged": self.ring_members,
            "bots_scored": self.bots_scored,
            "bots_flagged": self.bots_flagged,
            "identities_scored": self.identities_scored,
            "seconds": round(self.seconds, 3),
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }


# --- reading -------------------------------------------------------------------------------


def _read(repo: GraphStore, name: str, **params: Any) -> list[dict[str, Any]]:
    return repo.read(name, **params)


def _attributes(text: object) -> dict[str, Any]:
    if not isinstance(text, str) or not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _events(repo: GraphStore, ids: Sequence[str]) -> dict[str, list[EventFact]]:
    out: dict[str, list[EventFact]] = defaultdict(list)
    for start in range(0, len(ids), _CHUNK):
        for r in _read(repo, "fraud/identity_events", ids=list(ids[start : start + _CHUNK])):
            if r["at"] is None:
                continue
            out[str(r["identity_id"])].append(
                EventFact(
                    at_ms=int(r["at"]),
                    type=str(r["type"] or ""),
                    channel=str(r["channel"] or ""),
                    attributes=_attributes(r["attributes"]),
                    devices=tuple(str(d) for d in r["devices"]),
                    cookies=tuple(str(c) for c in r["cookies"]),
                )
            )
    return out


def _referrers(repo: GraphStore, ids: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for start in range(0, len(ids), _CHUNK):
        for r in _read(repo, "fraud/referrers", ids=list(ids[start : start + _CHUNK])):
            out[str(r["identity_id"])] = [str(x) for x in r["referrers"]]
    return out


# --- detection -----------------------------------------------------------------------------


def detect(
    repo: GraphStore,
    params: FraudParams | None = None,
    algorithms: Algorithms | None = None,
) -> FraudResult:
    """Find rings and bots in the clustered graph and store them, replacing the last run.

    Run it after clustering (identities and ``USED_BY`` are its input).

    Args:
        repo: the graph.
        params: detection parameters (defaults: :class:`FraudParams`).
        algorithms: who computes the components of the identity graph (the rest is the
            same code), chosen once by the caller; None: chosen now (``auto``).
    """
    params = params or FraudParams()
    rp, bp = params.rings, params.bots
    started = time.perf_counter()
    timings: dict[str, float] = {}
    algorithms = algorithms or choose_algorithms(repo)
    used = algorithms.name

    t = time.perf_counter()
    uses = [
        SharedUse(key=str(r["id"]), type=str(r["type"]), identities=frozenset(r["identities"]))
        for r in _read(repo, "fraud/shared_uses", types=list(rp.pooled_types))
    ]
    groups = [
        u.identities
        for u in uses
        if u.type in rp.pooled_types and 2 <= len(u.identities) <= rp.max_fanout
    ]
    components = algorithms.ring_components(repo, groups, list(rp.pooled_types), rp.max_fanout)
    candidates, hubs = form_rings(uses, rp, components)
    timings["form_rings"] = time.perf_counter() - t

    t = time.perf_counter()
    busy = sorted(
        str(r["identity_id"])
        for r in _read(repo, "fraud/busy_identities", min_events=bp.min_events)
    )
    members = sorted({m for c in candidates for m in c.members})
    wanted = sorted(set(members) | set(busy))
    events = _events(repo, wanted)
    referrers = _referrers(repo, members)
    timings["read_activity"] = time.perf_counter() - t

    t = time.perf_counter()
    activity: dict[str, MemberActivity] = {
        m: activity_of(m, events.get(m, []), referrers.get(m, []), rp) for m in members
    }
    outcome = assess(candidates, activity, {b: events.get(b, []) for b in busy}, params)
    timings["score"] = time.perf_counter() - t

    t = time.perf_counter()
    _write(repo, outcome.rings, outcome.identities)
    timings["write"] = time.perf_counter() - t
    return FraudResult(
        backend=used,
        shared_identifiers=len(uses),
        hubs_suppressed=hubs,
        candidates=len(candidates),
        rings=len(outcome.rings),
        flagged_rings=outcome.flagged_rings,
        ring_members=outcome.flagged(FLAG_RING),
        bots_scored=sum(1 for r in outcome.identities if r["bot_score"] is not None),
        bots_flagged=outcome.flagged(FLAG_BOT),
        identities_scored=len(outcome.identities),
        seconds=time.perf_counter() - started,
        timings=timings,
    )


def _write(repo: GraphStore, rings: list[dict[str, Any]], rows: list[dict[str, Any]]) -> None:
    """Replace the previous run's rings and scores in one transaction: readers see the
    old state or the new one, never a mix."""
    detected_at = int(time.time() * 1000)

    def work(tx: Tx) -> None:
        tx.rows("fraud/clear_memberships")
        tx.rows("fraud/drop_stale_rings", keep=[r["ring_id"] for r in rings])
        tx.rows("fraud/clear_risk", keep=[r["identity_id"] for r in rows])
        for start in range(0, len(rings), _CHUNK):
            tx.rows(
                "fraud/write_rings", rings=rings[start : start + _CHUNK], detected_at=detected_at
            )
        for start in range(0, len(rows), _CHUNK):
            tx.rows("fraud/write_risk", rows=rows[start : start + _CHUNK])

    repo.write_transaction(work)


def flagged_identities(repo: GraphStore) -> dict[str, list[str]]:
    """Identity id -> its risk flags, for every flagged identity (evaluation reads it)."""
    return {
        str(r["identity_id"]): [str(f) for f in r["flags"]]
        for r in _read(repo, "fraud/flagged_identities")
    }


# --- the rings API -------------------------------------------------------------------------


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
    data = _attributes(text)
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
