"""Handovers and one person's several e-mails, on hand-made facts (no database)."""

from __future__ import annotations

from graph.identity.rules import ClusterParams, is_hub, settle_component
from graph.identity.ties import DAY_MS, Seen, Tie, decide_tie, name_tokens, owner_periods

P = ClusterParams()
Y = 365 * DAY_MS


def _seen(first_day: int, last_day: int, count: int = 3) -> Seen:
    return Seen(first_day * DAY_MS, last_day * DAY_MS, count)


def test_anchors_are_never_hubs_and_cards_or_devices_make_no_hub() -> None:
    # An account with 30 cards and 12 devices is one person with card churn.
    assert not is_hub({"card": 30, "device": 12}, P, "account")
    assert not is_hub({"email": 40}, P, "account")
    # An e-mail seen with 8 devices over years is one person; with 5 accounts a hub.
    assert not is_hub({"device": 8, "card": 6}, P, "email")
    assert is_hub({"account": 5}, P, "device")
    assert is_hub({"email": 5}, P, "phone")
    custom = ClusterParams(anchor_types=frozenset({"account", "customer"}))
    assert not is_hub({"email": 9}, custom, "customer")
    assert is_hub({"customer": 4}, custom, "device")  # an anchor counts as an account


def test_owner_periods_group_overlapping_uses_and_cut_at_gaps() -> None:
    uses = {"a": _seen(0, 100), "b": _seen(50, 120), "c": _seen(400, 500)}
    periods = owner_periods(uses, 30 * DAY_MS)
    assert [p.names for p in periods] == [("a", "b"), ("c",)]
    assert periods[1].start == 400 * DAY_MS
    # Within the gap: one period.
    assert len(owner_periods({"a": _seen(0, 100), "b": _seen(110, 200)}, 30 * DAY_MS)) == 1


def _tie(
    uses: dict[str, Seen],
    around: dict[str, frozenset[str]] | None = None,
    around_kinds: dict[str, str] | None = None,
    local: dict[str, str] | None = None,
    kind: str = "phone",
    group: int | None = None,
) -> Tie:
    return Tie(
        pooled="P",
        kind=kind,
        uses=uses,
        name_kinds=dict.fromkeys(uses, "email"),
        around=around or {},
        around_kinds=around_kinds or {},
        local_parts=local or {},
        group=group if group is not None else len(uses),
    )


def test_a_recycled_number_is_a_handover() -> None:
    d = decide_tie(_tie({"ea": _seen(0, 300), "eb": _seen(400, 900)}))
    assert d.verdict == "handover"
    assert [p.names for p in d.periods] == [("ea",), ("eb",)]


def test_no_handover_when_the_sides_share_something_else() -> None:
    # The same person moved to a new address: the device they share says so.
    around = {"ea": frozenset({"d1"}), "eb": frozenset({"d1"})}
    d = decide_tie(_tie({"ea": _seen(0, 300), "eb": _seen(400, 900)}, around, {"d1": "device"}))
    assert d.verdict != "handover"


def test_cards_are_never_handed_over() -> None:
    d = decide_tie(_tie({"ea": _seen(0, 300), "eb": _seen(400, 900)}, kind="card"))
    assert d.verdict == "glue"


def test_work_and_personal_addresses_with_one_phone_are_one_person() -> None:
    uses = {"ea": _seen(0, 900), "eb": _seen(30, 880)}
    local = {"ea": "jean.dupont", "eb": "dupont_jean42"}
    d = decide_tie(_tie(uses, local=local))
    assert d.verdict == "one_person"
    assert d.signals["interleave"] == 1.0 and d.signals["names"] == 1.0
    assert d.signals["fanout"] == 1.0 and d.score >= 0.55


def test_a_household_landline_stays_glue() -> None:
    # Two people with a surname in common, each with their own mobile besides it.
    uses = {"ea": _seen(0, 900), "eb": _seen(30, 880)}
    around = {"ea": frozenset({"m1", "tab"}), "eb": frozenset({"m2", "tab"})}
    kinds = {"m1": "phone", "m2": "phone", "tab": "device"}
    local = {"ea": "jean.dupont", "eb": "marie.dupont"}
    d = decide_tie(_tie(uses, around, kinds, local))
    assert d.verdict == "glue" and d.signals["alternative"] == 1.0


def test_a_ring_pool_is_glue_whatever_the_pair_looks_like() -> None:
    uses = {"ea": _seen(0, 3), "eb": _seen(0, 3)}
    around = {"ea": frozenset({"dev", "card"}), "eb": frozenset({"dev", "card"})}
    kinds = {"dev": "device", "card": "card"}
    local = {"ea": "promo.1234", "eb": "promo.5678"}
    d = decide_tie(_tie(uses, around, kinds, local, group=6))
    assert d.verdict == "glue"
    assert decide_tie(_tie(uses, around, kinds, local, group=2)).verdict == "one_person"


def test_accounts_sharing_a_device_are_never_one_person() -> None:
    tie = _tie({"a1": _seen(0, 900), "a2": _seen(0, 900)}, kind="device")
    tie = Tie(**{**tie.__dict__, "name_kinds": {"a1": "account", "a2": "account"}})
    assert decide_tie(tie).verdict == "glue"


def test_name_tokens() -> None:
    assert name_tokens("Jean.Dupont42") == {"jean", "dupont"}
    assert name_tokens("jd_42") == frozenset()


def _component() -> tuple[
    dict[str, str], list[tuple[str, str, float]], dict[tuple[str, str], Seen]
]:
    """Two people, each with an e-mail, a device and cookies; one phone number between
    them, A's until day 300, B's from day 400."""
    types = {"ea": "email", "eb": "email", "P": "phone", "da": "device", "db": "device"}
    types |= {"ca": "cookie", "cb": "cookie"}
    edges = [
        ("P", "ea", 0.8),
        ("P", "eb", 0.8),
        ("ea", "da", 0.7),
        ("eb", "db", 0.7),
        ("da", "ca", 0.4),
        ("db", "cb", 0.4),
        ("P", "da", 0.5),
        ("P", "db", 0.5),
    ]
    seen = {
        ("P", "ea"): _seen(0, 300),
        ("P", "da"): _seen(0, 290),
        ("P", "eb"): _seen(400, 900),
        ("P", "db"): _seen(410, 900),
    }
    return types, edges, seen


def test_a_handed_over_phone_belongs_to_its_last_owner_and_glues_no_one() -> None:
    types, edges, seen = _component()
    split = settle_component(types, edges, P, seen=seen)
    a = next(p for p in split.parts if "ea" in p)
    b = next(p for p in split.parts if "eb" in p)
    assert a == {"ea", "da", "ca"} and b == {"eb", "db", "cb", "P"}
    assert "P" not in split.boundary
    assert split.retired == {("P", "ea"), ("P", "da")}
    assert [t.verdict for t in split.ties] == ["handover"]
    # Without times the phone is glue between the two: cut and shared.
    parts, boundary = (
        settle_component(types, edges, P).parts,
        settle_component(types, edges, P).boundary,
    )
    assert "P" in boundary and len(parts) == 2


def test_one_persons_two_addresses_stay_together_with_times() -> None:
    types = {"e1": "email", "e2": "email", "P": "phone", "d1": "device", "d2": "device"}
    edges = [("P", "e1", 0.8), ("P", "e2", 0.8), ("e1", "d1", 0.7), ("e2", "d2", 0.7)]
    edges += [("P", "d1", 0.5), ("P", "d2", 0.5)]
    seen = {("P", "e1"): _seen(0, 900), ("P", "e2"): _seen(20, 880)}
    local = {"e1": "jean.dupont", "e2": "jdupont.jean"}
    split = settle_component(types, edges, P, seen=seen, local_parts=local)
    assert split.parts == [set(types)] and not split.boundary
    assert split.ties[0].verdict == "one_person"
    # Without the name evidence, nothing else ties them: the phone is glue, cut.
    split = settle_component(types, edges, P, seen=seen, local_parts={})
    assert len(split.parts) == 2 and "P" in split.boundary
