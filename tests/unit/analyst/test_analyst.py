"""The analysts' query library and its read-only gate, without a database."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

import neo4j.time
import pytest

from graph.analyst.gate import check_read_only_text
from graph.analyst.library import (
    LibraryQuery,
    Parameter,
    bind_params,
    coerce,
    get_query,
    library,
    parse_cli_params,
    parse_header,
)
from graph.analyst.runner import json_safe
from graph.errors import InputError, QueryRefused

TOPICS = {"resolution", "data_quality", "fraud", "influence", "journeys"}
QUERIES = sorted(library())


def _uses(text: str) -> set[str]:
    body = "\n".join(line for line in text.splitlines() if not line.strip().startswith("//"))
    return set(re.findall(r"\$([A-Za-z_]\w*)", body))


def test_library_has_at_least_20_queries_in_every_topic() -> None:
    assert len(QUERIES) >= 20
    assert {name.split("/")[0] for name in QUERIES} == TOPICS


@pytest.mark.parametrize("name", QUERIES)
def test_every_header_is_complete(name: str) -> None:
    q = library()[name]
    assert q.topic in TOPICS
    assert len(q.purpose) > 20 and q.summary.endswith(".")
    assert q.columns and all(c.description for c in q.columns)
    assert len(set(q.column_names)) == len(q.column_names)
    for p in q.parameters:
        assert p.description, p.name
        assert p.example is not None
        assert coerce(p, p.example) == p.example
    # every $parameter the text uses is declared, and every declared one is used
    assert _uses(q.text) == {p.name for p in q.parameters}
    # the examples bind, and so does nothing but the parameters without a default
    assert bind_params(q, q.example_params()) == q.example_params()
    check_read_only_text(q.text)


def test_notes_the_header_must_carry() -> None:
    assert "not stored in the graph" in get_query("data_quality/blocked_by_source").purpose.lower()
    assert "graph/fraud/detect.py" in get_query("fraud/newest_rings").purpose


def test_get_query_accepts_the_catalog_prefix_and_refuses_unknown_names() -> None:
    assert get_query("queries/fraud/newest_rings").name == "fraud/newest_rings"
    with pytest.raises(InputError) as e:
        get_query("fraud/nope")
    assert e.value.location == "name"


HEADER = """// @purpose Something useful. It says
//   more on a second line.
// @param who string "id_0123456789abcdef0123"  the identity
// @param since datetime "2026-03-01T00:00:00Z"  from
// @param n int 5 [default] how many
// @param ratio float 0.5  a share
// @param flag bool true  a switch
// @column a  first column
// @column b  second column,
//   on two lines
MATCH (x) RETURN x.a AS a, x.b AS b
"""


def test_parse_header() -> None:
    q = parse_header("t/x", HEADER)
    assert q.purpose == "Something useful. It says more on a second line."
    assert q.summary == "Something useful."
    assert [(p.name, p.type, p.has_default) for p in q.parameters] == [
        ("who", "string", False),
        ("since", "datetime", False),
        ("n", "int", True),
        ("ratio", "float", False),
        ("flag", "bool", False),
    ]
    assert q.parameters[1].example == datetime(2026, 3, 1, tzinfo=UTC)
    assert q.parameters[2].description == "how many"
    assert q.columns[1].description == "second column, on two lines"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("// @column a  x\nRETURN 1 AS a", "no @purpose"),
        ("// @purpose p\nRETURN 1 AS a", "no @column"),
        ("// @purpose p\n// @param a list [1]  x\n// @column a  x\nRETURN 1", "type"),
        ("// @purpose p\n// @param a int x  x\n// @column a  x\nRETURN 1", "JSON"),
        ('// @purpose p\n// @param a int "x"  x\n// @column a  x\nRETURN 1', "integer"),
        ("// @purpose p\n// @colum a  x\nRETURN 1", "unknown header tag"),
    ],
)
def test_malformed_headers_are_refused(text: str, problem: str) -> None:
    with pytest.raises((ValueError, InputError), match=problem):
        parse_header("t/x", text)


@pytest.mark.parametrize(
    ("kind", "given", "expected"),
    [
        ("string", "a b", "a b"),
        ("int", "12", 12),
        ("int", 12, 12),
        ("int", 12.0, 12),
        ("float", "0.5", 0.5),
        ("float", 2, 2.0),
        ("bool", "true", True),
        ("bool", "No", False),
        ("bool", False, False),
        ("datetime", "2026-03-01T10:00:00+02:00", datetime(2026, 3, 1, 8, tzinfo=UTC)),
        ("datetime", "2026-03-01", datetime(2026, 3, 1, tzinfo=UTC)),
        ("datetime", "2026-03-01T00:00:00Z", datetime(2026, 3, 1, tzinfo=UTC)),
    ],
)
def test_coerce(kind: str, given: object, expected: object) -> None:
    assert coerce(Parameter("p", kind, None), given) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "given"),
    [
        ("string", 12),
        ("int", "twelve"),
        ("int", True),
        ("int", 1.5),
        ("float", "x"),
        ("bool", "maybe"),
        ("datetime", "yesterday"),
        ("datetime", 12),
        ("string", None),
    ],
)
def test_coerce_errors_name_the_parameter_not_the_value(kind: str, given: object) -> None:
    with pytest.raises(InputError) as e:
        coerce(Parameter("secret_param", kind, None), given)  # type: ignore[arg-type]
    assert "'secret_param'" in str(e.value) and e.value.location == "params.secret_param"
    if isinstance(given, str):
        assert given not in str(e.value)


def _query() -> LibraryQuery:
    return parse_header("t/x", HEADER)


def test_bind_params_types_fills_defaults_and_names_problems() -> None:
    q = _query()
    given = {"who": "id_x", "since": "2026-01-01", "ratio": "1", "flag": "yes"}
    bound = bind_params(q, given)
    assert bound == {
        "who": "id_x",
        "since": datetime(2026, 1, 1, tzinfo=UTC),
        "n": 5,
        "ratio": 1.0,
        "flag": True,
    }
    with pytest.raises(InputError, match="unknown parameter 'whom'"):
        bind_params(q, {**given, "whom": "x"})
    with pytest.raises(InputError, match="missing parameter 'who'") as e:
        bind_params(q, {k: v for k, v in given.items() if k != "who"})
    assert e.value.location == "params.who"


def test_parse_cli_params() -> None:
    assert parse_cli_params(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}
    for bad in (["a"], ["=1"], ["a b=1"], ["a=1", "a=2"]):
        with pytest.raises(InputError):
            parse_cli_params(bad)


REFUSED = [
    "CREATE (n:X)",
    "MERGE (n:X {a: 1}) RETURN n",
    "MATCH (n) SET n.x = 1",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n) REMOVE n.x",
    "MATCH (n) FOREACH (x IN [1] | CREATE (:Y))",
    "match (n) delete n",
    "CALL db.createLabel('X')",
    "CALL `db`.`createLabel`('X')",
    "CALL dbms.listConfig()",
    "CALL gds.graph.project('g', 'Identifier', 'LINKED')",
    "LOAD CSV FROM 'file:///x.csv' AS row RETURN row",
    "WITH 1 AS x LOAD CSV FROM 'https://example.org/x.csv' AS row RETURN row",
    "CREATE INDEX x IF NOT EXISTS FOR (n:X) ON (n.y)",
    "DROP INDEX identifier_identity",
    "SHOW USERS",
    "SHOW INDEXES",
    "CREATE USER bob SET PASSWORD 'x'",
    "GRANT ROLE admin TO bob",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "MATCH (n) CALL (n) { RETURN 1 AS one } IN TRANSACTIONS RETURN one",
    "UNWIND [1] AS x CALL { WITH x RETURN x AS y } IN 2 CONCURRENT TRANSACTIONS RETURN y",
    "MATCH (n) RETURN n; MATCH (m) DELETE m",
    "USE system SHOW DATABASES",
    "MATCH (n) CALL { USE system RETURN 1 AS x } RETURN x",
    "EXPLAIN MATCH (n) RETURN n",
    "PROFILE MATCH (n) RETURN n",
    "",
    "   // only a comment",
]


@pytest.mark.parametrize("text", REFUSED)
def test_read_only_gate_refuses(text: str) -> None:
    with pytest.raises(QueryRefused):
        check_read_only_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "MATCH (n) RETURN n LIMIT 5",
        "MATCH (n) WHERE n.value = 'CREATE (x); DELETE x' RETURN n",
        "MATCH (n) // DELETE n\nRETURN n.set AS set_, {create: 1} AS m",
        "/* LOAD CSV */ MATCH (n:`SET`) RETURN n",
        "OPTIONAL MATCH (n) RETURN n;",
        "CALL db.labels() YIELD label RETURN label",
        "CALL db.schema.visualization()",
        "CALL (x) { RETURN 1 AS y } RETURN y",
        "UNWIND [1, 2] AS x RETURN x",
        "WITH 1 AS x RETURN x",
        "RETURN 'it''s' AS s, \"a \\\"q\\\" b\" AS t",
    ],
)
def test_read_only_gate_lets_reads_through(text: str) -> None:
    check_read_only_text(text)


def test_json_safe() -> None:
    dt = neo4j.time.DateTime(2026, 3, 1, 10, 0, 0, tzinfo=UTC)
    value = {
        "at": dt,
        "day": neo4j.time.Date(2026, 3, 1),
        "d": neo4j.time.Duration(days=1, hours=2),
        "py": datetime(2026, 3, 1, tzinfo=UTC),
        "nan": math.nan,
        "b": b"\x00\x01",
        "nested": [(1, "x"), {"k": dt}],
    }
    safe = json_safe(value)
    assert safe["at"].startswith("2026-03-01T10:00:00") and safe["day"] == "2026-03-01"
    assert safe["d"] == "P1DT2H" or safe["d"].startswith("P")
    assert safe["py"] == "2026-03-01T00:00:00+00:00"
    assert safe["nan"] is None and safe["b"] == "AAE="
    assert safe["nested"][0] == [1, "x"] and safe["nested"][1]["k"] == safe["at"]


def test_the_text_gate_is_pure() -> None:
    import subprocess
    import sys

    code = (
        "import sys, graph.analyst.gate;"
        "print('neo4j' in sys.modules, 'fastapi' in sys.modules, 'graph.store' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]
