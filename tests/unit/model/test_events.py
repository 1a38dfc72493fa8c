"""The event format: every way an event is rejected, and what an accepted one keeps."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from graph.errors import InvalidEvent
from graph.model.events import event_json_schema, prepare_event
from graph.model.identifiers import Normaliser
from tests.examples import EXAMPLE_EVENT

N = Normaliser()
GOOD = EXAMPLE_EVENT


def test_good_event_is_normalised() -> None:
    ev = prepare_event(GOOD, N)
    assert [(i.type, i.value) for i in ev.identifiers] == [
        ("phone", "+33612345678"),
        ("email", "jean.dupont@example.fr"),
    ]
    assert ev.timestamp.utcoffset() is not None and ev.issues == () and ev.junk == 0


@pytest.mark.parametrize(
    ("change", "location", "words"),
    [
        ({"event_id": None}, "event_id", "required"),
        ({"event_id": 12}, "event_id", "string"),
        ({"event_id": ""}, "event_id", "at least 1"),
        ({"timestamp": "2026-03-01 10:15"}, "timestamp", "time zone"),
        ({"timestamp": "yesterday"}, "timestamp", "RFC 3339"),
        ({"timestamp": 1767225600}, "timestamp", "RFC 3339"),
        ({"identifiers": []}, "identifiers", "at least 1"),
        ({"identifiers": [{"type": "email"}]}, "identifiers[0].value", "required"),
        ({"identifiers": [{"type": "email", "value": "a@b.fr", "x": 1}]}, "identifiers[0].x", ""),
        ({"identifiers": "x"}, "identifiers", "list"),
        ({"unknown_field": 1}, "unknown_field", "not permitted"),
        ({"source": "   "}, "source", "blank"),
        ({"attributes": []}, "attributes", "dictionary"),
        ({"identifiers": [{"type": "phone", "value": "12"}]}, "identifiers", "no valid identifier"),
        (
            {"identifiers": [{"type": "fax", "value": "12"}]},
            "identifiers",
            "unknown identifier type",
        ),
        ({"identifiers": [{"type": "email", "value": "null"}]}, "identifiers", "blocklisted junk"),
    ],
)
def test_rejection_reasons(change: dict[str, object], location: str, words: str) -> None:
    event = {**GOOD, **change}
    event = {k: v for k, v in event.items() if v is not None}
    with pytest.raises(InvalidEvent) as info:
        prepare_event(event, N)
    assert info.value.location == location
    assert words in str(info.value)


def test_not_an_object() -> None:
    with pytest.raises(InvalidEvent, match="not a JSON object"):
        prepare_event([1, 2], N)


def test_partly_valid_event_keeps_the_valid_identifiers() -> None:
    event = {
        **GOOD,
        "identifiers": [
            {"type": "phone", "value": "not a phone 123"},
            {"type": "email", "value": "jean@example.fr"},
            {"type": "email", "value": "test@test.com"},
            {"type": "device", "value": "null"},
            {"type": "ip", "value": "0:0:0:0:0:0:0:1"},  # junk only once normalised (::1)
        ],
    }
    ev = prepare_event(event, N)
    assert [i.value for i in ev.identifiers] == ["jean@example.fr"]
    assert [i.value for i in ev.blocked] == ["::1"]
    assert ev.junk == 2
    assert len(ev.issues) == 1 and ev.issues[0].startswith("identifiers[0]:")
    assert "not a phone 123" not in ev.issues[0]


def test_referrers_are_normalised_and_not_the_subject() -> None:
    event = {
        **GOOD,
        "referred_by": [
            {"type": "email", "value": "Friend@Example.fr"},
            {"type": "email", "value": "jean.dupont@example.fr"},
        ],
    }
    ev = prepare_event(event, N)
    assert [i.value for i in ev.referrers] == ["friend@example.fr"]


def test_messages_never_contain_values() -> None:
    secret = "+33 6 99 88 77 66 5"
    event = {**GOOD, "identifiers": [{"type": "phone", "value": secret}]}
    with pytest.raises(InvalidEvent) as info:
        prepare_event(event, N)
    assert secret not in str(info.value)


def test_schema_file_is_the_model() -> None:
    path = Path(__file__).resolve().parents[3] / "graph" / "model" / "event.schema.json"
    assert json.loads(path.read_text()) == event_json_schema()


def test_schema_accepts_the_example_and_refuses_junk() -> None:
    schema = event_json_schema()
    jsonschema.validate(GOOD, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**GOOD, "identifiers": []}, schema)
