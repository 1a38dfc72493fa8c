"""Fraud rings at the identity level: how they are formed and scored, without I/O.

:mod:`graph.fraud.detect` reads the graph and hands the facts to the pure functions here;
the signals, their weights and thresholds are documented in that module and on
:class:`RingParams`.

Formation (:func:`form_rings`): two identities are linked when they use the same
shared identifier of a poolable type (device, phone, card, ip) that at most
``max_fanout`` identities use (a shop kiosk used by hundreds says nothing about any
two of them). Candidate rings are the connected components of that identity graph
with at least ``min_size`` identities (2); a component larger than ``split_above`` is
split by Louvain modularity (a ring that also touched a busy shared device must not
drown in the crowd around it).

Scoring (:func:`ring_signals`, :func:`score_ring`): every signal is a number in
[0, 1]; the score is their weighted mean, so that one signal alone (a household
sharing a tablet is dense; a few friends may sign up on the same day) stays far
below the flag threshold, and a ring showing most of them scores near 1.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.model.event_types import PAYMENT_FAILED, RATING, REVIEW

__all__ = [
    "RING_SIGNALS",
    "EventFact",
    "MemberActivity",
    "RingCandidate",
    "RingParams",
    "SharedUse",
    "activity_of",
    "form_rings",
    "ring_id_for",
    "ring_signals",
    "score_ring",
    "signals_json",
    "weighted_mean",
]

#: The ring signals, in the order reasons are given.
RING_SIGNALS = (
    "failed_payments",
    "low_ratings",
    "signup_burst",
    "referral_abuse",
    "velocity",
    "shared_density",
)

_HOUR_MS = 3_600_000


@dataclass(frozen=True)
class RingParams:
    """Parameters of ring formation and scoring (documented in :mod:`graph.fraud.detect`)."""

    pooled_types: tuple[str, ...] = ("device", "phone", "card", "ip")
    """Shared identifiers of these types link the identities that use them."""
    max_fanout: int = 40
    """A shared identifier used by more identities than this is a hub (a kiosk): it
    links nobody. Planted rings hold up to 30 identities."""
    min_size: int = 2
    """Smallest candidate ring. Pairs count: a couple sharing a tablet is told from a
    ring of two by the signals (it scores about 0.1), not by its size."""
    split_above: int = 60
    """Components with more identities than this are split by Louvain."""
    burst_window_h: float = 6.0
    """Sign-ups (first events) within this many hours of each other are one burst."""
    velocity_window_h: float = 96.0
    """Activity within this many hours of an identity's first event is early."""
    low_rating_max: float = 2.0
    """Reviews rated at most this are low."""
    weights: Mapping[str, float] = field(
        default_factory=lambda: {
            "shared_density": 1.0,
            "signup_burst": 2.0,
            "failed_payments": 2.0,
            "low_ratings": 1.5,
            "velocity": 1.5,
            "referral_abuse": 1.5,
        }
    )
    """Weight of each signal in the score (a weighted mean)."""
    reason_min: float = 0.5
    """A signal at least this strong is given as a reason."""
    threshold: float = 0.5
    """Members of a ring scoring at least this are flagged ``ring_member``."""
    store_min: float = 0.25
    """Candidates scoring below this are not stored as rings (households, kiosk crowds)."""
    louvain_seed: int = 0


@dataclass(frozen=True)
class EventFact:
    """One event of an identity, as detection needs it (no identifier values).

    Attributes:
        at_ms: epoch milliseconds.
        type: the canonical event type (:mod:`graph.model.event_types`: ``signup``,
            ``payment_failed``, ``review``, ``page_view``...), never a source's own.
        attributes: the event's attributes under canonical names (``rating``,
            ``reason``...).
        devices: opaque ids of the devices the event saw.
        cookies: opaque ids of the cookies the event saw.
    """

    at_ms: int
    type: str
    channel: str = ""
    attributes: Mapping[str, Any] = field(default_factory=dict)
    devices: tuple[str, ...] = ()
    cookies: tuple[str, ...] = ()


@dataclass(frozen=True)
class MemberActivity:
    """What one identity did, summed up for ring scoring.

    Attributes:
        first_ms, last_ms: its first and last event (None: no event).
        events: how many events.
        later_events: events after the first one.
        early_events: of those, how many within the velocity window of the first.
        failed_payments: ``payment_failed`` events.
        low_reviews: reviews rated at most ``low_rating_max``.
        referrers: identities (or shared identifiers) that referred it.
    """

    identity_id: str
    first_ms: int | None = None
    last_ms: int | None = None
    events: int = 0
    later_events: int = 0
    early_events: int = 0
    failed_payments: int = 0
    low_reviews: int = 0
    referrers: frozenset[str] = frozenset()


def _rating(attributes: Mapping[str, Any]) -> float | None:
    value = attributes.get(RATING)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def activity_of(
    identity_id: str,
    events: Iterable[EventFact],
    referrers: Iterable[str] = (),
    params: RingParams | None = None,
) -> MemberActivity:
    """Sum up an identity's events (duplicates by time and type count once)."""
    params = params or RingParams()
    facts = sorted(events, key=lambda e: e.at_ms)
    if not facts:
        return MemberActivity(identity_id, referrers=frozenset(referrers))
    first = facts[0].at_ms
    window = params.velocity_window_h * _HOUR_MS
    later = facts[1:]
    low = 0
    for e in facts:
        if e.type == REVIEW:
            rating = _rating(e.attributes)
            if rating is not None and rating <= params.low_rating_max:
                low += 1
    return MemberActivity(
        identity_id=identity_id,
        first_ms=first,
        last_ms=facts[-1].at_ms,
        events=len(facts),
        later_events=len(later),
        early_events=sum(1 for e in later if e.at_ms - first <= window),
        failed_payments=sum(1 for e in facts if e.type == PAYMENT_FAILED),
        low_reviews=low,
        referrers=frozenset(referrers),
    )


@dataclass(frozen=True)
class SharedUse:
    """A shared identifier and the identities that use it (``key`` is opaque)."""

    key: str
    type: str
    identities: frozenset[str]


@dataclass(frozen=True)
class RingCandidate:
    """A group of identities tied by shared identifiers.

    Attributes:
        members: sorted identity ids.
        pairs: member pairs that share at least one identifier.
        shared: the shared identifiers (keys) used by two members or more, by type.
    """

    members: tuple[str, ...]
    pairs: int
    shared: Mapping[str, tuple[str, ...]]


def form_rings(
    uses: Iterable[SharedUse],
    params: RingParams | None = None,
    components: Mapping[str, int] | None = None,
) -> tuple[list[RingCandidate], int]:
    """Candidate rings from shared identifiers (see the module docstring).

    Args:
        uses: shared identifiers and their identities.
        params: ring parameters.
        components: identity -> component number, when a back end (GDS WCC) already
            computed them over the same links; None: computed here (networkx).

    Returns:
        The candidates (largest first, then by members), and how many shared
        identifiers were suppressed as hubs.
    """
    params = params or RingParams()
    allowed = set(params.pooled_types)
    g: nx.Graph[str] = nx.Graph()
    hubs = 0
    kept: list[SharedUse] = []
    for use in uses:
        if use.type not in allowed or len(use.identities) < 2:
            continue
        if len(use.identities) > params.max_fanout:
            hubs += 1
            continue
        kept.append(use)
        ids = sorted(use.identities)
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                if g.has_edge(a, b):
                    g[a][b]["weight"] += 1.0
                else:
                    g.add_edge(a, b, weight=1.0)
    if components is None:
        groups = [set(c) for c in nx.connected_components(g)]
    else:
        by: dict[int, set[str]] = defaultdict(set)
        for node in g:
            by[components.get(node, -1)].add(node)
        groups = list(by.values())
    parts: list[set[str]] = []
    for group in groups:
        if len(group) > params.split_above:
            sub = g.subgraph(sorted(group))
            parts += [
                set(p)
                for p in nx.community.louvain_communities(
                    sub, weight="weight", seed=params.louvain_seed
                )
            ]
        else:
            parts.append(group)
    candidates: list[RingCandidate] = []
    for part in parts:
        if len(part) < params.min_size:
            continue
        members = tuple(sorted(part))
        shared: dict[str, list[str]] = defaultdict(list)
        for use in kept:
            if len(use.identities & part) >= 2:
                shared[use.type].append(use.key)
        candidates.append(
            RingCandidate(
                members=members,
                pairs=g.subgraph(members).number_of_edges(),
                shared={t: tuple(sorted(keys)) for t, keys in sorted(shared.items())},
            )
        )
    candidates.sort(key=lambda c: (-len(c.members), c.members))
    return candidates, hubs


def ring_id_for(members: Iterable[str]) -> str:
    """A ring's public id, derived from its members: an unchanged ring keeps its id."""
    text = "\n".join(sorted(set(members)))
    return "ring_" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _largest_in_window(times: Sequence[int], window: float) -> int:
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] > window:
            start += 1
        best = max(best, end - start + 1)
    return best


def ring_signals(
    candidate: RingCandidate,
    activity: Mapping[str, MemberActivity],
    params: RingParams | None = None,
) -> dict[str, float]:
    """Every ring signal of a candidate, each in [0, 1] (see :mod:`graph.fraud.detect`)."""
    params = params or RingParams()
    members = candidate.members
    n = len(members)
    acts = [activity.get(m, MemberActivity(m)) for m in members]
    possible = n * (n - 1) / 2
    firsts = sorted(a.first_ms for a in acts if a.first_ms is not None)
    burst = _largest_in_window(firsts, params.burst_window_h * _HOUR_MS)
    later = sum(a.later_events for a in acts)
    early = sum(a.early_events for a in acts)
    referred: Counter[str] = Counter()
    for a in acts:
        for r in a.referrers:
            referred[r] += 1
    top_referrer, top = referred.most_common(1)[0] if referred else ("", 0)
    # A referrer inside the ring cannot have referred itself.
    room = n - 1 if top_referrer in members else n
    return {
        "shared_density": candidate.pairs / possible if possible else 0.0,
        "signup_burst": burst / n if burst >= 2 else 0.0,
        "failed_payments": sum(1 for a in acts if a.failed_payments) / n,
        "low_ratings": sum(1 for a in acts if a.low_reviews) / n,
        "velocity": early / later if later else 0.0,
        "referral_abuse": min(1.0, top / room) if top >= 2 and room else 0.0,
    }


def score_ring(
    signals: Mapping[str, float],
    size: int,
    params: RingParams | None = None,
    shared: Mapping[str, Sequence[str]] | None = None,
) -> tuple[float, list[str]]:
    """The ring's score (weighted mean of its signals) and the reasons behind it.

    Reasons name counts and shares only, never an identifier.
    """
    params = params or RingParams()
    score = weighted_mean(signals, params.weights)
    reasons: list[str] = []
    for name in RING_SIGNALS:
        value = signals.get(name, 0.0)
        if value < params.reason_min or params.weights.get(name, 0.0) <= 0:
            continue
        k = round(value * size)
        if name == "failed_payments":
            reasons.append(f"{k} of {size} identities had failed payments")
        elif name == "low_ratings":
            reasons.append(
                f"{k} of {size} identities left reviews rated {params.low_rating_max:g} or less"
            )
        elif name == "signup_burst":
            reasons.append(
                f"{k} of {size} identities first seen within {params.burst_window_h:g} h "
                "(a sign-up burst)"
            )
        elif name == "referral_abuse":
            reasons.append(f"one referrer brought in {value:.0%} of the ring")
        elif name == "velocity":
            reasons.append(
                f"{value:.0%} of the members' later activity within "
                f"{params.velocity_window_h:g} h of their first event (short-lived identities)"
            )
        elif name == "shared_density":
            what = ", ".join(
                f"{len(keys)} {kind}{'s' if len(keys) > 1 else ''}"
                for kind, keys in sorted((shared or {}).items())
            )
            tail = f" ({what})" if what else ""
            reasons.append(f"{value:.0%} of member pairs share identifiers{tail}")
    return round(score, 4), reasons


def signals_json(signals: Mapping[str, float]) -> str:
    """Signals as the JSON object stored on a ring (rounded)."""
    return json.dumps({k: round(float(v), 4) for k, v in sorted(signals.items())})


def weighted_mean(signals: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """The weighted mean of the signals, each clipped to [0, 1] (a missing one is 0)."""
    total = sum(weights.values())
    if not total:
        return 0.0
    return sum(w * min(1.0, max(0.0, signals.get(k, 0.0))) for k, w in weights.items()) / total
