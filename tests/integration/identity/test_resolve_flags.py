"""Who is this, with evidence and flags: each flag raised where it must be, not elsewhere."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from graph.identity.clustering import cluster
from graph.identity.resolve import IdentityResolver, ResolveContext
from graph.ingest.pipeline import Ingestor
from graph.ingest.readers import RawRecord
from graph.model.identifiers import Normaliser
from graph.store.algorithms import InProcessAlgorithms
from graph.store.repository import Neo4jStore

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def _event(
    event_id: str, at: datetime, channel: str, *ids: tuple[str, str], type_: str = "call"
) -> dict[str, object]:
    return {
        "event_id": event_id,
        "timestamp": at.isoformat().replace("+00:00", "Z"),
        "source": "test",
        "channel": channel,
        "type": type_,
        "identifiers": [{"type": t, "value": v} for t, v in ids],
    }


def _load(repo: Neo4jStore, events: list[dict[str, object]]) -> IdentityResolver:
    records = [RawRecord(n + 1, json.dumps(e), e) for n, e in enumerate(events)]
    Ingestor(repo, Normaliser()).ingest(records)
    cluster(repo, InProcessAlgorithms(), full=True)
    return IdentityResolver(repo, Normaliser())


def _caller(n: int = 6) -> list[dict[str, object]]:
    """Jean calls in the afternoon, always from the same phone, giving the same e-mail."""
    return [
        _event(
            f"c{k}",
            T0 + timedelta(days=k, minutes=10 * k),
            "call",
            ("phone", "0612345678"),
            ("email", "jean@example.fr"),
        )
        for k in range(n)
    ]


def _names(res: object) -> set[str]:
    return {f.name for f in res.flags}  # type: ignore[attr-defined]


AFTERNOON = ResolveContext(channel="call", timestamp=T0 + timedelta(days=30, hours=1))


def test_a_known_caller_is_clean_certain_and_explained(repo: Neo4jStore) -> None:
    r = _load(repo, _caller()).resolve([("phone", "06 12 34 56 78")], AFTERNOON)
    assert r.status == "matched" and not r.flags
    assert r.confidence >= 0.95 and r.verification == "none"
    assert r.evidence and r.evidence[0]["other_value"] == "jean@example.fr"
    assert r.evidence[0]["count"] == 6 and len(r.evidence[0]["events"]) == 3


def test_new_identifier_for_a_known_person(repo: Neo4jStore) -> None:
    resolver = _load(repo, _caller())
    r = resolver.resolve([("phone", "0612345678"), ("email", "jean.new@example.fr")], AFTERNOON)
    assert r.status == "matched" and "new_identifier" in _names(r)
    assert r.verification == "standard"


def test_identities_conflict(repo: Neo4jStore) -> None:
    other = _event("o1", T0, "call", ("phone", "0698765432"), ("email", "marie@example.fr"))
    resolver = _load(repo, [*_caller(), other])
    r = resolver.resolve([("phone", "0612345678"), ("email", "marie@example.fr")], AFTERNOON)
    assert r.status == "conflict" and "identities_conflict" in _names(r)
    assert r.verification == "step_up" and len(r.candidates) == 2


@pytest.mark.parametrize(("hour", "flagged"), [(3, True), (15, False)])
def test_unusual_hour(repo: Neo4jStore, hour: int, flagged: bool) -> None:
    at = (T0 + timedelta(days=30)).replace(hour=hour)
    r = _load(repo, _caller()).resolve(
        [("phone", "0612345678")], ResolveContext(channel="call", timestamp=at)
    )
    assert ("unusual_hour" in _names(r)) is flagged


@pytest.mark.parametrize(("channel", "flagged"), [("sms", True), ("call", False)])
def test_unusual_channel(repo: Neo4jStore, channel: str, flagged: bool) -> None:
    context = ResolveContext(channel=channel, timestamp=AFTERNOON.timestamp)
    r = _load(repo, _caller()).resolve([("phone", "0612345678")], context)
    assert ("unusual_channel" in _names(r)) is flagged


def test_shared_identifier(repo: Neo4jStore) -> None:
    events = [
        _event(f"k{n}", T0, "store", ("email", f"shopper{n}@example.fr"), ("device", "kiosk-1"))
        for n in range(8)
    ]
    resolver = _load(repo, events)
    kiosk = resolver.resolve([("device", "kiosk-1")])
    assert kiosk.status == "shared" and "shared_identifier" in _names(kiosk)
    assert len(kiosk.candidates) == 8 and kiosk.identity_id is None
    shopper = resolver.resolve([("email", "shopper3@example.fr")])
    assert shopper.status == "matched" and "shared_identifier" not in _names(shopper)


def _store_risk(repo: Neo4jStore, identity_id: str, **risk: object) -> None:
    """Write fraud detection's verdict on an identity, as the shared contract defines it
    (``graph/fraud/detect.py`` writes these properties after clustering; its own end-to-end test
    runs the detector itself)."""
    with repo.driver.session(database=repo.database) as s:
        s.run(
            "MATCH (p:Identity {identity_id: $identity_id}) SET p += $risk",
            identity_id=identity_id,
            risk=risk,
        ).consume()


def _ring_events(spread_days: float) -> list[dict[str, object]]:
    """Six identities around one card, signed up over ``spread_days``."""
    events = []
    for n in range(6):
        at = T0 + timedelta(days=spread_days * n / 5)
        events.append(
            _event(
                f"s{n}",
                at,
                "web",
                ("email", f"fake{n}@example.fr"),
                ("phone", f"06000011{n:02d}"),
                type_="signup",
            )
        )
        events.append(
            _event(f"p{n}", at, "web", ("email", f"fake{n}@example.fr"), ("card", "tok_1"))
        )
    return events


RING_VERDICT: dict[str, object] = {
    "ring_id": "ring_ab12",
    "ring_score": 0.87,
    "ring_reasons": ["6 identities share a card", "all signed up within a day"],
    "risk": 0.87,
    "risk_reasons": ["ring member"],
}


@pytest.mark.parametrize(
    ("risk_flags", "flagged"),
    [(["ring_member"], True), ([], False), (None, False)],
    ids=["stored-ring-member", "scored-clean", "not-scored"],
)
def test_ring_member_is_the_stored_verdict(
    repo: Neo4jStore, risk_flags: list[str] | None, flagged: bool
) -> None:
    """A burst of sign-ups around a card is for fraud detection to judge; the resolver
    raises ``ring_member`` exactly when the identity's stored ``risk_flags`` says so."""
    resolver = _load(repo, _ring_events(spread_days=1))
    before = resolver.resolve([("email", "fake2@example.fr")])
    assert before.status == "matched" and before.identity_id
    if risk_flags is not None:
        _store_risk(repo, before.identity_id, risk_flags=risk_flags, bot_score=0.1, **RING_VERDICT)
    r = resolver.resolve([("email", "fake2@example.fr")])
    assert ("ring_member" in _names(r)) is flagged
    assert (r.verification == "step_up") is flagged
    if flagged:
        (reason,) = [f.reason for f in r.flags if f.name == "ring_member"]
        assert reason == (
            "member of ring ring_ab12 (score 0.87): 6 identities share a card; "
            "all signed up within a day"
        )
    assert "bot_suspected" not in _names(r)


def _bot_events(gap_s: float) -> list[dict[str, object]]:
    events = [
        _event(
            f"b{n}",
            T0 + timedelta(seconds=gap_s * n),
            "web",
            ("device", "dev-bot"),
            ("cookie", f"ck{n}"),
            type_="page_view",
        )
        for n in range(30)
    ]
    events.append(_event("login", T0, "web", ("device", "dev-bot"), ("email", "bot@example.fr")))
    return events


@pytest.mark.parametrize(
    ("gap_s", "risk_flags", "flagged"),
    [
        (3600.0 * 5, ["bot_suspected"], True),
        (2.0, [], False),
        (2.0, None, True),
        (3600.0 * 5, None, False),
    ],
    ids=["stored-bot", "scored-clean-beats-timing", "not-scored-timing", "not-scored-human"],
)
def test_bot_suspected_is_the_stored_verdict_with_a_timing_fallback(
    repo: Neo4jStore, gap_s: float, risk_flags: list[str] | None, flagged: bool
) -> None:
    """Stored ``risk_flags`` decide for a scored identity, whatever its timing; an
    identity fraud detection has not scored yet is judged on its events' timing."""
    resolver = _load(repo, _bot_events(gap_s))
    before = resolver.resolve([("device", "dev-bot")])
    assert before.status == "matched" and before.identity_id
    if risk_flags is not None:
        _store_risk(
            repo,
            before.identity_id,
            risk_flags=risk_flags,
            bot_score=0.93 if risk_flags else 0.2,
            bot_reasons=["31 events 2 s apart", "no pause longer than a minute"],
            risk=0.93 if risk_flags else 0.2,
        )
    r = resolver.resolve([("device", "dev-bot")])
    assert r.status == "matched"
    assert ("bot_suspected" in _names(r)) is flagged
    assert (r.verification == "step_up") is flagged
    (reason,) = [f.reason for f in r.flags if f.name == "bot_suspected"] or [""]
    if flagged and risk_flags:
        assert (
            reason
            == "bot suspected (score 0.93): 31 events 2 s apart; no pause longer than a minute"
        )
    elif flagged:
        assert reason.startswith("31 events a median 2.0 s apart")


def test_both_stored_flags_at_once(repo: Neo4jStore) -> None:
    resolver = _load(repo, _ring_events(spread_days=40))
    before = resolver.resolve([("email", "fake4@example.fr")])
    assert before.identity_id and not before.flags
    _store_risk(
        repo,
        before.identity_id,
        risk_flags=["ring_member", "bot_suspected"],
        bot_score=0.8,
        bot_reasons=[],
        **RING_VERDICT,
    )
    r = resolver.resolve([("email", "fake4@example.fr")])
    assert [(f.name, f.reason) for f in r.flags if f.name in {"ring_member", "bot_suspected"}] == [
        (
            "ring_member",
            "member of ring ring_ab12 (score 0.87): 6 identities share a card; "
            "all signed up within a day",
        ),
        ("bot_suspected", "bot suspected (score 0.80)"),
    ]
    assert r.verification == "step_up"


@pytest.mark.parametrize(
    ("intent", "level"),
    [(None, "none"), ("deposit", "none"), ("withdrawal", "standard"), ("transfer", "standard")],
)
def test_verification_by_intent_for_a_clean_certain_match(
    repo: Neo4jStore, intent: str | None, level: str
) -> None:
    context = ResolveContext(channel="call", timestamp=AFTERNOON.timestamp, intent=intent)
    r = _load(repo, _caller()).resolve(
        [("phone", "0612345678"), ("email", "jean@example.fr")], context
    )
    assert r.confidence >= 0.99 and not r.flags and r.verification == level


def test_a_risky_intent_with_any_flag_steps_up(repo: Neo4jStore) -> None:
    at = (T0 + timedelta(days=30)).replace(hour=3)
    resolver = _load(repo, _caller())
    calm = resolver.resolve(
        [("phone", "0612345678")], ResolveContext(channel="call", timestamp=at, intent="deposit")
    )
    risky = resolver.resolve(
        [("phone", "0612345678")], ResolveContext(channel="call", timestamp=at, intent="withdrawal")
    )
    assert "unusual_hour" in _names(calm) and calm.verification == "standard"
    assert risky.verification == "step_up"


def test_unknown_caller_gets_the_usual_questions(repo: Neo4jStore) -> None:
    r = _load(repo, _caller()).resolve([("phone", "0699999999")], AFTERNOON)
    assert r.status == "unknown" and r.verification == "standard" and not r.flags


def test_values_are_shown_through_the_callers_policy(repo: Neo4jStore) -> None:
    r = _load(repo, _caller()).resolve(
        [("phone", "0612345678")], AFTERNOON, show=lambda t, v: f"<{t}>"
    )
    values = {m["value"] for m in r.identifiers} | {e["other_value"] for e in r.evidence}
    assert values == {"<phone>", "<email>"}
