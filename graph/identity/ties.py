"""When a pooled identifier ties several names: a handover, one person, or glue (pure).

A phone, device or card linked to two e-mails (or accounts) of one component is read
three ways, and :func:`decide_tie` says which, with its evidence:

- **handover** (phones and devices): the names used it one after the other, never
  together, and share nothing else. A recycled phone number, a resold device: it was
  the first owner's until the next one's first use, the last owner's since. It glues no
  one; clustering gives it to its last owner and records the earlier owners and until
  when (resolve at a time T answers the owner at T). Age alone is never a reason: a
  link seen once years ago and never contradicted keeps its weight.
- **one_person** (e-mails only): the evidence says the e-mails are one person's (a
  work and a personal address used with one phone): the pooled identifier does not
  split them.
- **glue** otherwise: a ring's pooled phone, a household's landline or tablet; the
  split rule of :mod:`graph.identity.rules` cuts it and shares it.

Signals of ``one_person``, each in [0, 1], weighted by :data:`DEFAULT_TIE_WEIGHTS`
(the weights are bounded: their positive sum is 1, so no single signal decides alone
unless it is the last one missing):

- ``interleave``: how much the names' periods of use of the pooled identifier overlap
  (the shorter one's share inside the other, each widened by half a day: the P2P data
  has dates only). One person's two addresses interleave; a recycled number does not.
- ``overlap``: Jaccard similarity of the other devices, phones and cards the names are
  seen with. One person's two addresses are used on the same devices; two people
  sharing a landline each have their own mobile and devices.
- ``fanout``: 1 when the pooled identifier ties two names, 0.5 for three, 0 beyond: a
  ring's pooled phone ties many.
- ``names``: shared name tokens (runs of 3 letters or more) of the e-mails' local
  parts, half per token: ``jean.dupont`` and ``jdupont.jean`` share two (1.0); two
  members of a household share a surname (0.5).
- ``alternative`` (negative weight): both names have another identifier of the pooled
  one's type of their own (each member of a household has a mobile besides the
  landline; each their own phone or tablet besides the family's).

Gates before any score: the names must be e-mails (an account is one registration in a
source system: accounts sharing a device stay apart, multi-accounting must stay
visible), at most ``tie_max_names`` of them, and the group of names the component's
pooled identifiers tie together must not exceed what one person has (the ``email``
limit of ``max_per_person``): a fraud ring's members, each with one address and a
pooled phone, device and card, look like one person pairwise, but a ring ties five or
more addresses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Literal

__all__ = [
    "DAY_MS",
    "DEFAULT_TIE_WEIGHTS",
    "HANDOVER_TYPES",
    "Period",
    "Seen",
    "Tie",
    "TieDecision",
    "TieParams",
    "decide_tie",
    "name_tokens",
    "owner_periods",
]

DAY_MS = 86_400_000

#: Types that change hands: numbers are recycled by carriers, devices resold. Cards are
#: not (a replaced card is a new token).
HANDOVER_TYPES = frozenset({"phone", "device"})

#: Weights of the one-person signals (see the module documentation).
DEFAULT_TIE_WEIGHTS: dict[str, float] = {
    "interleave": 0.3,
    "overlap": 0.3,
    "fanout": 0.1,
    "names": 0.3,
    "alternative": -0.5,
}

Verdict = Literal["handover", "one_person", "glue"]


@dataclass(frozen=True)
class Seen:
    """A link's sightings: first and last (epoch ms) and how many."""

    first: int
    last: int
    count: int = 1


@dataclass(frozen=True)
class Period:
    """Names that used a pooled identifier in one period, ``start`` to ``end`` (ms)."""

    names: tuple[str, ...]
    start: int
    end: int


@dataclass(frozen=True)
class TieParams:
    """Thresholds of :func:`decide_tie`."""

    handover_min_gap_days: float = 30.0
    """A handover needs the earlier owners' last use at least this many days before
    the next owner's first: carriers hold a number one to three months before they
    reassign it, and a resold device changes hands after its seller stops using it. A
    person who changes e-mail but keeps the phone has no such gap; on the P2P data (dates
    only) a same-day change is never a handover."""
    one_person_min_score: float = 0.55
    """Score from which the names are one person's. With the default weights: two
    addresses used in the same period with one phone and sharing two name tokens
    (0.7), or used on the same devices too (0.55 and up); a household landline with a
    shared surname stays glue (0.55 minus 0.5 for the members' own mobiles)."""
    tie_max_names: int = 3
    """At most this many names tied by one pooled identifier can be one person (the
    simulated people have 1 to 3 addresses)."""
    max_group: int = 4
    """At most this many names tied together by the component's pooled identifiers
    (the ``email`` hub limit): a fraud ring's pool ties five or more."""
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_TIE_WEIGHTS))
    """Per signal, its weight (see the module documentation)."""


@dataclass(frozen=True)
class Tie:
    """The facts about one pooled identifier that ties several names.

    Attributes:
        pooled: its node id.
        kind: its type (``phone``, ``device``, ``card``).
        uses: name node -> its link's sightings with the pooled identifier.
        name_kinds: name node -> its type (``email``, ``account``).
        around: name node -> the other devices, phones and cards it is linked to (the
            pooled identifier excluded), as node ids.
        around_kinds: node id -> type, for those.
        local_parts: name node -> the local part of its e-mail ('' when not one).
        group: how many names the component's pooled identifiers tie together, this
            one's included.
    """

    pooled: str
    kind: str
    uses: Mapping[str, Seen]
    name_kinds: Mapping[str, str]
    around: Mapping[str, frozenset[str]]
    around_kinds: Mapping[str, str]
    local_parts: Mapping[str, str]
    group: int


@dataclass(frozen=True)
class TieDecision:
    """What a pooled identifier is, and why."""

    pooled: str
    verdict: Verdict
    score: float
    signals: Mapping[str, float]
    periods: tuple[Period, ...] = ()
    """For a handover: the owner periods, oldest first (the last is the owner now)."""
    reason: str = ""


def owner_periods(uses: Mapping[str, Seen], min_gap_ms: int) -> list[Period]:
    """The names grouped into periods of use, oldest first.

    A new period starts with a name whose first use comes at least ``min_gap_ms`` after
    the last use of every name before it; names whose uses overlap (or nearly) share a
    period.
    """
    ordered = sorted(uses, key=lambda n: (uses[n].first, uses[n].last, n))
    periods: list[Period] = []
    names: list[str] = []
    start = end = 0
    for n in ordered:
        s = uses[n]
        if names and s.first - end >= min_gap_ms:
            periods.append(Period(tuple(names), start, end))
            names = []
        if not names:
            start, end = s.first, s.last
        names.append(n)
        end = max(end, s.last)
    if names:
        periods.append(Period(tuple(names), start, end))
    return periods


_TOKEN = re.compile(r"[a-z]{3,}")


def name_tokens(local_part: str) -> frozenset[str]:
    """The name tokens of an e-mail's local part: runs of three letters or more."""
    return frozenset(_TOKEN.findall(local_part.lower()))


def _interleave(a: Seen, b: Seen) -> float:
    half = DAY_MS // 2
    lo, hi = max(a.first, b.first) - half, min(a.last, b.last) + half
    shorter = min(a.last - a.first, b.last - b.first) + 2 * half
    return max(0.0, min(1.0, (hi - lo) / shorter))


def _jaccard(x: frozenset[str], y: frozenset[str]) -> float:
    union = x | y
    return len(x & y) / len(union) if union else 0.0


def decide_tie(tie: Tie, params: TieParams | None = None) -> TieDecision:
    """Whether a pooled identifier was handed over, ties one person, or is glue.

    Args:
        tie: the facts (see :class:`Tie`).
        params: thresholds and weights (defaults: :class:`TieParams`).

    Returns:
        The verdict, its score (the weighted sum of the one-person signals, 0 for a
        handover), each signal's value, the owner periods of a handover and a reason
        (no identifier value in it).
    """
    params = params or TieParams()
    names = sorted(tie.uses)
    if tie.kind in HANDOVER_TYPES and len(names) >= 2:
        periods = owner_periods(tie.uses, round(params.handover_min_gap_days * DAY_MS))
        crossing = any(
            tie.around.get(a, frozenset()) & tie.around.get(b, frozenset())
            for k, p in enumerate(periods)
            for q in periods[k + 1 :]
            for a in p.names
            for b in q.names
        )
        if len(periods) >= 2 and not crossing:
            return TieDecision(
                tie.pooled,
                "handover",
                0.0,
                {"periods": float(len(periods))},
                tuple(periods),
                f"used by {len(periods)} owners one after the other, "
                f"at least {params.handover_min_gap_days:g} days apart, sharing nothing else",
            )
    if any(tie.name_kinds.get(n) != "email" for n in names):
        return TieDecision(tie.pooled, "glue", 0.0, {}, reason="ties accounts")
    if len(names) > params.tie_max_names or tie.group > params.max_group:
        return TieDecision(
            tie.pooled,
            "glue",
            0.0,
            {"fanout": 0.0},
            reason=f"ties {max(len(names), tie.group)} addresses: more than one person has",
        )
    pairs = list(combinations(names, 2))
    interleave = sum(_interleave(tie.uses[a], tie.uses[b]) for a, b in pairs) / len(pairs)
    overlap = sum(
        _jaccard(tie.around.get(a, frozenset()), tie.around.get(b, frozenset())) for a, b in pairs
    ) / len(pairs)
    fanout = {2: 1.0, 3: 0.5}.get(len(names), 0.0)
    tokens = {n: name_tokens(tie.local_parts.get(n, "")) for n in names}
    shared_names = sum(min(1.0, len(tokens[a] & tokens[b]) / 2) for a, b in pairs) / len(pairs)

    def own_alternative(n: str) -> bool:
        others = set().union(*(tie.around.get(m, frozenset()) for m in names if m != n))
        return any(
            tie.around_kinds.get(x) == tie.kind and x not in others
            for x in tie.around.get(n, frozenset())
        )

    alternative = 1.0 if sum(1 for n in names if own_alternative(n)) >= 2 else 0.0
    signals = {
        "interleave": round(interleave, 4),
        "overlap": round(overlap, 4),
        "fanout": fanout,
        "names": round(shared_names, 4),
        "alternative": alternative,
    }
    score = sum(params.weights.get(k, 0.0) * v for k, v in signals.items())
    score = round(max(0.0, min(1.0, score)), 4)
    if score >= params.one_person_min_score:
        return TieDecision(
            tie.pooled, "one_person", score, signals, reason="the addresses look like one person's"
        )
    return TieDecision(
        tie.pooled, "glue", score, signals, reason="too little evidence of one person"
    )
