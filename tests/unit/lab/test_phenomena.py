"""The real-data phenomena: each is in the world, the truth records it, same seed same world."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from functools import cache

from graph.lab.metrics import Call, call_outcomes, handover_calls, own_phone_calls
from graph.lab.simulate import World, WorldConfig, simulate
from graph.lab.truth import Truth

REAL = WorldConfig(
    long_standing_share=0.3,
    second_email_share=0.1,
    account_share=0.3,
    card_replacement_share=0.1,
    recycled_phone_share=0.03,
    resold_device_share=0.03,
    couple_share=0.06,
)


@cache
def world() -> World:
    return simulate(people=400, seed=3, config=REAL)


def _with(truth: Truth, trait: str) -> list[str]:
    return [p for p, info in truth.people.items() if trait in info.traits]


def _events_of(w: World, person: str) -> list[dict[str, object]]:
    return [e for e in w.events if w.actors.get(str(e["event_id"])) == person]


def test_same_seed_same_world_and_default_worlds_unchanged() -> None:
    a, b = simulate(people=150, seed=9, config=REAL), simulate(people=150, seed=9, config=REAL)
    assert a.events == b.events and a.ground_truth() == b.ground_truth()
    plain = simulate(people=150, seed=9)
    assert not any(info.traits for info in plain.ground_truth().people.values())
    assert len(plain.events) < len(a.events)
    assert a.events[:0] == []


def test_long_standing_customers_have_years_of_history() -> None:
    w = world()
    truth = w.ground_truth()
    start = datetime(2026, 3, 1).astimezone()
    people = _with(truth, "long_standing")
    assert len(people) == round(0.3 * sum(i.kind == "person" for i in truth.people.values()))
    for p in people:
        times = sorted(datetime.fromisoformat(str(e["timestamp"])) for e in _events_of(w, p))
        assert times[0] <= start - timedelta(days=365 * 2 - 1)
    # Some owned identifiers were last seen more than a year before the newest event.
    last: dict[str, str] = {}
    for e in w.events:
        for i in e["identifiers"]:  # type: ignore[attr-defined]
            last[f"{i['type']}:{i['value']}".lower()] = str(e["timestamp"])
    assert any(t < "2025-06-01" for t in last.values())


def test_second_emails_are_never_seen_with_the_personal_ones() -> None:
    w = world()
    truth = w.ground_truth()
    people = {p.person_id: p for p in w.people}
    chosen = _with(truth, "second_email")
    assert chosen
    for pid in chosen:
        work = people[pid].emails[-1]
        assert f"email:{work}" in truth.owners and truth.owners[f"email:{work}"] == pid
        for e in _events_of(w, pid):
            values = {str(i["value"]).strip().lower() for i in e["identifiers"]}  # type: ignore[attr-defined]
            if work in values:
                assert not values & {x for x in people[pid].emails if x != work}


def test_accounts_hold_many_cards_as_in_p2p() -> None:
    truth = world().ground_truth()
    cards: defaultdict[str, int] = defaultdict(int)
    for key, person in truth.owners.items():
        if key.startswith("card:"):
            cards[person] += 1
    holders = _with(truth, "account")
    assert holders and any(k.startswith("account:") for k in truth.owners)
    assert sum(cards[p] > 4 for p in holders) / len(holders) > 0.15


def test_card_replacements_are_recorded() -> None:
    truth = world().ground_truth()
    assert truth.replacements
    for r in truth.replacements:
        assert truth.owners[r.old] == r.person == truth.owners[r.new]
        assert "card_replaced" in truth.people[r.person].traits


def test_handovers_have_tenures_without_overlap() -> None:
    truth = world().ground_truth()
    kinds = {key.split(":")[0] for key in truth.handovers}
    assert kinds == {"phone", "device"}
    for key, tenures in truth.handovers.items():
        assert key not in truth.owners and key not in truth.shared
        assert len(tenures) == 2
        first, second = tenures
        assert first.last < second.first
        assert truth.holder_at(key, second.first) == second.person
        assert truth.holder_at(key, first.last) == first.person
    calls = handover_calls(truth)
    assert len(calls) == 2 * len(truth.handovers)


def test_couples_share_one_email_and_keep_their_phones() -> None:
    truth = world().ground_truth()
    joint = [k for k, kind in truth.shared_kinds.items() if kind == "couple"]
    assert joint
    for key in joint:
        assert key.startswith("email:") and len(truth.shared[key]) == 2
    phones = {c.person for c in own_phone_calls(truth)}
    assert set(_with(truth, "couple")) <= phones


def test_call_outcomes_count_right_shared_and_wrong() -> None:
    calls = [
        Call("phone:1", "p1"),
        Call("phone:2", "p2"),
        Call("phone:3", "p3"),
        Call("phone:4", "p4"),
    ]
    answers = [("matched", "I1"), ("shared", None), ("matched", "I1"), ("unknown", None)]
    out = call_outcomes(calls, answers, {"p1": "I1", "p2": "I2", "p3": "I3"})
    assert (out.calls, out.right, out.shared, out.wrong, out.other) == (4, 1, 1, 1, 1)
    assert out.share == 0.25
