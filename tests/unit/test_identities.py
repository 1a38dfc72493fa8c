"""The decisions of a clustering run, on hand-made graphs (no database)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from graph.identities import (
    ClusterParams,
    assign_ids,
    cohesion,
    identity_id_for,
    is_hub,
    membership_confidence,
    split_component,
)

P = ClusterParams()


def _person(tag: str, cookies: int = 3) -> tuple[dict[str, str], list[tuple[str, str, float]]]:
    """One person: e-mail, phone and device tied strongly, cookies on the device."""
    types = {f"e{tag}": "email", f"p{tag}": "phone", f"d{tag}": "device"}
    edges = [(f"e{tag}", f"p{tag}", 0.9), (f"e{tag}", f"d{tag}", 0.7), (f"p{tag}", f"d{tag}", 0.7)]
    for k in range(cookies):
        types[f"c{tag}{k}"] = "cookie"
        edges += [(f"d{tag}", f"c{tag}{k}", 0.4), (f"e{tag}", f"c{tag}{k}", 0.3)]
    return types, edges


def test_one_person_stays_whole() -> None:
    types, edges = _person("a", cookies=8)
    parts, shared = split_component(types, edges, P)
    assert parts == [set(types)] and not shared


def test_two_people_joined_by_a_tablet_are_split_and_the_tablet_is_shared() -> None:
    ta, ea = _person("a")
    tb, eb = _person("b")
    types = {**ta, **tb, "tablet": "device"}
    edges = [*ea, *eb, ("tablet", "ea", 0.5), ("tablet", "eb", 0.5)]
    parts, shared = split_component(types, edges, P)
    assert len(parts) == 2
    assert {frozenset(p - {"tablet"}) for p in parts} == {frozenset(ta), frozenset(tb)}
    assert shared == {"tablet"}


def test_a_cookie_seen_on_the_tablet_goes_to_its_owner() -> None:
    # Louvain may leave b's cookie on the tablet's side; its link to b's e-mail decides.
    ta, ea = _person("a")
    tb, eb = _person("b")
    types = {**ta, **tb, "tablet": "device", "cb_tab": "cookie"}
    edges = [
        *ea,
        *eb,
        ("tablet", "ea", 0.5),
        ("tablet", "eb", 0.5),
        ("tablet", "ca0", 0.4),
        ("tablet", "ca1", 0.4),
        ("cb_tab", "tablet", 0.2),
        ("cb_tab", "eb", 0.2),
    ]
    parts, shared = split_component(types, edges, P)
    assert shared == {"tablet"}
    (b_part,) = [p for p in parts if "eb" in p]
    assert "cb_tab" in b_part


def test_a_cookie_seen_only_on_a_shared_tablet_is_shared() -> None:
    ta, ea = _person("a")
    tb, eb = _person("b")
    types = {**ta, **tb, "tablet": "device", "anon": "cookie"}
    edges = [*ea, *eb, ("tablet", "ea", 0.5), ("tablet", "eb", 0.5), ("anon", "tablet", 0.2)]
    parts, shared = split_component(types, edges, P)
    assert len(parts) == 2
    assert shared == {"tablet", "anon"}


def test_a_device_with_its_cookies_is_not_split_off() -> None:
    # Two dense groups, but one has no personal identifier: it is the person's device.
    types = {"e": "email", "p": "phone", "d": "device"}
    edges = [("e", "p", 0.9), ("e", "d", 0.2)]
    for k in range(10):
        types[f"c{k}"] = "cookie"
        edges.append(("d", f"c{k}", 0.6))
    parts, _ = split_component(types, edges, P)
    assert parts == [set(types)]


def test_hubs_have_more_neighbours_of_a_type_than_a_person() -> None:
    assert is_hub({"email": 5}, P)
    assert not is_hub({"email": 4, "cookie": 500}, P)
    assert is_hub({"phone": 4}, P)


def test_confidence_and_cohesion() -> None:
    # No link at all: nothing else claims it. Links to hubs only: a stray (the logistic
    # gives about 0.1; in simulated worlds such identifiers are never right).
    assert membership_confidence(0, 0, P, hub_weight=0.0) == 1.0
    assert membership_confidence(0, 0, P, hub_weight=1.0) < 0.2
    assert membership_confidence(0, 0, P) == membership_confidence(0, 0, P, hub_weight=1.0)
    assert membership_confidence(0, 1, P) < 0.01
    strong, weak = membership_confidence(5, 0, P), membership_confidence(0.2, 0, P)
    assert strong > weak > 0.95
    assert 0.8 < membership_confidence(0.2, 0.2, P) < 0.95
    assert cohesion(3, 1) == 0.75 and cohesion(0, 0) == 1.0


@given(st.floats(0, 100), st.floats(0, 100), st.floats(0.001, 10))
def test_confidence_grows_with_inside_and_falls_with_outside(
    inside: float, outside: float, more: float
) -> None:
    c = membership_confidence(inside, outside, P)
    assert membership_confidence(inside + more, outside, P) >= c
    assert membership_confidence(inside, outside + more, P) <= c


@given(st.floats(0, 100), st.floats(0, 100))
def test_confidence_is_a_probability(inside: float, outside: float) -> None:
    assert 0.0 <= membership_confidence(inside, outside, P) <= 1.0


def test_ids_stay_when_an_identity_keeps_its_members() -> None:
    previous = {"a": "id_A", "b": "id_A", "c": "id_A", "d": None}
    out = assign_ids([{"a", "b", "c", "d"}], previous, {"id_A": 1}, ["k"], {"id_A"}, "r")
    assert out.ids == ["id_A"] and not out.changes and not out.new


def test_merge_keeps_the_older_id_and_records_the_other() -> None:
    previous = {"a": "id_new", "b": "id_new", "c": "id_old"}
    created = {"id_new": 20, "id_old": 10}
    out = assign_ids([{"a", "b", "c"}], previous, created, ["k"], set(created), "r")
    assert out.ids == ["id_old"]
    assert [(c.kind, c.identity_id, c.other_id) for c in out.changes] == [
        ("merged", "id_new", "id_old")
    ]


def test_split_larger_part_keeps_the_id_the_other_records_its_origin() -> None:
    previous = dict.fromkeys("abcde", "id_A")
    clusters = [{"a", "b"}, {"c", "d", "e"}]
    out = assign_ids(clusters, previous, {"id_A": 1}, ["k1", "k2"], {"id_A"}, "r")
    assert out.ids[1] == "id_A" and out.ids[0] == identity_id_for("k1")
    assert [(c.kind, c.identity_id, c.other_id) for c in out.changes] == [
        ("split", out.ids[0], "id_A")
    ]


def test_a_new_id_never_reuses_a_retired_one() -> None:
    taken = {identity_id_for("k")}
    out = assign_ids([{"a"}], {"a": None}, {}, ["k"], taken, "run-1")
    assert out.ids[0] not in taken and out.ids[0] == identity_id_for("k#run-1")
