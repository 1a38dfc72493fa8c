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

**Risk** (every active identity, :mod:`graph.fraud.risk`): the risk model's score over
the identity's signals (card and device churn, sharing, money moved, closeness to
confirmed fraud: :mod:`graph.fraud.signals`, :mod:`graph.fraud.model`) combined with
the ring and bot scores where they flag, ``risk = 1 - (1 - model) * (1 - ring) *
(1 - bot)``. Confirmed fraud enters as data (``chargeback`` events): with at least
``risk.min_labels`` confirmed identities the model is fitted on them (every other
identity a negative), otherwise the default model scores; the model is stored as a
``(:RiskModel)`` node with the data version it was fitted on. Stored on
``(:Identity)`` as ``ring_id, ring_score, ring_reasons, bot_score, bot_reasons,
risk, risk_flags, risk_reasons, risk_signals, risk_model``; rings as ``(:Ring)``
nodes with ``(:Identity)-[:IN_RING]->(:Ring)`` (see ``cypher/README.md``). A ring's
id is derived from its members, so an unchanged ring keeps its id from run to run.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.fraud.model import RiskModel, default_model, fit
from graph.fraud.rings import (
    EventFact,
    MemberActivity,
    SharedUse,
    activity_of,
    form_rings,
)
from graph.fraud.risk import (
    FLAG_BOT,
    FLAG_HIGH_RISK,
    FLAG_RING,
    FraudParams,
    assess,
    combine_risk,
    score_identities,
)
from graph.fraud.risk_facts import RiskFacts, read_risk_facts
from graph.fraud.signals import identity_signals
from graph.model.events import stored_attributes
from graph.model.identifiers import Normaliser
from graph.store.algorithms import Algorithms, choose_algorithms
from graph.store.gateway import GraphStore, Tx

__all__ = [
    "FLAG_BOT",
    "FLAG_RING",
    "FITTED_HERE",
    "FraudParams",
    "FraudResult",
    "combine_risk",
    "detect",
    "flagged_identities",
]

_CHUNK = 2_000
#: Identities whose scores one transaction writes.
_RISK_BATCH = 10_000


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
    high_risk: int = 0
    confirmed: int = 0
    risk_model: str = ""
    model_fitted: bool = False
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
            "high_risk_flagged": self.high_risk,
            "confirmed_fraud": self.confirmed,
            "risk_model": self.risk_model,
            "risk_model_fitted_here": self.model_fitted,
            "seconds": round(self.seconds, 3),
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }


# --- reading -------------------------------------------------------------------------------


def _read(repo: GraphStore, name: str, **params: Any) -> list[dict[str, Any]]:
    return repo.read(name, **params)


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
                    attributes=stored_attributes(r["attributes"]),
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
    normaliser: Normaliser | None = None,
) -> FraudResult:
    """Find rings and bots in the clustered graph and store them, replacing the last run.

    Run it after clustering (identities and ``USED_BY`` are its input).

    Args:
        repo: the graph.
        params: detection parameters (defaults: :class:`FraudParams`).
        algorithms: who computes the components of the identity graph (the rest is the
            same code), chosen once by the caller; None: chosen now (``auto``).
        normaliser: normalises the counterparts of transfers as ingest does (default:
            the default normalisation).
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
    facts = read_risk_facts(repo, normaliser)
    timings["read_risk_facts"] = time.perf_counter() - t
    t = time.perf_counter()
    confirmed = dict.fromkeys(facts.chargebacks, "chargeback")
    values = identity_signals(
        facts.holdings, facts.transfers, frozenset(confirmed), params.risk.signals
    )
    model = _risk_model(facts, values, confirmed, params)
    rows = score_identities(
        facts.population, outcome.identities, values, model, confirmed, params.risk
    )
    timings["risk"] = time.perf_counter() - t

    t = time.perf_counter()
    _write(repo, outcome.rings, rows, model)
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
        identities_scored=len(rows),
        seconds=time.perf_counter() - started,
        timings=timings,
        high_risk=sum(1 for r in rows if FLAG_HIGH_RISK in r["risk_flags"]),
        confirmed=len(confirmed),
        risk_model=model.model_id,
        model_fitted=model.fitted_on == FITTED_HERE,
    )


#: ``RiskModel.fitted_on`` of a model fitted on the graph's own labels.
FITTED_HERE = "this graph"


def _risk_model(
    facts: RiskFacts,
    values: Mapping[str, Mapping[str, float]],
    confirmed: Mapping[str, str],
    params: FraudParams,
) -> RiskModel:
    """The graph's own model when it holds enough labels, else the default one."""
    labelled = [i for i in facts.population if i in confirmed]
    if len(labelled) < params.risk.min_labels:
        return default_model()
    from dataclasses import replace

    from graph.fraud.signals import zero_signals

    zero = zero_signals()
    model = fit(
        [values.get(i, zero) for i in facts.population],
        [i in confirmed for i in facts.population],
        model_id=f"fit-{facts.data_version}",
        fitted_on=FITTED_HERE,
        l2=params.risk.l2,
        high_risk_share=params.risk.high_risk_share,
    )
    return replace(model, data_version=facts.data_version, fitted_at=int(time.time() * 1000))


def _write(
    repo: GraphStore, rings: list[dict[str, Any]], rows: list[dict[str, Any]], model: RiskModel
) -> None:
    """Replace the previous run's rings in one transaction (readers see the old rings or
    the new ones, never a mix), then every identity's score in batches of
    :data:`_RISK_BATCH`: one transaction for every identity of a large graph (130,000 on
    P2P) would outgrow the server's transaction memory. Until the last batch lands, a
    reader may see some identities scored by this run and others by the previous one."""
    detected_at = int(time.time() * 1000)
    stored = {
        "model_id": model.model_id,
        "fitted_on": model.fitted_on,
        "labels": model.labels,
        "population": model.population,
        "data_version": model.data_version,
        "fitted_at": model.fitted_at,
        "weights": json.dumps(dict(zip(model.signals, model.weights, strict=True))),
        "metrics": json.dumps(dict(model.metrics)),
    }
    rows = [{k: v for k, v in r.items() if k != "model_score"} for r in rows]

    def work(tx: Tx) -> None:
        tx.rows("fraud/write_risk_model", model=stored, used_at=detected_at)
        tx.rows("fraud/clear_memberships")
        tx.rows("fraud/drop_stale_rings", keep=[r["ring_id"] for r in rings])
        tx.rows("fraud/clear_risk")
        for start in range(0, len(rings), _CHUNK):
            tx.rows(
                "fraud/write_rings", rings=rings[start : start + _CHUNK], detected_at=detected_at
            )
        # Ring members first, with the rings: an IN_RING membership never lags its ring.
        members = [r for r in rows if r["ring_id"] is not None]
        for start in range(0, len(members), _CHUNK):
            tx.rows("fraud/write_risk", rows=members[start : start + _CHUNK])

    repo.write_transaction(work)
    others = [r for r in rows if r["ring_id"] is None]
    repo.write_batches("fraud/write_risk", others, _RISK_BATCH)


def flagged_identities(repo: GraphStore) -> dict[str, list[str]]:
    """Identity id -> its risk flags, for every flagged identity (evaluation reads it)."""
    return {
        str(r["identity_id"]): [str(f) for f in r["flags"]]
        for r in _read(repo, "fraud/flagged_identities")
    }
