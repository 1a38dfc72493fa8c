"""Building an exploration's answer without the database: seeds, the builder, GraphML."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from graph.errors import InputError
from graph.explore.subgraph import (
    MAX_HOPS,
    EdgeInfo,
    Seed,
    SubgraphBuilder,
    check_bounds,
    identifier_node_id,
    identity_node_id,
    seed_of,
    to_graphml,
)
from graph.model.identifiers import Normaliser
from graph.model.privacy import mask_identifier

ID = "id_0123456789abcdef0123"


def test_seeds_are_normalised_identifiers_or_identity_ids() -> None:
    n = Normaliser()
    assert seed_of(n, "email", " Jean@Example.FR ", None) == Seed("email", "jean@example.fr")
    assert seed_of(n, None, None, ID) == Seed(identity_id=ID)
    with pytest.raises(InputError) as both:
        seed_of(n, "email", "jean@example.fr", ID, prefix="from_")
    assert both.value.location == "from_identity"
    with pytest.raises(InputError) as half:
        seed_of(n, "email", None, None)
    assert half.value.location == "value"
    with pytest.raises(InputError, match="identity id"):
        seed_of(n, None, None, "id_SHOUTING")


def test_bounds_are_checked() -> None:
    assert check_bounds(1, 10, None, None) == {"since": None, "until": None}
    with pytest.raises(InputError) as caught:
        check_bounds(MAX_HOPS + 1, 10, None, None)
    assert caught.value.location == "hops"


def test_builder_keeps_to_its_limit_and_adds_referrals_up() -> None:
    b = SubgraphBuilder(limit=2)
    a = b.add_identifier("email", "ann@example.fr", ID)
    z = b.add_identifier("email", "zoe@example.fr", None)
    assert a == identifier_node_id("email", "ann@example.fr") and z is not None
    assert b.full and b.add_identity(ID) is None and b.truncated
    at = datetime(2026, 3, 1, tzinfo=UTC)
    b.add_edge(EdgeInfo(a, z, "REFERRED", None, at, at))
    b.add_edge(EdgeInfo(a, z, "REFERRED", None, at.replace(day=2), at.replace(day=2)))
    built = b.build({ID: 0.5}, mask_identifier)
    (edge,) = built.edges
    assert edge.count == 2 and edge.first_seen == at and edge.last_seen == at.replace(day=2)
    shown = {n.id: n for n in built.nodes}
    assert shown[a].value == shown[a].label == "a***@example.fr" and shown[a].risk == 0.5
    assert shown[z].risk is None
    assert identity_node_id(ID) == "ide:" + ID


def test_graphml_holds_the_same_nodes_and_edges() -> None:
    b = SubgraphBuilder(limit=10)
    a = b.add_identifier("email", "ann@example.fr", ID)
    i = b.add_identity(ID)
    assert a is not None and i is not None
    b.add_edge(EdgeInfo(a, i, "MEMBER"))
    root = ET.fromstring(to_graphml(b.build({}, lambda t, v: v)))
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert {n.get("id") for n in root.iterfind(".//g:node", ns)} == {a, i}
    assert [(e.get("source"), e.get("target")) for e in root.iterfind(".//g:edge", ns)] == [(a, i)]


def test_the_answer_is_built_without_the_driver() -> None:
    code = (
        "import sys, graph.explore.subgraph;"
        "print('neo4j' in sys.modules, 'fastapi' in sys.modules, 'graph.store' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]
