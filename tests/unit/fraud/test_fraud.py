"""Ring and bot scoring without a database: each signal moves the score, reasons say
why, and the legitimate sharers (households, kiosks) stay unflagged."""

from __future__ import annotations

import subprocess
import sys

import pytest

from graph.fraud.bots import BotParams, bot_signals, score_bot
from graph.fraud.rings import (
    EventFact,
    MemberActivity,
    RingCandidate,
    RingParams,
    SharedUse,
    activity_of,
    form_rings,
    ring_id_for,
    ring_signals,
    score_ring,
)
from graph.fraud.risk import FLAG_BOT, FLAG_RING, FraudParams, assess, combine_risk

HOUR = 3_600_000
DAY = 24 * HOUR
T0 = 1_772_000_000_000  # early March 2026, epoch ms


def _member(
    n: int,
    *,
    first: int = T0,
    later: int = 4,
    early: int = 0,
    failed: int = 0,
    low: int = 0,
    referrers: frozenset[str] = frozenset(),
) -> MemberActivity:
    return MemberActivity(
        identity_id=f"id_{n:020d}",
        first_ms=first,
        last_ms=first + 30 * DAY,
        events=later + 1,
        later_events=later,
        early_events=early,
        failed_payments=failed,
        low_reviews=low,
        referrers=referrers,
    )


def _clique(members: list[MemberActivity]) -> RingCandidate:
    n = len(members)
    return RingCandidate(
        members=tuple(sorted(m.identity_id for m in members)),
        pairs=n * (n - 1) // 2,
        shared={"device": ("d1",)},
    )


def _score(members: list[MemberActivity], candidate: RingCandidate | None = None) -> float:
    candidate = candidate or _clique(members)
    signals = ring_signals(candidate, {m.identity_id: m for m in members})
    return score_ring(signals, len(members))[0]


def _household(size: int = 4) -> list[MemberActivity]:
    """Family members joined weeks apart, ordinary spread-out activity."""
    return [_member(k, first=T0 + k * 9 * DAY, later=8, early=1) for k in range(size)]


def _ring(size: int = 7) -> list[MemberActivity]:
    leader = f"id_{0:020d}"
    return [
        _member(
            k,
            first=T0 + k * 120_000,
            later=3,
            early=3,
            failed=1,
            low=1,
            referrers=frozenset({leader}) if k and k % 2 else frozenset(),
        )
        for k in range(size)
    ]


# --- ring scoring ----------------------------------------------------------------------------


def test_a_planted_like_ring_scores_high_with_reasons() -> None:
    members = _ring()
    candidate = _clique(members)
    signals = ring_signals(candidate, {m.identity_id: m for m in members})
    score, reasons = score_ring(signals, len(members), shared=candidate.shared)
    assert score >= 0.8
    assert signals["signup_burst"] == 1.0 and signals["failed_payments"] == 1.0
    text = " ".join(reasons)
    for word in ("failed payments", "reviews", "burst", "referrer", "short-lived", "share"):
        assert word in text


@pytest.mark.parametrize("size", [2, 3, 5])
def test_a_household_sharing_a_tablet_is_not_a_ring(size: int) -> None:
    members = _household(size)
    score = _score(members)
    assert score < RingParams().threshold
    assert score < RingParams().store_min  # not even stored


@pytest.mark.parametrize(
    ("signal", "change"),
    [
        ("signup_burst", {"first": T0}),
        ("failed_payments", {"failed": 1}),
        ("low_ratings", {"low": 1}),
        ("velocity", {"early": 8}),
        ("referral_abuse", {"referrers": frozenset({"id_outsider"})}),
    ],
)
def test_each_signal_moves_the_score(signal: str, change: dict[str, object]) -> None:
    base = _household(5)
    moved = [
        _member(
            k,
            first=int(change.get("first", T0 + k * 9 * DAY)),  # type: ignore[call-overload]
            later=8,
            early=int(change.get("early", 1)),  # type: ignore[call-overload]
            failed=int(change.get("failed", 0)),  # type: ignore[call-overload]
            low=int(change.get("low", 0)),  # type: ignore[call-overload]
            referrers=change.get("referrers", frozenset()),  # type: ignore[arg-type]
        )
        for k in range(5)
    ]
    before = ring_signals(_clique(base), {m.identity_id: m for m in base})
    after = ring_signals(_clique(moved), {m.identity_id: m for m in moved})
    assert after[signal] > before[signal]
    assert _score(moved) > _score(base)
    _, reasons = score_ring(after, 5)
    assert reasons, "a strong signal is given as a reason"


def test_density_moves_the_score() -> None:
    members = _household(5)
    sparse = RingCandidate(_clique(members).members, pairs=4, shared={})
    assert _score(members, sparse) < _score(members)


def test_one_signal_alone_does_not_flag() -> None:
    params = RingParams()
    for name in params.weights:
        score, _ = score_ring({name: 1.0}, 5, params)
        assert score < params.threshold, name


def test_reasons_name_no_identifier() -> None:
    members = _ring()
    candidate = RingCandidate(
        _clique(members).members, 21, {"phone": ("+33612345678",), "device": ("dev-1", "dev-2")}
    )
    _, reasons = score_ring(
        ring_signals(candidate, {m.identity_id: m for m in members}), 7, shared=candidate.shared
    )
    text = " ".join(reasons)
    assert "+33612345678" not in text and "dev-1" not in text
    assert "2 devices" in text and "1 phone" in text


def test_activity_of_counts_failed_payments_low_reviews_and_early_events() -> None:
    events = [
        EventFact(T0, "signup"),
        EventFact(T0 + HOUR, "payment_failed", attributes={"reason": "card_declined"}),
        EventFact(T0 + 2 * HOUR, "review", attributes={"rating": 1}),
        EventFact(T0 + 3 * HOUR, "review", attributes={"rating": "5"}),
        EventFact(T0 + 3 * HOUR, "review", attributes={"rating": True}),
        EventFact(T0 + 20 * DAY, "purchase"),
    ]
    a = activity_of("id_x", events, ["id_leader"])
    assert (a.events, a.later_events, a.early_events) == (6, 5, 4)
    assert (a.failed_payments, a.low_reviews) == (1, 1)
    assert a.first_ms == T0 and a.last_ms == T0 + 20 * DAY
    assert a.referrers == frozenset({"id_leader"})
    assert activity_of("id_y", []).first_ms is None


# --- ring formation --------------------------------------------------------------------------


def _use(key: str, kind: str, *ids: str) -> SharedUse:
    return SharedUse(key=key, type=kind, identities=frozenset(ids))


def test_rings_form_from_pooled_identifiers_and_hubs_are_suppressed() -> None:
    ring = [f"r{k}" for k in range(6)]
    crowd = [f"c{k}" for k in range(60)]
    uses = [
        _use("dev-a", "device", *ring[:3]),
        _use("dev-b", "device", *ring[3:]),
        _use("phone-a", "phone", ring[0], ring[3]),
        _use("kiosk", "device", *crowd, ring[1]),  # a shop kiosk: more than max_fanout
        _use("tablet", "device", "h1", "h2"),  # a couple: a candidate of its own
        _use("staff", "email", "e1", "e2", "e3"),  # not a poolable type
    ]
    candidates, hubs = form_rings(uses, RingParams(max_fanout=40))
    assert hubs == 1
    assert [c.members for c in candidates] == [tuple(sorted(ring)), ("h1", "h2")]
    assert [c.members for c in form_rings(uses, RingParams(min_size=3))[0]] == [tuple(sorted(ring))]
    assert candidates[0].pairs == 3 + 3 + 1
    assert candidates[0].shared == {"device": ("dev-a", "dev-b"), "phone": ("phone-a",)}


def test_components_from_a_back_end_are_used_as_given() -> None:
    uses = [_use("d1", "device", "a", "b", "c"), _use("d2", "device", "x", "y", "z")]
    # A back end that (wrongly, for the test) put everything in one component.
    candidates, _ = form_rings(uses, components=dict.fromkeys("abcxyz", 7))
    assert [len(c.members) for c in candidates] == [6]


def test_large_components_are_split() -> None:
    left = [f"l{k:02d}" for k in range(30)]
    right = [f"r{k:02d}" for k in range(30)]
    uses = [_use("dl", "device", *left), _use("dr", "device", *right)]
    uses.append(_use("bridge", "phone", left[0], right[0]))
    candidates, _ = form_rings(uses, RingParams(split_above=40))
    assert sorted(len(c.members) for c in candidates) == [30, 30]


def test_ring_ids_depend_on_members_only() -> None:
    assert ring_id_for(["b", "a"]) == ring_id_for(["a", "b", "a"])
    assert ring_id_for(["a", "b"]) != ring_id_for(["a", "c"])
    assert ring_id_for(["a"]).startswith("ring_") and len(ring_id_for(["a"])) == 21


# --- bots ------------------------------------------------------------------------------------


def _bot_events(n: int = 40, step_ms: tuple[int, ...] = (2000, 3000)) -> list[EventFact]:
    out, t = [], T0
    for k in range(n):
        t += step_ms[k % len(step_ms)]
        out.append(EventFact(t, "page_view", "web", devices=("d1",), cookies=(f"ck{k}",)))
    return out


def _person_events() -> list[EventFact]:
    gaps = [0, 3 * DAY, 3 * DAY + 40 * 60_000, 11 * DAY, 19 * DAY, 25 * DAY, 31 * DAY, 40 * DAY]
    return [
        EventFact(T0 + g, "page_view", "web", devices=("d1",), cookies=(f"ck{k}",))
        for k, g in enumerate(gaps)
    ]


def test_a_cookie_churning_regular_fast_device_is_a_bot() -> None:
    signals = bot_signals(_bot_events())
    assert signals["cookie_churn"] == 1.0 and signals["event_rate"] == 1.0
    assert signals["regularity"] > 0.7
    score, reasons = score_bot(signals)
    assert score >= BotParams().threshold
    assert len(reasons) == 3


def test_a_person_is_not_a_bot() -> None:
    score, reasons = score_bot(bot_signals(_person_events()))
    assert score < 0.1 and not reasons


def test_each_bot_signal_moves_the_score() -> None:
    steady = _bot_events(step_ms=(2500,))
    irregular = _bot_events(step_ms=(500, 9000, 1000, 30000))
    assert bot_signals(steady)["regularity"] > bot_signals(irregular)["regularity"]
    slow = _bot_events(step_ms=(120_000,))
    assert bot_signals(slow)["event_rate"] < bot_signals(steady)["event_rate"]
    one_cookie = [
        EventFact(e.at_ms, e.type, devices=e.devices, cookies=("ck",)) for e in _bot_events()
    ]
    assert bot_signals(one_cookie)["cookie_churn"] == 0.0
    assert score_bot(bot_signals(one_cookie))[0] < score_bot(bot_signals(_bot_events()))[0]


# --- risk ------------------------------------------------------------------------------------


def test_combined_risk() -> None:
    assert combine_risk(None, None) == 0.0
    assert combine_risk(0.9, None) == 0.9
    assert combine_risk(0.5, 0.5) == 0.75
    assert combine_risk(1.5, -1) == 1.0


def test_assess_flags_ring_members_and_bots_not_households() -> None:
    ring, family = (
        _ring(),
        [
            MemberActivity(
                m.identity_id.replace("id_", "hh_"),
                m.first_ms,
                m.last_ms,
                m.events,
                m.later_events,
                m.early_events,
            )
            for m in _household()
        ],
    )
    activity = {m.identity_id: m for m in [*ring, *family]}
    outcome = assess(
        [_clique(ring), _clique(family)],
        activity,
        {"id_bot": _bot_events(), "id_person": _person_events(), "id_quiet": _bot_events(3)},
        FraudParams(),
    )
    by_id = {r["identity_id"]: r for r in outcome.identities}
    assert len(outcome.rings) == 1 and outcome.flagged_rings == 1
    assert outcome.flagged(FLAG_RING) == len(ring)
    member = by_id[ring[0].identity_id]
    assert member["risk_flags"] == [FLAG_RING] and member["ring_id"] == outcome.rings[0]["ring_id"]
    assert member["risk"] == member["ring_score"] and member["risk_reasons"]
    assert not any(k.startswith("hh_") for k in by_id)  # the household is not scored
    assert by_id["id_bot"]["risk_flags"] == [FLAG_BOT]
    assert by_id["id_person"]["risk_flags"] == [] and by_id["id_person"]["bot_score"] < 0.1
    assert "id_quiet" not in by_id  # too few events to say


def test_the_scoring_modules_stay_pure() -> None:
    code = (
        "import sys, graph.fraud.rings, graph.fraud.bots, graph.fraud.risk;"
        "print('neo4j' in sys.modules, 'fastapi' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
