"""The simulated world: valid events, a truth that matches them, and the hard cases."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.errors import ConfigurationError, InvalidEvent, InvalidIdentifier
from graph.lab.simulate import World, WorldConfig, simulate, write_world
from graph.lab.truth import load_truth
from graph.model.events import prepare_event, validate_event
from graph.model.identifiers import BUILTIN_TYPES, Normaliser

N = Normaliser()
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
CHANNELS = {"web", "app", "call", "email", "sms", "store"}


@cache
def realistic() -> World:
    return simulate(people=600, seed=42)


@cache
def clean() -> World:
    return simulate(people=300, seed=42, config=WorldConfig.clean())


def _keys(identifiers: list[dict[str, str]]) -> set[str]:
    """The linkable keys of raw identifiers, as ingest would normalise them."""
    keys = set()
    for item in identifiers:
        if N.is_blocked_raw(item["type"], item["value"]):
            continue
        try:
            ident = N.normalise(item["type"], item["value"])
        except InvalidIdentifier:
            continue
        if not N.is_blocked(ident):
            keys.add(ident.key)
    return keys


def _at(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event["timestamp"])


def _by_person(world: World) -> dict[str, list[dict[str, Any]]]:
    events: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in world.events:
        person = world.actors.get(e["event_id"])
        if person is not None:
            events[person].append(e)
    return events


def test_same_seed_same_world() -> None:
    a = simulate(people=80, seed=5)
    b = simulate(people=80, seed=5)
    assert a.events == b.events
    assert a.ground_truth() == b.ground_truth()
    assert simulate(people=80, seed=6).events != a.events


@pytest.mark.parametrize("world", [realistic, clean], ids=["realistic", "clean"])
def test_events_follow_the_event_format(world: Any) -> None:
    events = world().events
    assert len({e["event_id"] for e in events}) == len(events)
    assert [e["timestamp"] for e in events] == sorted(e["timestamp"] for e in events)
    for e in events:
        validate_event(e)
        assert TIMESTAMP.fullmatch(e["timestamp"])
        assert e["channel"] in CHANNELS
        assert {i["type"] for i in e["identifiers"] + e.get("referred_by", [])} <= BUILTIN_TYPES


@pytest.mark.parametrize("world", [realistic, clean], ids=["realistic", "clean"])
def test_truth_matches_the_events(world: Any) -> None:
    w: World = world()
    truth = w.ground_truth()
    seen: dict[str, set[str]] = defaultdict(set)
    for e in w.events:
        for key in _keys(e["identifiers"]):
            seen[key].add(w.actors[e["event_id"]])
    assert set(truth.owners) | set(truth.shared) == set(seen)
    assert not set(truth.owners) & set(truth.shared)
    for key, person in truth.owners.items():
        assert seen[key] == {person}
    for key, people in truth.shared.items():
        assert len(people) >= 2 and set(people) == seen[key]
        assert truth.shared_kinds[key] in {"household", "kiosk", "staff", "ring"}
    assert w.truth() == truth.owners
    assert set(truth.people) == {p.person_id for p in w.people}


@pytest.mark.parametrize("world", [realistic, clean], ids=["realistic", "clean"])
def test_about_ten_events_per_person(world: Any) -> None:
    w: World = world()
    assert 9 <= len(w.events) / len(w.people) <= 12


def test_clean_world_is_todays_world() -> None:
    w = clean()
    truth = w.ground_truth()
    assert truth.shared == {} and truth.rings == {} and truth.bots == ()
    assert truth.households == {}
    assert {info.kind for info in truth.people.values()} == {"person"}
    assert truth.referrals  # referral trees stay
    for e in w.events:
        prepared = prepare_event(e, N)
        assert prepared.issues == () and prepared.blocked == () and prepared.junk == 0
        assert "card" not in {i.type for i in prepared.identifiers}
    # Every personal identifier belongs to its person, and to nobody else.
    owned = {
        f"{kind}:{value}": p.person_id
        for p in w.people
        for kind, values in (
            ("email", p.emails),
            ("phone", p.phones),
            ("device", p.devices),
            ("cookie", p.cookies),
        )
        for value in values
    }
    assert truth.owners == owned


@settings(max_examples=10, deadline=None)
@given(people=st.integers(1, 40), seed=st.integers(0, 10_000), days=st.integers(1, 120))
def test_clean_worlds_of_any_size_have_one_owner_per_identifier(
    people: int, seed: int, days: int
) -> None:
    w = simulate(people=people, seed=seed, days=days, config=WorldConfig.clean())
    assert len(w.people) == people
    assert not w.ground_truth().shared
    assert set(w.truth().values()) == {p.person_id for p in w.people}


def test_households_share_a_tablet_and_some_a_landline() -> None:
    w = realistic()
    truth = w.ground_truth()
    assert truth.households
    for household, members in truth.households.items():
        assert 2 <= len(members) <= 5
        assert all(truth.people[m].household == household for m in members)
    shared_by = defaultdict(list)
    for key, people in truth.shared.items():
        if truth.shared_kinds[key] == "household":
            shared_by[key.split(":")[0]].append(people)
    assert len(shared_by["device"]) == len(truth.households)  # one tablet per household
    assert shared_by["phone"]  # some landlines
    assert set(map(tuple, shared_by["device"])) == set(truth.households.values())


def test_kiosks_and_staff_addresses_are_seen_with_many_people() -> None:
    truth = realistic().ground_truth()
    kiosks = [k for k, kind in truth.shared_kinds.items() if kind == "kiosk"]
    staff = [k for k, kind in truth.shared_kinds.items() if kind == "staff"]
    assert len(kiosks) == WorldConfig().kiosks and all(k.startswith("device:") for k in kiosks)
    assert len(staff) == WorldConfig().staff_emails and all(k.startswith("email:") for k in staff)
    assert min(len(truth.shared[k]) for k in kiosks) >= 50
    assert min(len(truth.shared[k]) for k in staff) >= 20
    assert "email:staff@shop.example.fr" in staff


def test_fraud_rings_share_devices_phones_and_cards() -> None:
    w = realistic()
    truth = w.ground_truth()
    events = _by_person(w)
    assert truth.rings
    for ring, members in truth.rings.items():
        assert 5 <= len(members) <= 30
        assert all(
            truth.people[m].kind == "synthetic" and truth.people[m].ring == ring for m in members
        )
        pooled = [k for k, people in truth.shared.items() if set(people) <= set(members)]
        assert {k.split(":")[0] for k in pooled} == {"device", "phone", "card"}
        assert all(truth.shared_kinds[k] == "ring" for k in pooled)
        signups = [_at(e) for m in members for e in events[m] if e["type"] == "signup"]
        assert len(signups) == len(members)
        assert (max(signups) - min(signups)).total_seconds() <= 30 * 300  # a burst
        ring_events = [e for m in members for e in events[m]]
        assert any(e["type"] == "payment_failed" for e in ring_events)
        assert any(e["type"] == "review" and e["attributes"] == {"rating": 1} for e in ring_events)
        assert any(i["type"] == "card" for e in ring_events for i in e["identifiers"])
    ring_referrals = [r for r in truth.referrals if truth.people[r.referee].kind == "synthetic"]
    assert ring_referrals
    for r in ring_referrals:
        assert truth.people[r.referrer].ring == truth.people[r.referee].ring


def test_bots_churn_cookies_at_machine_speed() -> None:
    w = realistic()
    truth = w.ground_truth()
    events = _by_person(w)
    assert truth.bots
    for bot in truth.bots:
        assert truth.people[bot].kind == "bot"
        mine = events[bot]
        low, high = WorldConfig().bot_events
        assert low <= len(mine) <= high
        gaps = {(_at(b) - _at(a)).total_seconds() for a, b in zip(mine, mine[1:], strict=False)}
        assert gaps <= {2.0, 3.0}
        cookies = {i["value"] for e in mine for i in e["identifiers"] if i["type"] == "cookie"}
        assert len(cookies) == len(mine)
        devices = {i["value"] for e in mine for i in e["identifiers"] if i["type"] == "device"}
        assert len(devices) == 1 and f"device:{devices.pop()}" in truth.owners
        assert {e["type"] for e in mine[1:]} == {"page_view"}


def test_referrals_happen_after_the_referrers_first_event() -> None:
    w = realistic()
    truth = w.ground_truth()
    first_event = {person: min(map(_at, mine)) for person, mine in _by_person(w).items()}
    by_time: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in w.events:
        by_time[e["timestamp"]].append(e)
    assert len(truth.referrals) > 20
    for referrer, referee, timestamp in truth.referrals:
        assert first_event[referrer] < datetime.fromisoformat(timestamp)
        assert first_event[referee] == datetime.fromisoformat(timestamp)
        (event,) = [e for e in by_time[timestamp] if w.actors[e["event_id"]] == referee]
        assert event["type"] == "signup"
        (key,) = _keys(event["referred_by"])
        assert truth.owners[key] == referrer


def test_junk_and_invalid_values_are_there_for_ingest_to_refuse() -> None:
    prepared_junk = issues = rejected = 0
    for e in realistic().events:
        try:
            prepared = prepare_event(e, N)
        except InvalidEvent:
            rejected += 1
            assert not _keys(e["identifiers"])  # nothing linkable was lost
            continue
        prepared_junk += prepared.junk + len(prepared.blocked)
        issues += len(prepared.issues)
    assert prepared_junk and issues and rejected


def test_write_world_and_load_truth(tmp_path: Path) -> None:
    w = simulate(people=50, seed=1)
    events_path, truth_path = write_world(w, tmp_path / "world")
    assert len(events_path.read_text().splitlines()) == len(w.events)
    truth = load_truth(truth_path)
    assert truth.version == 2
    assert truth == w.ground_truth()


@pytest.mark.parametrize(
    "change",
    [
        {"tablet_use": 1.5},
        {"junk_rate": -0.1},
        {"household_size": (1, 3)},
        {"ring_size": (10, 5)},
        {"bot_events": (0, 4)},
        {"kiosks": -1},
        {"ring_share": 0.6, "bot_share": 0.6},
    ],
)
def test_bad_world_config_is_a_configuration_error(change: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError, match="WorldConfig"):
        WorldConfig(**change)
