"""Per-identity risk: ring and bot evidence and the risk model combined, and what a
detection run stores, without I/O (:mod:`graph.fraud.detect` reads the facts and writes
the outcome).

Every active identity gets a ``risk`` in [0, 1]::

    risk = 1 - (1 - model) * (1 - ring) * (1 - bot)

``model`` is the risk model's score (:mod:`graph.fraud.model` over the signals of
:mod:`graph.fraud.signals`), ``ring`` and ``bot`` the ring and bot scores where they
raise their flag (``ring_member``, ``bot_suspected``), 0 otherwise: a candidate ring
that is not flagged says too little to move a ranking. Each part's share of the risk is
its share of ``-log(1 - risk)`` (the three multiply, their logarithms add), and the
model's share is divided among its signals as the model explains its score
(:meth:`graph.fraud.model.RiskModel.explain`): ``risk_signals`` lists them, the
reasons say them in words.

Flags: ``ring_member`` and ``bot_suspected`` as raised, ``high_risk`` when the model's
score reaches the model's ``high_risk_min`` (the riskiest 1% of the population it was
fitted on), ``confirmed_fraud`` for an identity the data confirms (a chargeback, an
investigator's verdict). An identity an investigator dismissed (``false_positive``) is
not flagged again on the same evidence: its flags give way to ``dismissed`` until the
evidence is new (the caller decides what is new).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.fraud.bots import BotParams, bot_signals, score_bot
from graph.fraud.model import RiskModel
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
from graph.fraud.signals import SignalParams, describe, zero_signals

__all__ = [
    "FLAG_BOT",
    "FLAG_CONFIRMED",
    "FLAG_DISMISSED",
    "FLAG_HIGH_RISK",
    "FLAG_RING",
    "Assessment",
    "FraudParams",
    "RiskParams",
    "assess",
    "combine_risk",
    "score_identities",
]

FLAG_RING = "ring_member"
FLAG_BOT = "bot_suspected"
FLAG_HIGH_RISK = "high_risk"
FLAG_CONFIRMED = "confirmed_fraud"
FLAG_DISMISSED = "dismissed"

#: Flags that an investigator's dismissal silences.
_SILENCED = (FLAG_RING, FLAG_BOT, FLAG_HIGH_RISK)


@dataclass(frozen=True)
class RiskParams:
    """How the per-identity risk is measured and fitted."""

    signals: SignalParams = field(default_factory=SignalParams)
    min_labels: int = 10
    """Identities confirmed as fraud needed to fit the model on the graph's own labels;
    with fewer, the default model (fitted on the P2P dev half) scores. Ten: on P2P, fits
    on 10 labels rank the other fraudsters within 0.02 of the average precision of
    fits on 90 (the weights of the strong signals, money sent and cards, settle first)."""
    l2: float = 1.0
    """The fit's penalty on the weights (see :func:`graph.fraud.model.fit`)."""
    high_risk_share: float = 0.01
    """The share of the population whose model score flags ``high_risk``."""
    min_share: float = 0.05
    """A signal below this share of the risk is left out of the reasons (it stays in
    ``risk_signals``)."""


@dataclass(frozen=True)
class FraudParams:
    """Parameters of a detection run: ring, bot and risk parameters (see
    :mod:`graph.fraud.detect`)."""

    rings: RingParams = field(default_factory=RingParams)
    bots: BotParams = field(default_factory=BotParams)
    risk: RiskParams = field(default_factory=RiskParams)


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


def _push(score: float) -> float:
    """``-log(1 - score)``: how much a part pushes the combined risk (they add)."""
    return -math.log(max(1e-12, 1.0 - min(max(score, 0.0), 1.0 - 1e-12)))


def score_identities(
    population: Sequence[str],
    ring_bot: Sequence[Mapping[str, Any]],
    signal_values: Mapping[str, Mapping[str, float]],
    model: RiskModel,
    confirmed: Mapping[str, str],
    params: RiskParams | None = None,
    silenced: Callable[[str, Mapping[str, Any]], bool] | None = None,
) -> list[dict[str, Any]]:
    """The stored risk of every identity of ``population``.

    Args:
        population: every identity to score (the active ones).
        ring_bot: :attr:`Assessment.identities`, the ring and bot rows.
        signal_values: identity -> its signals (:func:`graph.fraud.signals.identity_signals`;
            a missing identity has all zeros).
        model: the risk model.
        confirmed: identity -> why it is confirmed fraud (``"chargeback"``, ``"verdict"``).
        params: risk parameters.
        silenced: given an identity and its row (before silencing), True when an
            investigator dismissed it and the evidence is not new.

    Returns:
        One row per identity: ``identity_id, ring_id, ring_score, ring_reasons,
        bot_score, bot_reasons, risk, risk_flags, risk_reasons, risk_signals`` (JSON
        text), ``risk_model``, ``model_score``.
    """
    params = params or RiskParams()
    by_id = {str(r["identity_id"]): r for r in ring_bot}
    zero = zero_signals()
    values = [signal_values.get(i, zero) for i in population]
    scores = model.scores(values)
    rows: list[dict[str, Any]] = []
    for identity, row_values, p in zip(population, values, scores, strict=True):
        rb = by_id.get(identity, {})
        flags = [f for f in rb.get("risk_flags", []) if f in (FLAG_RING, FLAG_BOT)]
        ring = float(rb.get("ring_score") or 0.0) if FLAG_RING in flags else 0.0
        bot = float(rb.get("bot_score") or 0.0) if FLAG_BOT in flags else 0.0
        if p >= model.high_risk_min:
            flags.append(FLAG_HIGH_RISK)
        if identity in confirmed:
            flags.append(FLAG_CONFIRMED)
        risk = 1.0 - (1.0 - p) * (1.0 - ring) * (1.0 - bot)
        pushes = {"model": _push(p), FLAG_RING: _push(ring), FLAG_BOT: _push(bot)}
        total = sum(pushes.values())
        share = {k: (v / total if total > 0 else 0.0) for k, v in pushes.items()}
        signals: list[dict[str, Any]] = []
        reasons: list[str] = []
        if identity in confirmed:
            reasons.append(f"confirmed fraud ({confirmed[identity]})")
        for part in (FLAG_RING, FLAG_BOT):
            if share[part] > 0:
                signals.append(
                    {
                        "signal": part,
                        "value": round(ring if part == FLAG_RING else bot, 4),
                        "share": round(share[part], 4),
                    }
                )
        for s, s_share in model.explain(row_values):
            signals.append(
                {
                    "signal": s,
                    "value": round(float(row_values.get(s, 0.0)), 4),
                    "share": round(s_share * share["model"], 4),
                }
            )
        signals.sort(key=lambda x: (-x["share"], x["signal"]))
        for sig in signals:
            if sig["share"] < params.min_share:
                continue
            if sig["signal"] == FLAG_RING:
                reasons += [str(x) for x in rb.get("ring_reasons") or []][:2] or ["ring member"]
            elif sig["signal"] == FLAG_BOT:
                reasons += [str(x) for x in rb.get("bot_reasons") or []][:2] or ["bot suspected"]
            else:
                text = describe(sig["signal"], float(sig["value"]), params.signals)
                reasons.append(f"{text}: {round(100 * sig['share'])}% of the risk")
        row: dict[str, Any] = {
            "identity_id": identity,
            "ring_id": rb.get("ring_id"),
            "ring_score": rb.get("ring_score"),
            "ring_reasons": rb.get("ring_reasons"),
            "bot_score": rb.get("bot_score"),
            "bot_reasons": rb.get("bot_reasons"),
            "risk": round(risk, 6),
            "risk_flags": flags,
            "risk_reasons": reasons,
            "risk_signals": json.dumps(signals),
            "risk_model": model.model_id,
            "model_score": round(p, 6),
        }
        if silenced is not None and any(f in _SILENCED for f in flags) and silenced(identity, row):
            row["risk_flags"] = [f for f in flags if f not in _SILENCED] + [FLAG_DISMISSED]
        rows.append(row)
    return rows
