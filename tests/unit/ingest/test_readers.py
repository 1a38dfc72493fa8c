"""File readers: JSON Lines and CSV give the same events, with line numbers."""

from __future__ import annotations

import io
import json

import pytest

from graph.errors import InputError, InvalidEvent
from graph.ingest.readers import read_csv, read_jsonl
from graph.model.events import prepare_event
from graph.model.identifiers import Normaliser

CSV = """event_id,timestamp,source,channel,type,email,phone,referred_by.email,attr.amount
e-1,2026-03-01T10:15:00Z,shop,store,purchase,Jean.Dupont@Example.fr,06 12 34 56 78,,12.50
e-2,2026-03-02T10:15:00Z,shop,store,purchase,a@example.fr|b@example.fr,,friend@example.fr,
"""

JSONL = [
    {
        "event_id": "e-1",
        "timestamp": "2026-03-01T10:15:00Z",
        "source": "shop",
        "channel": "store",
        "type": "purchase",
        "identifiers": [
            {"type": "email", "value": "Jean.Dupont@Example.fr"},
            {"type": "phone", "value": "06 12 34 56 78"},
        ],
        "attributes": {"amount": "12.50"},
    },
    {
        "event_id": "e-2",
        "timestamp": "2026-03-02T10:15:00Z",
        "source": "shop",
        "channel": "store",
        "type": "purchase",
        "identifiers": [
            {"type": "email", "value": "a@example.fr"},
            {"type": "email", "value": "b@example.fr"},
        ],
        "referred_by": [{"type": "email", "value": "friend@example.fr"}],
    },
]


def test_csv_and_jsonl_give_the_same_events() -> None:
    n = Normaliser()
    from_csv = [prepare_event(r.parsed, n) for r in read_csv(io.StringIO(CSV))]
    text = "\n".join(json.dumps(e) for e in JSONL)
    from_jsonl = [prepare_event(r.parsed, n) for r in read_jsonl(io.StringIO(text))]
    assert from_csv == from_jsonl


def test_csv_line_numbers_count_the_header() -> None:
    records = list(read_csv(io.StringIO(CSV)))
    assert [r.line for r in records] == [2, 3]
    assert records[0].text.startswith("e-1,")


def test_csv_extra_fields_are_a_rejection_not_a_crash() -> None:
    text = "event_id,timestamp,email\ne-1,2026-03-01T10:15:00Z,a@example.fr,EXTRA\n"
    (record,) = list(read_csv(io.StringIO(text)))
    assert isinstance(record.parsed, InvalidEvent)


def test_csv_without_required_columns_is_refused() -> None:
    with pytest.raises(InputError, match="event_id"):
        list(read_csv(io.StringIO("timestamp,email\n")))


def test_jsonl_keeps_bad_lines_with_their_number() -> None:
    records = list(read_jsonl(io.StringIO('{"a": 1}\n\n{oops\n')))
    assert [r.line for r in records] == [1, 3]
    assert isinstance(records[1].parsed, InvalidEvent)
    assert records[1].text == "{oops"


@pytest.mark.parametrize(
    "text",
    [
        '{"amount": 123456789012345678901234567890}',  # orjson would give a float
        '{"amount": -98765432109876543210}',
        '{"amount": 18446744073709551616}',  # 2**64
        '{"rating": NaN, "score": Infinity}',  # accepted by the standard module
        '{"note": "\\ud800"}',  # a lone surrogate
        '{"a": 1, "a": 2}',  # the last key wins
        '{"x": 1.0000000000000002, "y": 1e308, "z": -0.0}',
        '{"nested": ' + "[" * 500 + "]" * 500 + "}",
        '"just a string"',
    ],
)
def test_jsonl_values_are_those_of_the_standard_module(text: str) -> None:
    (record,) = read_jsonl(io.StringIO(text + "\n"))
    expected = json.loads(text)
    assert repr(record.parsed) == repr(expected)
    assert type(record.parsed) is type(expected)


@pytest.mark.parametrize(
    "text",
    ['{"a": 1', '{"a": 01}', "{'a': 1}", '{"a": 1} x', "[" * 100_000],
)
def test_jsonl_bad_lines_get_the_standard_reason(text: str) -> None:
    (record,) = read_jsonl(io.StringIO(text + "\n"))
    assert isinstance(record.parsed, InvalidEvent)
    try:
        json.loads(text)
    except json.JSONDecodeError as e:
        assert str(record.parsed) == f"not valid JSON ({e.msg} at column {e.colno})"
    except RecursionError:
        assert str(record.parsed) == "not valid JSON (nested too deeply)"
    else:
        raise AssertionError("the standard module accepts it")


def test_readers_rows_and_outcomes_are_pure() -> None:
    import subprocess
    import sys

    code = (
        "import sys, graph.ingest.readers, graph.ingest.rows, graph.ingest.outcomes;"
        "print('neo4j' in sys.modules, 'fastapi' in sys.modules, 'graph.store' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]
