"""Influence on a real Neo4j: cascades, influencers and rankings, through the API.

The referral tree: A->B (day 2), B->C (day 3), A->D (day 4), D->E (day 5), and C->F on
day 2 at 09:00, before C was referred (day 3): it does not count in A's cascade, but
counts in C's own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from graph.identity.clustering import cluster
from graph.identity.profiles import MergedIdentity
from graph.influence import ranking
from graph.influence.queries import influenced
from graph.influence.ranking import top_influencers
from graph.ingest.pipeline import Ingestor
from graph.ingest.readers import RawRecord
from graph.model.identifiers import Normaliser
from graph.settings import Settings
from graph.store import admin
from graph.store.algorithms import InProcessAlgorithms
from graph.store.repository import Neo4jStore
from tests.examples import lookup_identifiers

pytestmark = pytest.mark.integration

PEOPLE = "ABCDEF"

# (referrer, referred, time of the referral)
REFERRALS = [
    ("A", "B", "2026-03-02T10:00:00Z"),
    ("B", "C", "2026-03-03T10:00:00Z"),
    ("A", "D", "2026-03-04T10:00:00Z"),
    ("D", "E", "2026-03-05T10:00:00Z"),
    ("C", "F", "2026-03-02T09:00:00Z"),
]


def _email(person: str) -> dict[str, str]:
    return {"type": "email", "value": f"{person.lower()}@example.fr"}


def _events() -> list[dict[str, Any]]:
    own = [
        {
            "event_id": f"own-{p}",
            "timestamp": "2026-03-01T09:00:00Z",
            "source": "app",
            "channel": "app",
            "type": "login",
            "identifiers": [_email(p)],
        }
        for p in PEOPLE
    ]
    referrals = [
        {
            "event_id": f"r-{a}{b}",
            "timestamp": at,
            "source": "app",
            "channel": "app",
            "type": "signup",
            "identifiers": [_email(b)],
            "referred_by": [_email(a)],
        }
        for a, b, at in REFERRALS
    ]
    return own + referrals


@pytest.fixture()
def ids(repo: Neo4jStore) -> dict[str, str]:
    """Person letter -> identity id, after ingesting the tree and clustering."""
    records = [RawRecord(n + 1, json.dumps(e), e) for n, e in enumerate(_events())]
    summary, _ = Ingestor(repo, Normaliser()).ingest(records)
    assert summary.rejected == 0
    cluster(repo, InProcessAlgorithms())
    out = {}
    for p in PEOPLE:
        rows = lookup_identifiers(repo, [_email(p)])
        assert rows and rows[0]["identity_id"], f"{p} has no identity"
        out[p] = str(rows[0]["identity_id"])
    assert len(set(out.values())) == len(PEOPLE)
    return out


@pytest.fixture()
def app(settings: Settings, repo: Neo4jStore) -> FastAPI:
    return create_app(settings)  # the influence router is part of the app


@pytest.fixture()
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def _tree(node: dict[str, Any], key: str) -> dict[str, tuple[str, int, str]]:
    """identity -> (parent, depth, at), for every node below ``node``."""
    out: dict[str, tuple[str, int, str]] = {}
    for child in node[key]:
        out[child["identity_id"]] = (node["identity_id"], child["depth"], child["at"])
        out.update(_tree(child, key))
    return out


def test_influenced_is_time_respecting(client: TestClient, ids: dict[str, str]) -> None:
    name = {v: k for k, v in ids.items()}
    r = client.get(f"/v1/identities/{ids['A']}/influenced")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["size"], body["depth"], body["returned"], body["truncated"]) == (4, 2, 4, False)
    tree = {name[i]: (name[p], d, at) for i, (p, d, at) in _tree(body["tree"], "children").items()}
    assert {k: v[:2] for k, v in tree.items()} == {
        "B": ("A", 1),
        "C": ("B", 2),
        "D": ("A", 1),
        "E": ("D", 2),
    }
    assert "F" not in tree  # C referred F before C was referred
    assert tree["B"][2].startswith("2026-03-02T10:00:00")
    b = body["tree"]["children"][0]
    assert b["events"] == [{"source": "app", "event_id": "r-AB"}]
    assert body["tree"]["at"] is None and body["tree"]["depth"] == 0

    # C's own cascade: as the root, all its referrals count.
    own = client.get(f"/v1/identities/{ids['C']}/influenced").json()
    assert [name[c["identity_id"]] for c in own["tree"]["children"]] == ["F"]
    assert own["size"] == 1

    # Bounds cut the tree, not the size.
    cut = client.get(f"/v1/identities/{ids['A']}/influenced", params={"max_depth": 1}).json()
    assert cut["truncated"] and cut["size"] == 4 and cut["returned"] == 2
    cut = client.get(f"/v1/identities/{ids['A']}/influenced", params={"limit": 1}).json()
    assert cut["truncated"] and cut["returned"] == 1
    assert [name[c["identity_id"]] for c in cut["tree"]["children"]] == ["B"]

    leaf = client.get(f"/v1/identities/{ids['E']}/influenced").json()
    assert leaf["size"] == 0 and leaf["tree"]["children"] == []


def test_influencers_walk_up_in_time_order(client: TestClient, ids: dict[str, str]) -> None:
    name = {v: k for k, v in ids.items()}
    r = client.get(f"/v1/identities/{ids['E']}/influencers")
    assert r.status_code == 200, r.text
    body = r.json()
    tree = {name[i]: (name[p], d) for i, (p, d, _) in _tree(body["tree"], "referrers").items()}
    assert tree == {"D": ("E", 1), "A": ("D", 2)}
    assert (body["size"], body["depth"], body["truncated"]) == (2, 2, False)
    d = body["tree"]["referrers"][0]
    assert d["at"].startswith("2026-03-05T10:00:00")
    assert d["events"] == [{"source": "app", "event_id": "r-DE"}]

    up = client.get(f"/v1/identities/{ids['C']}/influencers").json()
    assert {name[i] for i in _tree(up["tree"], "referrers")} == {"B", "A"}
    # F: C referred F before B referred C, so the chain stops at C.
    up = client.get(f"/v1/identities/{ids['F']}/influencers").json()
    assert {name[i] for i in _tree(up["tree"], "referrers")} == {"C"} and up["size"] == 1
    up = client.get(f"/v1/identities/{ids['C']}/influencers", params={"max_depth": 1}).json()
    assert up["truncated"] and up["size"] == 1
    top = client.get(f"/v1/identities/{ids['A']}/influencers").json()
    assert top["tree"]["referrers"] == [] and top["size"] == 0


def test_top_by_cascade_with_a_time_window(client: TestClient, ids: dict[str, str]) -> None:
    name = {v: k for k, v in ids.items()}
    r = client.get("/v1/influence/top", params={"by": "cascade"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["backend"] == "python" and body["identities_considered"] == 6
    ranked = [(name[e["identity_id"]], e["score"], e["cascade_depth"]) for e in body["identities"]]
    assert ranked[0] == ("A", 4.0, 2)
    assert sorted(ranked[1:4]) == [("B", 1.0, 1), ("C", 1.0, 1), ("D", 1.0, 1)]
    assert [e["rank"] for e in body["identities"]] == list(range(1, 7))

    # Until day 4: A->B, B->C and C->F only; A's cascade is B and C.
    r = client.get(
        "/v1/influence/top", params={"by": "cascade", "limit": 2, "until": "2026-03-04T00:00:00Z"}
    )
    body = r.json()
    assert body["until"].startswith("2026-03-04")
    assert [(name[e["identity_id"]], e["score"]) for e in body["identities"]][0] == ("A", 2.0)
    assert len(body["identities"]) == 2 and body["identities_considered"] == 4
    # An empty window is an empty ranking, for every ranking.
    for by in ("cascade", "pagerank", "articlerank"):
        r = client.get("/v1/influence/top", params={"by": by, "since": "2030-01-01T00:00:00"})
        assert r.status_code == 200, r.text
        assert r.json()["identities"] == [] and r.json()["identities_considered"] == 0


@pytest.mark.gds
@pytest.mark.parametrize("by", ["pagerank", "articlerank"])
def test_rankings_with_gds_and_without_agree(
    client: TestClient,
    repo: Neo4jStore,
    ids: dict[str, str],
    by: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert admin.gds_version(repo) is not None, "the test server should have GDS"
    name = {v: k for k, v in ids.items()}
    r = client.get("/v1/influence/top", params={"by": by})
    assert r.status_code == 200, r.text
    with_gds = r.json()
    assert with_gds["backend"] == "gds" and with_gds["identities_considered"] == 6
    ranked = [name[e["identity_id"]] for e in with_gds["identities"]]
    assert ranked[:2] == ["A", "B"] and set(ranked) == set(PEOPLE)
    with repo.driver.session(database=repo.database) as s:
        assert s.run("CALL gds.graph.list() YIELD graphName RETURN graphName").data() == []

    # Chosen once at start-up: a server without the plugin would have given this.
    client.app.state.algorithms = InProcessAlgorithms()  # type: ignore[attr-defined]
    r = client.get("/v1/influence/top", params={"by": by})
    assert r.status_code == 200, r.text
    without = r.json()
    assert without["backend"] == "networkx"
    assert [e["identity_id"] for e in without["identities"]] == [
        e["identity_id"] for e in with_gds["identities"]
    ]
    for a, b in zip(with_gds["identities"], without["identities"], strict=True):
        assert a["score"] == pytest.approx(b["score"], rel=1e-4)

    forced = top_influencers(repo, by=by, algorithms=InProcessAlgorithms(), limit=1)
    assert forced.backend == "networkx" and forced.identities[0].identity_id == ids["A"]


def test_merged_retired_unknown_and_bad_input(
    client: TestClient, repo: Neo4jStore, ids: dict[str, str]
) -> None:
    old, gone = "id_00000000000000000001", "id_00000000000000000002"
    with repo.driver.session(database=repo.database) as s:
        s.run(
            "CREATE (:Identity {identity_id: $old, status: 'merged', merged_into: $into})"
            " CREATE (:Identity {identity_id: $gone, status: 'retired', size: 0})",
            old=old,
            gone=gone,
            into=ids["A"],
        ).consume()
    for tail in ("influenced", "influencers"):
        r = client.get(
            f"/v1/identities/{old}/{tail}", params={"max_depth": 3}, follow_redirects=False
        )
        assert r.status_code == 308, r.text
        assert r.headers["location"] == f"/v1/identities/{ids['A']}/{tail}?max_depth=3"
        assert r.json()["merged_into"] == ids["A"]
        r = client.get(f"/v1/identities/{old}/{tail}")
        assert r.status_code == 200 and r.json()["identity_id"] == ids["A"]
        assert client.get(f"/v1/identities/{gone}/{tail}").status_code == 410
        r = client.get(f"/v1/identities/id_0123456789abcdef0123/{tail}")
        assert r.status_code == 404 and r.json()["error"] == "NotFound"
        r = client.get(f"/v1/identities/not-an-id/{tail}")
        assert r.status_code == 422 and r.json()["location"] == "path.identity_id"
        for params, where in (
            ({"max_depth": 0}, "query.max_depth"),
            ({"max_depth": 51}, "query.max_depth"),
            ({"limit": 0}, "query.limit"),
            ({"limit": "many"}, "query.limit"),
        ):
            r = client.get(f"/v1/identities/{ids['A']}/{tail}", params=params)
            assert r.status_code == 422 and r.json()["location"] == where, r.text
    assert isinstance(influenced(repo, old), MergedIdentity)

    for params, where in (
        ({"by": "degree"}, "query.by"),
        ({"limit": 0}, "query.limit"),
        ({"limit": 1001}, "query.limit"),
        ({"since": "yesterday"}, "query.since"),
        ({"until": "2026-13-01T00:00:00Z"}, "query.until"),
        ({"since": "2026-03-04T00:00:00Z", "until": "2026-03-01T00:00:00Z"}, "until"),
    ):
        r = client.get("/v1/influence/top", params=params)
        assert r.status_code == 422 and r.json()["location"] == where, r.text


def test_openapi_documents_the_endpoints(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    for path in (
        "/v1/identities/{identity_id}/influenced",
        "/v1/identities/{identity_id}/influencers",
        "/v1/influence/top",
    ):
        assert path in paths
    top = paths["/v1/influence/top"]["get"]
    assert "ArticleRank" in top["description"] and "time-respecting" in top["description"]


class _Recording:
    """The algorithms the API chose at start-up, counting the rankings they compute."""

    def __init__(self) -> None:
        self.inner = InProcessAlgorithms()
        self.name = self.inner.name
        self.ranks = 0

    def identity_components(self, *args: Any) -> dict[str, int]:
        return self.inner.identity_components(*args)

    def ring_components(self, *args: Any) -> dict[str, int]:
        return self.inner.ring_components(*args)

    def rank(self, *args: Any) -> tuple[int, list[tuple[str, float]]]:
        self.ranks += 1
        return self.inner.rank(*args)


def test_top_is_computed_once_per_data_version(
    client: TestClient, repo: Neo4jStore, ids: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """GET /v1/influence/top answers a repeated request from the cache, without asking
    for the GDS version, projecting or reading every referral; new data recomputes."""
    recording = _Recording()
    client.app.state.algorithms = recording  # type: ignore[attr-defined]

    def no_version(store: object) -> None:
        raise AssertionError("a request asked for the GDS version")

    monkeypatch.setattr(admin, "gds_version", no_version)
    reads: list[object] = []
    read_all = ranking._read_all
    monkeypatch.setattr(ranking, "_read_all", lambda r, w: reads.append(w) or read_all(r, w))

    def top(by: str) -> dict[str, Any]:
        r = client.get("/v1/influence/top", params={"by": by})
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    first = [top("pagerank"), top("cascade")]
    assert [top("pagerank"), top("cascade")] == first
    assert recording.ranks == 1 and len(reads) == 1
    assert top("articlerank")["identities_considered"] == 6 and recording.ranks == 2

    # A new referral (A brings G in): the next request recomputes.
    g = {
        "event_id": "r-AG",
        "timestamp": "2026-03-06T10:00:00Z",
        "source": "app",
        "channel": "app",
        "type": "signup",
        "identifiers": [_email("G")],
        "referred_by": [_email("A")],
    }
    Ingestor(repo, Normaliser()).ingest([RawRecord(1, json.dumps(g), g)])
    after = top("pagerank")
    assert recording.ranks == 3 and after["identities_considered"] == 7
    assert top("cascade")["identities"][0]["score"] == 5.0 and len(reads) == 2
    assert top("pagerank") == after and recording.ranks == 3
    # A clustering run that writes identities moves the version on too.
    assert cluster(repo, InProcessAlgorithms()).identities > 0
    assert top("pagerank") == after and recording.ranks == 4
