"""Per-identity risk from ring and bot evidence, and what a detection run stores,
without I/O (:mod:`graph.fraud.detect` reads the facts and writes the outcome)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.fraud.bots import BotParams, bot_signals, score_bot
from graph.fraud.rings import (
    EventFact,
    MemberActivity,
    RingCandidate,
    RingParams,
    ring_id_for,
    ring_signals,
    score_ring,
    signals_json,
)

__all__ = [
    "FLAG_BOT",
    "FLAG_RING",
    "Assessment",
    "FraudParams",
    "assess",
    "combine_risk",
]

FLAG_RING = "ring_member"
FLAG_BOT = "bot_suspected"


@dataclass(frozen=True)
class FraudParams:
    """Parameters of a detection run: ring and bot parameters (see :mod:`graph.fraud.detect`)."""

    rings: RingParams = field(default_factory=RingParams)
    bots: BotParams = field(default_factory=BotParams)


def combine_risk(ring_score: float | None, bot_score: float | None) -> float:
    """One risk in [0, 1] from both kinds of evidence: either alone can make it high.

    ``1 - (1 - ring) * (1 - bot)``, a missing part counting 0.
    """
    r = min(1.0, max(0.0, ring_score or 0.0))
    b = min(1.0, max(0.0, bot_score or 0.0))
    return round(1.0 - (1.0 - r) * (1.0 - b), 4)


@dataclass(frozen=True)
class Assessment:
    """What a detection run stores.

    Attributes:
        rings: one row per stored ring (``ring_id, score, size, reasons, signals``
            as JSON text, ``first_seen, last_seen`` in epoch ms or None).
        identities: one row per scored identity (``identity_id, ring_id, ring_score,
            ring_reasons, bot_score, bot_reasons, risk, risk_flags, risk_reasons``;
            None where that part was not scored).
    """

    rings: list[dict[str, Any]]
    identities: list[dict[str, Any]]

    @property
    def flagged_rings(self) -> int:
        return sum(1 for r in self.rings if r["flagged"])

    def flagged(self, flag: str) -> int:
        """How many identities carry ``flag``."""
        return sum(1 for r in self.identities if flag in r["risk_flags"])


def assess(
    candidates: Sequence[RingCandidate],
    activity: Mapping[str, MemberActivity],
    bot_events: Mapping[str, Sequence[EventFact]],
    params: FraudParams | None = None,
) -> Assessment:
    """Score candidate rings and bots and combine them per identity.

    Args:
        candidates: candidate rings (:func:`graph.fraud.rings.form_rings`).
        activity: identity -> its activity, for every candidate member.
        bot_events: identity -> its events, for the identities to score as bots
            (those with fewer than ``bots.min_events`` events are not scored).
        params: detection parameters.
    """
    params = params or FraudParams()
    rp, bp = params.rings, params.bots
    rings: list[dict[str, Any]] = []
    ring_of: dict[str, tuple[str, float, list[str]]] = {}
    for c in candidates:
        signals = ring_signals(c, activity, rp)
        score, reasons = score_ring(signals, len(c.members), rp, c.shared)
        if score < rp.store_min:
            continue
        ring_id = ring_id_for(c.members)
        acts = [activity.get(m, MemberActivity(m)) for m in c.members]
        firsts = [a.first_ms for a in acts if a.first_ms is not None]
        lasts = [a.last_ms for a in acts if a.last_ms is not None]
        rings.append(
            {
                "ring_id": ring_id,
                "score": score,
                "size": len(c.members),
                "reasons": reasons,
                "signals": signals_json(signals),
                "first_seen": min(firsts) if firsts else None,
                "last_seen": max(lasts) if lasts else None,
                "flagged": score >= rp.threshold,
            }
        )
        for m in c.members:
            ring_of[m] = (ring_id, score, reasons)
    bots: dict[str, tuple[float, list[str]]] = {}
    for identity, facts in bot_events.items():
        if len(facts) >= bp.min_events:
            bots[identity] = score_bot(bot_signals(facts, bp), bp)
    rows: list[dict[str, Any]] = []
    for identity in sorted(set(ring_of) | set(bots)):
        ring = ring_of.get(identity)
        bot = bots.get(identity)
        flags: list[str] = []
        why: list[str] = []
        if ring is not None and ring[1] >= rp.threshold:
            flags.append(FLAG_RING)
            why += ring[2]
        if bot is not None and bot[0] >= bp.threshold:
            flags.append(FLAG_BOT)
            why += bot[1]
        rows.append(
            {
                "identity_id": identity,
                "ring_id": ring[0] if ring else None,
                "ring_score": ring[1] if ring else None,
                "ring_reasons": ring[2] if ring else None,
                "bot_score": bot[0] if bot else None,
                "bot_reasons": bot[1] if bot else None,
                "risk": combine_risk(ring[1] if ring else None, bot[0] if bot else None),
                "risk_flags": flags,
                "risk_reasons": why,
            }
        )
    return Assessment(rings=rings, identities=rows)
