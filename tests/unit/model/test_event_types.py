"""Canonical event types and the per-source mapping: defaults, override files, bad files,
unknown types, and that no attribute a source sent is ever lost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.errors import ConfigurationError
from graph.lab.simulate import simulate
from graph.model import event_types as et
from graph.model.event_types import (
    CANONICAL_ATTRIBUTES,
    CANONICAL_TYPES,
    EVENT,
    default_event_types,
    load_event_types,
)
from graph.model.events import prepare_event
from graph.model.identifiers import Normaliser
from graph.settings import Settings

P2P_SAMPLE = Path(__file__).with_name("p2p_sample.jsonl")
"""A fixed sample of ``../shared/data/p2p/events.jsonl.gz`` (every 997th event of each
type, up to 5 per type)."""

REQUIRED_TYPES = (
    "signup login logout page_view purchase payment_failed chargeback refund review "
    "transfer card_added call email_open store_visit event"
).split()
REQUIRED_ATTRIBUTES = ("amount", "rating", "to_account", "reason", "outcome")


def test_the_canonical_names_are_there_and_each_says_what_it_means() -> None:
    for name in REQUIRED_TYPES:
        assert name in CANONICAL_TYPES
    for name in REQUIRED_ATTRIBUTES:
        assert name in CANONICAL_ATTRIBUTES
    for meaning in (*CANONICAL_TYPES.values(), *CANONICAL_ATTRIBUTES.values()):
        assert len(meaning) > 20
    # The constants are the names (readers compare against them).
    assert (et.CHARGEBACK, et.TRANSFER, et.TO_ACCOUNT) == ("chargeback", "transfer", "to_account")
    assert all(k == k.lower() for k in (*CANONICAL_TYPES, *CANONICAL_ATTRIBUTES))


def test_canonical_types_map_to_themselves_from_any_source() -> None:
    mapping = default_event_types()
    for name in CANONICAL_TYPES:
        for source in ("p2p-app", "website", "never-seen-before"):
            assert mapping.event_type(source, name) == (name, False)


def test_the_p2p_data_comes_out_canonical_and_unchanged() -> None:
    # login, card_added, signup, and transfer events with amount and to_account.
    mapping = default_event_types()
    seen: set[str] = set()
    for line in P2P_SAMPLE.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        attributes = event.get("attributes", {})
        mapped = mapping.map_event(event["source"], event["type"], attributes)
        assert (mapped.type, mapped.unmapped, mapped.renamed) == (event["type"], False, False)
        assert mapped.attributes == attributes
        seen.add(event["type"])
    assert seen == {"login", "card_added", "signup", "transfer"}


def test_every_simulated_event_type_maps() -> None:
    world = simulate(people=60, seed=3)
    mapping = default_event_types()
    for event in world.events:
        mapped = mapping.map_event(event["source"], event["type"], event.get("attributes", {}))
        assert not mapped.unmapped, (event["source"], event["type"])
        assert mapped.type == event["type"]
        assert not mapped.renamed


def test_synonyms_map_ignoring_case_and_keep_what_was_sent() -> None:
    mapped = default_event_types().map_event(
        "shop", "Payment_Declined", {"amt": 12.5, "decline_reason": "card_declined", "x": 1}
    )
    assert mapped.type == "payment_failed"
    assert mapped.source_type == "Payment_Declined"
    assert mapped.attributes == {"amount": 12.5, "reason": "card_declined", "x": 1}
    assert mapped.renamed and not mapped.unmapped


def test_an_attribute_already_under_the_canonical_name_wins() -> None:
    mapped = default_event_types().map_event("shop", "purchase", {"amt": 1, "amount": 2})
    assert mapped.attributes == {"amt": 1, "amount": 2}
    assert not mapped.renamed
    # Upper-case canonical names are canonical once lower-cased.
    upper = default_event_types().map_event("shop", "review", {"Rating": 4})
    assert upper.attributes == {"rating": 4} and upper.renamed


def test_an_unknown_type_becomes_event_and_is_marked_unmapped() -> None:
    mapped = default_event_types().map_event("crm", "newsletter_bounced", {})
    assert (mapped.type, mapped.source_type, mapped.unmapped) == (
        EVENT,
        "newsletter_bounced",
        True,
    )
    # No type at all (the contract's default) is the fallback itself, not unknown.
    assert default_event_types().event_type("crm", "event") == (EVENT, False)


@given(
    st.dictionaries(
        st.sampled_from(["amt", "amount", "Amount", "stars", "rating", "to_user", "x", "Reason"]),
        st.integers(),
    )
)
def test_renaming_never_loses_an_attribute(attributes: dict[str, Any]) -> None:
    mapped = default_event_types().map_event("s", "purchase", attributes)
    assert len(mapped.attributes) == len(attributes)
    assert sorted(mapped.attributes.values()) == sorted(attributes.values())
    for name in mapped.attributes:
        assert name in attributes or name in CANONICAL_ATTRIBUTES


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "types.yaml"
    path.write_text(text, encoding="utf-8")
    load_event_types.cache_clear()
    return path


def test_a_file_extends_and_overrides_the_defaults(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
sources:
  legacy-pos:
    types:
      SALE: purchase
      order: refund     # this source's `order` is a return, unlike the default's
    attributes:
      total: amount
  "*":
    types:
      dispute_opened: chargeback
""",
    )
    mapping = load_event_types(path)
    assert mapping.event_type("legacy-pos", "sale") == ("purchase", False)
    assert mapping.event_type("legacy-pos", "order") == ("refund", False)
    assert mapping.event_type("website", "order") == ("purchase", False)  # the default
    assert mapping.event_type("website", "dispute_opened") == ("chargeback", False)
    assert mapping.event_type("website", "log_in") == ("login", False)  # defaults kept
    assert mapping.map_event("legacy-pos", "sale", {"total": 3, "amt": 4}).attributes == {
        "amount": 3,
        "amt": 4,
    }
    assert mapping.map_event("website", "sale", {"total": 3}).unmapped


def test_settings_name_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "sources:\n  app:\n    types:\n      opened: login\n")
    monkeypatch.setenv("IDGRAPH_EVENT_TYPES", str(path))
    assert Settings().event_type_map().event_type("app", "opened") == ("login", False)
    monkeypatch.delenv("IDGRAPH_EVENT_TYPES")
    assert Settings().event_type_map() is default_event_types()


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("sources:\n  app:\n    types:\n      opened: logged_in\n", "sources.app.types.opened"),
        ("sources:\n  app:\n    attributes:\n      sum: total\n", "sources.app.attributes.sum"),
        ("sources:\n  app:\n    typos:\n      opened: login\n", "sources.app.typos"),
        ("sources:\n  app:\n    types: [login]\n", "sources.app.types"),
        ("sources:\n  app:\n    types:\n      opened: 3\n", "sources.app.types.opened"),
        ("sources: [app]\n", "sources"),
        ("mapping:\n  app: {}\n", "mapping"),
        ("- one\n- two\n", "top level"),
        ("sources:\n  app:\n    types: {opened: login\n", "line 4, column 1"),
    ],
)
def test_a_bad_file_names_the_file_and_the_place(tmp_path: Path, text: str, place: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigurationError) as e:
        load_event_types(path)
    assert str(path) in str(e.value)
    assert place in str(e.value)


def test_a_missing_file_is_a_configuration_error(tmp_path: Path) -> None:
    load_event_types.cache_clear()
    with pytest.raises(ConfigurationError, match="cannot be read"):
        load_event_types(tmp_path / "nope.yaml")


def test_an_empty_file_changes_nothing(tmp_path: Path) -> None:
    mapping = load_event_types(_write(tmp_path, "# nothing yet\n"))
    assert mapping.sources == default_event_types().sources


def test_prepare_event_stores_canonical_names_beside_what_was_sent() -> None:
    raw = {
        "event_id": "x1",
        "timestamp": "2026-03-01T10:15:00Z",
        "source": "bank",
        "type": "Money_Transfer",
        "identifiers": [{"type": "email", "value": "ann@example.fr"}],
        "attributes": {"amt": 10, "recipient": "acc-2"},
    }
    event = prepare_event(raw, Normaliser())
    assert event.type == "transfer" and event.source_type == "Money_Transfer"
    assert json.loads(event.attributes_json) == {"amount": 10, "to_account": "acc-2"}
    assert event.source_attributes_json is not None
    assert json.loads(event.source_attributes_json) == raw["attributes"]
    assert not event.unmapped
    plain = prepare_event({**raw, "type": "transfer", "attributes": {"amount": 1}}, Normaliser())
    assert plain.source_attributes_json is None and plain.source_type == "transfer"
    unknown = prepare_event({**raw, "type": "wire_in"}, Normaliser())
    assert (unknown.type, unknown.unmapped) == ("event", True)
