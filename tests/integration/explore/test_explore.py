"""Graph exploration on a real Neo4j: neighbourhood, path and export, through the API.

The world: Jean (an e-mail and a phone seen together on day 1 and day 40, a device with
the phone on day 40 only), Marie (e-mail and phone, on their own), and a shop kiosk
seen with 60 customers' e-mails (a hub: it must not flood a neighbourhood).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.ui import mount_ui
from graph.errors import ExplorationTimedOut
from graph.explore import queries as explore
from graph.explore.queries import NEIGHBOURS_PER_NODE
from graph.explore.subgraph import (
    Edge,
    Node,
    Subgraph,
    identifier_node_id,
    identity_node_id,
    to_graphml,
)
from graph.identity.clustering import cluster
from graph.ingest.pipeline import Ingestor
from graph.ingest.readers import RawRecord
from graph.model.identifiers import Normaliser
from graph.settings import Settings
from graph.store.algorithms import InProcessAlgorithms
from graph.store.repository import Neo4jStore
from tests.examples import lookup_identifiers

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
KIOSK_CUSTOMERS = 60
KEYS = {
    "analyst": "explore-analyst-key-" + "a" * 24,
    "investigator": "explore-investigator-key-" + "i" * 24,
}


def _event(event_id: str, day: int, *ids: tuple[str, str], channel: str = "web") -> dict[str, Any]:
    return {
        "event_id": event_id,
        "timestamp": (T0 + timedelta(days=day)).isoformat().replace("+00:00", "Z"),
        "source": "test",
        "channel": channel,
        "type": "login",
        "identifiers": [{"type": t, "value": v} for t, v in ids],
    }


JEAN_EMAIL = ("email", "jean@example.fr")
JEAN_PHONE = ("phone", "+33612345678")
JEAN_DEVICE = ("device", "dev-jean-0001")
MARIE_EMAIL = ("email", "marie@example.fr")
KIOSK = ("device", "kiosk-shop-0001")


def _events() -> list[dict[str, Any]]:
    events = [
        _event("j1", 1, JEAN_EMAIL, JEAN_PHONE),
        _event("j2", 40, JEAN_EMAIL, JEAN_PHONE),
        _event("j3", 40, JEAN_PHONE, JEAN_DEVICE),
        _event("m1", 2, MARIE_EMAIL, ("phone", "+33698765432")),
        _event("m2", 3, MARIE_EMAIL, ("phone", "+33698765432")),
    ]
    for n in range(KIOSK_CUSTOMERS):
        email = ("email", f"customer{n:03d}@example.fr")
        events.append(_event(f"k{n}", 5, email, KIOSK, channel="store"))
        events.append(_event(f"c{n}", 6, email, ("cookie", f"cookie-{n:03d}-abcdef")))
    return events


@pytest.fixture()
def world(repo: Neo4jStore) -> Neo4jStore:
    records = [RawRecord(n + 1, json.dumps(e), e) for n, e in enumerate(_events())]
    summary, _ = Ingestor(repo, Normaliser()).ingest(records)
    assert summary.rejected == 0
    cluster(repo, InProcessAlgorithms(), full=True)
    return repo


@pytest.fixture()
def client(settings: Settings, world: Neo4jStore) -> Iterator[TestClient]:
    keys = ",".join(f"{key}={role}" for role, key in KEYS.items())
    with TestClient(create_app(settings.model_copy(update={"api_keys": SecretStr(keys)}))) as c:
        c.headers["X-API-Key"] = KEYS["investigator"]
        yield c


def _identity_of(repo: Neo4jStore, key: tuple[str, str]) -> str:
    [row] = lookup_identifiers(repo, [{"type": key[0], "value": key[1]}])
    assert row["identity_id"], f"{key[0]} has no identity"
    return str(row["identity_id"])


def _ids(body: dict[str, Any]) -> set[str]:
    return {n["id"] for n in body["nodes"]}


def _check_shape(body: dict[str, Any]) -> None:
    """Every edge joins two nodes of the answer; ids are unique."""
    ids = [n["id"] for n in body["nodes"]]
    assert len(ids) == len(set(ids))
    for e in body["edges"]:
        assert e["source"] in ids and e["target"] in ids, e["kind"]
    assert len({e["id"] for e in body["edges"]}) == len(body["edges"])


# --- neighbourhood -----------------------------------------------------------------------


def test_neighbourhood_of_an_identifier(client: TestClient, world: Neo4jStore) -> None:
    jean = _identity_of(world, JEAN_EMAIL)
    r = client.get("/v1/graph/neighbourhood", params={"type": "email", "value": "Jean@Example.FR"})
    assert r.status_code == 200, r.text
    body = r.json()
    _check_shape(body)
    assert _ids(body) == {
        identifier_node_id(*JEAN_EMAIL),
        identifier_node_id(*JEAN_PHONE),
        identity_node_id(jean),
    }
    assert not body["truncated"]
    [link] = [e for e in body["edges"] if e["kind"] == "LINKED"]
    assert link["count"] == 2
    assert link["first_seen"].startswith("2026-03-02") and link["last_seen"].startswith(
        "2026-04-10"
    )
    [member] = [e for e in body["edges"] if e["kind"] == "MEMBER"]
    assert (member["source"], member["target"]) == (
        identifier_node_id(*JEAN_EMAIL),
        identity_node_id(jean),
    )
    email = next(n for n in body["nodes"] if n["id"] == identifier_node_id(*JEAN_EMAIL))
    assert email["kind"] == "identifier" and email["value"] == "jean@example.fr"
    assert email["identity_id"] == jean and email["risk"] is None


def test_more_hops_reach_further(client: TestClient, world: Neo4jStore) -> None:
    sizes = []
    for hops in (1, 2, 3):
        body = client.get(
            "/v1/graph/neighbourhood",
            params={"type": "email", "value": "jean@example.fr", "hops": hops},
        ).json()
        _check_shape(body)
        sizes.append(len(body["nodes"]))
    assert sizes[0] < sizes[1]
    assert identifier_node_id(*JEAN_DEVICE) in _ids(
        client.get(
            "/v1/graph/neighbourhood",
            params={"type": "email", "value": "jean@example.fr", "hops": 2},
        ).json()
    )


def test_neighbourhood_of_an_identity_holds_its_members(
    client: TestClient, world: Neo4jStore
) -> None:
    jean = _identity_of(world, JEAN_EMAIL)
    body = client.get("/v1/graph/neighbourhood", params={"identity_id": jean}).json()
    _check_shape(body)
    assert {identifier_node_id(*JEAN_EMAIL), identifier_node_id(*JEAN_PHONE)} <= _ids(body)
    assert all(e["kind"] in ("MEMBER", "USED_BY") for e in body["edges"])
    assert identifier_node_id(*MARIE_EMAIL) not in _ids(body)


def test_time_filter_keeps_links_active_in_the_window(client: TestClient) -> None:
    base = {"type": "email", "value": "jean@example.fr", "hops": 2}
    early = client.get("/v1/graph/neighbourhood", params={**base, "until": "2026-03-10T00:00:00Z"})
    assert early.status_code == 200, early.text
    # The phone-device link is first seen on day 40: not before day 9.
    assert identifier_node_id(*JEAN_PHONE) in _ids(early.json())
    assert identifier_node_id(*JEAN_DEVICE) not in _ids(early.json())
    late = client.get("/v1/graph/neighbourhood", params={**base, "since": "2026-04-01T00:00:00Z"})
    assert identifier_node_id(*JEAN_DEVICE) in _ids(late.json())
    none = client.get(
        "/v1/graph/neighbourhood", params={**base, "since": "2026-06-01T00:00:00Z", "hops": 1}
    ).json()
    assert {e["kind"] for e in none["edges"]} <= {"MEMBER"}


def test_a_hub_does_not_flood_the_neighbourhood(client: TestClient) -> None:
    r = client.get("/v1/graph/neighbourhood", params={"type": "device", "value": KIOSK[1]})
    assert r.status_code == 200, r.text
    body = r.json()
    _check_shape(body)
    assert body["truncated"]
    linked = [e for e in body["edges"] if e["kind"] == "LINKED"]
    assert len(linked) == NEIGHBOURS_PER_NODE < KIOSK_CUSTOMERS
    # Two hops: every customer's own cookie too, still within the node limit.
    two = client.get(
        "/v1/graph/neighbourhood",
        params={"type": "device", "value": KIOSK[1], "hops": 2, "limit": 120},
    ).json()
    _check_shape(two)
    assert len(two["nodes"]) == 120 and two["truncated"]
    small = client.get(
        "/v1/graph/neighbourhood", params={"type": "device", "value": KIOSK[1], "limit": 10}
    ).json()
    assert len(small["nodes"]) == 10 and small["truncated"]


def test_unknown_start_is_404_without_the_value(client: TestClient) -> None:
    r = client.get(
        "/v1/graph/neighbourhood", params={"type": "email", "value": "nobody@example.fr"}
    )
    assert r.status_code == 404 and r.json()["error"] == "NotFound"
    assert "nobody" not in r.text
    r = client.get("/v1/graph/neighbourhood", params={"identity_id": "id_" + "0" * 20})
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("params", "location"),
    [
        ({"type": "email", "value": "jean@example.fr", "hops": 4}, "query.hops"),
        ({"type": "email", "value": "jean@example.fr", "hops": 0}, "query.hops"),
        ({"type": "email", "value": "jean@example.fr", "limit": 1001}, "query.limit"),
        ({"type": "email"}, "value"),
        ({}, "type"),
        (
            {"type": "email", "value": "jean@example.fr", "identity_id": "id_" + "0" * 20},
            "identity_id",
        ),
        ({"identity_id": "someone"}, "query.identity_id"),
        ({"type": "email", "value": "not an e-mail"}, "value"),
        ({"type": "shoe", "value": "42"}, "type"),
        (
            {
                "type": "email",
                "value": "jean@example.fr",
                "since": "2026-05-01T00:00:00Z",
                "until": "2026-04-01T00:00:00Z",
            },
            "until",
        ),
        ({"type": "email", "value": "jean@example.fr", "since": "yesterday"}, "query.since"),
    ],
)
def test_bad_parameters_are_422_saying_where(
    client: TestClient, params: dict[str, Any], location: str
) -> None:
    r = client.get("/v1/graph/neighbourhood", params=params)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["location"] == location and body["detail"]
    assert "jean@example.fr" not in r.text and "not an e-mail" not in r.text


# --- path ------------------------------------------------------------------------------------


def test_path_between_two_identifiers(client: TestClient) -> None:
    r = client.get(
        "/v1/graph/path",
        params={
            "from_type": "email",
            "from_value": "jean@example.fr",
            "to_type": "device",
            "to_value": JEAN_DEVICE[1],
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    _check_shape(body)
    assert body["length"] == 2 == len(body["edges"])
    assert [n["id"] for n in body["nodes"]] == [
        identifier_node_id(*JEAN_EMAIL),
        identifier_node_id(*JEAN_PHONE),
        identifier_node_id(*JEAN_DEVICE),
    ]
    assert {e["kind"] for e in body["edges"]} == {"LINKED"}


def test_path_between_identities_goes_through_members(
    client: TestClient, world: Neo4jStore
) -> None:
    a = _identity_of(world, ("email", "customer001@example.fr"))
    b = _identity_of(world, ("email", "customer002@example.fr"))
    body = client.get("/v1/graph/path", params={"from_identity": a, "to_identity": b}).json()
    _check_shape(body)
    nodes = [n["id"] for n in body["nodes"]]
    assert nodes[0] == identity_node_id(a) and nodes[-1] == identity_node_id(b)
    assert body["length"] == len(body["edges"]) == len(nodes) - 1
    assert identifier_node_id(*KIOSK) in nodes  # what the two customers share
    same = client.get("/v1/graph/path", params={"from_identity": a, "to_identity": a}).json()
    assert same["length"] == 0 and [n["id"] for n in same["nodes"]] == [identity_node_id(a)]


def test_no_path_is_404(client: TestClient, world: Neo4jStore) -> None:
    params = {
        "from_type": "email",
        "from_value": "jean@example.fr",
        "to_type": "email",
        "to_value": MARIE_EMAIL[1],
    }
    r = client.get("/v1/graph/path", params=params)
    assert r.status_code == 404 and r.json()["error"] == "NotFound", r.text
    assert "marie" not in r.text
    # A path exists, but longer than allowed.
    far = {**params, "to_type": "device", "to_value": JEAN_DEVICE[1], "max_hops": 1}
    assert client.get("/v1/graph/path", params=far).status_code == 404
    r = client.get("/v1/graph/path", params={**far, "max_hops": 11})
    assert r.status_code == 422 and r.json()["location"] == "query.max_hops"
    r = client.get("/v1/graph/path", params={"from_type": "email", "from_value": "x@y.fr"})
    assert r.status_code == 422 and r.json()["location"] == "to_type"


# --- export ----------------------------------------------------------------------------------


def test_export_json_and_graphml_agree(client: TestClient) -> None:
    params = {"type": "email", "value": "jean@example.fr", "hops": 2}
    js = client.get("/v1/graph/export", params=params)
    assert js.status_code == 200 and js.headers["content-type"].startswith("application/json")
    body = js.json()
    assert body == client.get("/v1/graph/neighbourhood", params=params).json()
    xml = client.get("/v1/graph/export", params={**params, "format": "graphml"})
    assert xml.status_code == 200, xml.text
    assert xml.headers["content-type"].startswith("application/graphml+xml")
    g = nx.read_graphml(io.BytesIO(xml.content))
    assert set(g.nodes) == _ids(body)
    assert g.number_of_edges() == len(body["edges"])
    email = g.nodes[identifier_node_id(*JEAN_EMAIL)]
    assert email["kind"] == "identifier" and email["value"] == "jean@example.fr"
    kinds = {d["kind"] for _, _, d in g.edges(data=True)}
    assert kinds == {e["kind"] for e in body["edges"]}
    linked = [d for _, _, d in g.edges(data=True) if d["kind"] == "LINKED"]
    assert all(isinstance(d["count"], int) for d in linked)


def test_export_of_a_ring(client: TestClient, world: Neo4jStore) -> None:
    # Contract fixture data: a Ring as fraud detection writes it (graph.fraud.detect is built
    # separately), over two kiosk customers.
    members = [_identity_of(world, ("email", f"customer00{n}@example.fr")) for n in (1, 2)]
    with world.driver.session(database=world.database) as s:
        s.run(
            "CREATE (r:Ring {ring_id: 'ring_00ff', score: 0.9, size: 2, reasons: ['x'],"
            " signals: '{}', first_seen: datetime(), last_seen: datetime(),"
            " detected_at: datetime()}) WITH r UNWIND $ids AS id"
            " MATCH (p:Identity {identity_id: id}) SET p.risk = 0.8, p.ring_id = r.ring_id"
            " CREATE (p)-[:IN_RING]->(r)",
            ids=members,
        ).consume()
    r = client.get("/v1/graph/export", params={"ring_id": "ring_00ff"})
    assert r.status_code == 200, r.text
    body = r.json()
    _check_shape(body)
    risky = {n["id"]: n["risk"] for n in body["nodes"] if n["kind"] == "identity"}
    assert risky == {identity_node_id(m): 0.8 for m in members}
    members_of = [n for n in body["nodes"] if n["kind"] == "identifier" and n["identity_id"]]
    assert members_of and all(n["risk"] == 0.8 for n in members_of)
    assert client.get("/v1/graph/export", params={"ring_id": "ring_0123"}).status_code == 404
    both = client.get(
        "/v1/graph/export", params={"ring_id": "ring_00ff", "identity_id": members[0]}
    )
    assert both.status_code == 422 and both.json()["location"] == "ring_id"


def test_graphml_is_pure_and_readable() -> None:
    at = datetime(2026, 3, 1, tzinfo=UTC)
    sub = Subgraph(
        nodes=[
            Node("idf:1", "identifier", "email", "a&b<c>@example.fr", "id_1", 0.25, "x"),
            Node("ide:id_1", "identity", None, None, "id_1", None, "id_1"),
        ],
        edges=[Edge("MEMBER:1", "idf:1", "ide:id_1", "MEMBER", 3, at, None)],
        truncated=False,
    )
    g = nx.read_graphml(io.StringIO(to_graphml(sub)))
    assert g.nodes["idf:1"]["value"] == "a&b<c>@example.fr"
    assert g.nodes["idf:1"]["risk"] == 0.25
    assert "risk" not in g.nodes["ide:id_1"]
    assert g.edges["idf:1", "ide:id_1"]["count"] == 3
    assert g.edges["idf:1", "ide:id_1"]["first_seen"] == at.isoformat()


def test_a_slow_exploration_is_stopped_and_reported(
    repo: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The time-out is the server's (a transaction time-out), reported as input to narrow."""
    monkeypatch.setattr(explore, "TIMEOUT_S", 0.2)

    def slow(tx: Any) -> Any:
        # No query of the catalog is slow on an empty graph: the driver's transaction
        # under the store's runs one that is.
        return tx._tx.run("UNWIND range(1, 1000000000) AS x RETURN sum(x) AS s").single()

    with pytest.raises(ExplorationTimedOut) as caught:
        explore.run_read(repo, slow, "hops")
    assert caught.value.location == "hops" and "0.2 s" in str(caught.value)


# --- roles -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/graph/neighbourhood", "/v1/graph/path", "/v1/graph/export"])
def test_roles_below_investigator_are_refused(client: TestClient, path: str) -> None:
    params = {"type": "email", "value": "jean@example.fr"}
    assert client.get(path, params=params, headers={"X-API-Key": ""}).status_code == 401
    r = client.get(path, params=params, headers={"X-API-Key": "wrong-key-" + "w" * 20})
    assert r.status_code == 401
    r = client.get(path, params=params, headers={"X-API-Key": KEYS["analyst"]})
    assert r.status_code == 403 and r.json()["error"] == "NotAllowed"


def test_ui_says_how_to_build_it_until_built(tmp_path: Path) -> None:
    app = FastAPI()
    mount_ui(app, tmp_path)
    with TestClient(app) as c:
        r = c.get("/ui", follow_redirects=False)
        assert r.status_code == 307 and r.headers["location"] == "/ui/"
        missing = c.get("/ui/")
        assert missing.status_code == 503 and missing.json()["error"] == "ExplorerNotBuilt"
        assert "make install" in missing.json()["detail"]
        (tmp_path / "index.html").write_text("<html>explorer</html>")
        (tmp_path / "app.js").write_text("console.log(1)")
        assert c.get("/ui/").text == "<html>explorer</html>"
        assert c.get("/ui/app.js").status_code == 200
        assert c.get("/ui/nothing.js").status_code == 404
