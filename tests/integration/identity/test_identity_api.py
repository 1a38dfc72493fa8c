"""``GET /v1/identities/{id}`` on a real Neo4j: profiles, merges, retirements, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.errors import InputError
from graph.identity.clustering import cluster
from graph.identity.profiles import identity_profile
from graph.ingest.pipeline import Ingestor
from graph.ingest.readers import RawRecord
from graph.model.identifiers import Normaliser
from graph.settings import Settings
from graph.store.algorithms import InProcessAlgorithms
from graph.store.repository import Neo4jStore
from tests.examples import lookup_identifiers

pytestmark = pytest.mark.integration


@pytest.fixture()
def client(settings: Settings, repo: Neo4jStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def _ingest(repo: Neo4jStore, events: list[dict[str, Any]]) -> None:
    records = [RawRecord(n + 1, json.dumps(e), e) for n, e in enumerate(events)]
    summary, _ = Ingestor(repo, Normaliser()).ingest(records)
    assert summary.rejected == 0


def _event(
    event_id: str,
    *ids: tuple[str, str],
    at: str = "2026-03-01T10:00:00Z",
    channel: str = "web",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "timestamp": at,
        "channel": channel,
        "identifiers": [{"type": t, "value": v} for t, v in ids],
        **extra,
    }


def _identity_of(repo: Neo4jStore, type_: str, value: str) -> str:
    rows = lookup_identifiers(repo, [{"type": type_, "value": value}])
    assert rows and rows[0]["identity_id"], f"{type_} has no identity"
    return str(rows[0]["identity_id"])


def _run(repo: Neo4jStore, query: str, **params: Any) -> None:
    with repo.driver.session(database=repo.database) as s:
        s.run(query, params).consume()


EMAIL = ("email", "jean.dupont@example.fr")
PHONE = ("phone", "+33612345678")
COOKIE = ("cookie", "ck-1")


def test_profile_of_an_active_identity(client: TestClient, repo: Neo4jStore) -> None:
    _ingest(
        repo,
        [
            _event("w1", EMAIL, COOKIE, at="2026-03-01T09:30:00Z", channel="web"),
            _event("w2", EMAIL, COOKIE, at="2026-03-02T09:10:00Z", channel="web"),
            # 21:45 in Paris is 20:45 UTC.
            _event("c1", EMAIL, PHONE, at="2026-03-05T21:45:00+01:00", channel="call"),
            _event("c2", PHONE, at="2026-03-06T20:05:00Z", channel="call"),
            _event("s1", PHONE, at="2026-03-07T20:15:00Z", channel="sms"),
        ],
    )
    cluster(repo, InProcessAlgorithms())
    # Someone else names her as referrer: her e-mail is not this event's subject.
    _ingest(
        repo,
        [
            _event(
                "ref",
                ("email", "friend@example.fr"),
                at="2026-03-08T03:00:00Z",
                channel="store",
                referred_by=[{"type": "email", "value": EMAIL[1]}],
            )
        ],
    )
    pid = _identity_of(repo, *EMAIL)

    r = client.get(f"/v1/identities/{pid}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["identity_id"] == pid and body["status"] == "active"
    assert body["size"] == 3 and 0 <= body["cohesion"] <= 1
    assert body["created_at"] and body["updated_at"]

    by_key = {(i["type"], i["value"]): i for i in body["identifiers"]}
    assert set(by_key) == {EMAIL, PHONE, COOKIE}
    email = by_key[EMAIL]
    assert email["event_count"] == 3 and email["channels"] == ["call", "web"]
    assert email["shared"] is False and 0 <= email["confidence"] <= 1
    assert by_key[PHONE]["channels"] == ["call", "sms"]
    assert email["first_seen"].startswith("2026-03-01T09:30:00")

    assert body["event_count"] == 5
    assert body["channels"] == {"call": 2, "web": 2, "sms": 1}
    assert list(body["channels"]) == ["call", "web", "sms"]  # most frequent first
    assert body["usual_channels"] == ["call", "web", "sms"]
    hours = body["usual_hours"]
    assert len(hours) == 24 and sum(hours) == 5
    assert hours[9] == 2 and hours[20] == 3 and hours[3] == 0

    # first/last seen span the identifiers' own (ingest also stamps a named referrer).
    assert body["first_seen"].startswith("2026-03-01T09:30:00")
    assert body["last_seen"] == max(i["last_seen"] for i in body["identifiers"])
    assert body["shared_identifiers"] == []
    assert body["history"] == {"merged_in": [], "split_from": [], "split_into": []}


def _two_identities_then_merge(repo: Neo4jStore) -> tuple[str, str]:
    _ingest(repo, [_event("a", ("email", "a@example.fr"), ("phone", "0612345678"))])
    cluster(repo, InProcessAlgorithms())
    _ingest(repo, [_event("b", ("email", "b@example.fr"), ("phone", "0698765432"))])
    cluster(repo, InProcessAlgorithms())
    older = _identity_of(repo, "email", "a@example.fr")
    newer = _identity_of(repo, "email", "b@example.fr")
    assert older != newer
    _ingest(
        repo,
        [
            _event("glue", ("email", "a@example.fr"), ("email", "b@example.fr")),
            _event("glue2", ("email", "a@example.fr"), ("email", "b@example.fr")),
        ],
    )
    result = cluster(repo, InProcessAlgorithms())
    assert result.merged == 1
    return older, newer


def test_merged_identity_redirects_to_the_survivor(client: TestClient, repo: Neo4jStore) -> None:
    older, newer = _two_identities_then_merge(repo)

    r = client.get(f"/v1/identities/{newer}", follow_redirects=False)
    assert r.status_code == 308
    assert r.headers["location"] == f"/v1/identities/{older}"
    assert r.json() == {
        "identity_id": newer,
        "status": "merged",
        "merged_into": older,
        "chain": [newer, older],
    }

    followed = client.get(f"/v1/identities/{newer}")
    assert followed.status_code == 200
    profile = followed.json()
    assert profile["identity_id"] == older and profile["status"] == "active"
    values = {i["value"] for i in profile["identifiers"]}
    assert values == {"a@example.fr", "b@example.fr", "+33612345678", "+33698765432"}
    merged_in = profile["history"]["merged_in"]
    assert [m["identity_id"] for m in merged_in] == [newer] and merged_in[0]["at"]


def test_chains_of_merges_are_followed_to_the_end(client: TestClient, repo: Neo4jStore) -> None:
    older, newer = _two_identities_then_merge(repo)
    # The survivor is merged in turn into a third identity.
    third = "id_" + "c" * 20
    _run(
        repo,
        "MATCH (p:Identity {identity_id: $older}) "
        "CREATE (q:Identity {identity_id: $third, status: 'active', size: 0, "
        "                    created_at: datetime(), updated_at: datetime()}) "
        "SET p.status = 'merged', p.merged_into = $third "
        "CREATE (p)-[:MERGED_INTO {at: datetime(), run: 'manual'}]->(q)",
        older=older,
        third=third,
    )
    r = client.get(f"/v1/identities/{newer}", follow_redirects=False)
    assert r.status_code == 308
    assert r.headers["location"] == f"/v1/identities/{third}"
    assert r.json()["chain"] == [newer, older, third]
    assert client.get(f"/v1/identities/{newer}").json()["identity_id"] == third


def _identities(repo: Neo4jStore, *rows: dict[str, Any]) -> None:
    _run(
        repo,
        "UNWIND $rows AS r CREATE (p:Identity) SET p = r, p.updated_at = datetime()",
        rows=list(rows),
    )


def test_a_cycle_of_merges_is_409_not_a_loop(client: TestClient, repo: Neo4jStore) -> None:
    x, y = "id_" + "1" * 20, "id_" + "2" * 20
    _identities(
        repo,
        {"identity_id": x, "status": "merged", "merged_into": y},
        {"identity_id": y, "status": "merged", "merged_into": x},
    )
    r = client.get(f"/v1/identities/{x}", follow_redirects=False)
    assert r.status_code == 409
    assert r.json()["error"] == "MergeChainBroken"


def test_a_merge_into_nothing_is_409(client: TestClient, repo: Neo4jStore) -> None:
    x = "id_" + "3" * 20
    _identities(
        repo,
        {"identity_id": x, "status": "merged", "merged_into": "id_" + "4" * 20},
        {"identity_id": "id_" + "5" * 20, "status": "merged"},
    )
    for pid in (x, "id_" + "5" * 20):
        r = client.get(f"/v1/identities/{pid}", follow_redirects=False)
        assert r.status_code == 409, r.text


def test_a_merged_id_without_the_property_follows_its_link(
    client: TestClient, repo: Neo4jStore
) -> None:
    x, y = "id_" + "6" * 20, "id_" + "7" * 20
    _identities(repo, {"identity_id": x, "status": "merged"}, {"identity_id": y})
    _run(
        repo,
        "MATCH (a:Identity {identity_id: $x}), (b:Identity {identity_id: $y}) "
        "CREATE (a)-[:MERGED_INTO {at: datetime()}]->(b)",
        x=x,
        y=y,
    )
    r = client.get(f"/v1/identities/{x}", follow_redirects=False)
    assert r.status_code == 308 and r.json()["merged_into"] == y
    profile = client.get(f"/v1/identities/{x}").json()
    assert profile["identity_id"] == y and profile["identifiers"] == []
    assert profile["usual_hours"] == [0] * 24 and profile["first_seen"] is None


def test_history_shows_splits_both_ways(client: TestClient, repo: Neo4jStore) -> None:
    main = [
        _event(f"m{n}", ("email", "main@example.fr"), ("phone", "0611111111"), ("cookie", f"c{n}"))
        for n in range(4)
    ]
    glue = [
        _event("d1", ("device", "dev-1"), ("email", "main@example.fr")),
        _event("d2", ("device", "dev-1"), ("email", "other@example.fr")),
        _event("d3", ("device", "dev-1"), ("email", "other@example.fr")),
    ]
    _ingest(repo, [*main, *glue])
    cluster(repo, InProcessAlgorithms())
    pid = _identity_of(repo, "email", "main@example.fr")
    # The device turns out to be used by many people: a hub, and the other part splits off.
    _ingest(
        repo,
        [_event(f"x{n}", ("device", "dev-1"), ("email", f"x{n}@example.fr")) for n in range(5)],
    )
    cluster(repo, InProcessAlgorithms())
    split_off = _identity_of(repo, "email", "other@example.fr")
    assert split_off != pid

    parent = client.get(f"/v1/identities/{pid}").json()["history"]
    # Ingest attached the x-mails through the device too: they split off as well.
    assert split_off in [e["identity_id"] for e in parent["split_into"]]
    child = client.get(f"/v1/identities/{split_off}").json()
    assert [e["identity_id"] for e in child["history"]["split_from"]] == [pid]
    assert child["history"]["split_from"][0]["at"]
    assert [s["value"] for s in child["shared_identifiers"]] == ["dev-1"]


def test_retired_identity_is_gone(client: TestClient, repo: Neo4jStore) -> None:
    x = "id_" + "8" * 20
    _identities(repo, {"identity_id": x, "status": "retired", "size": 0})
    r = client.get(f"/v1/identities/{x}")
    assert r.status_code == 410
    body = r.json()
    assert body["status"] == "retired" and body["identity_id"] == x
    assert body["error"] == "IdentityRetired" and "retired" in body["detail"]
    assert body["retired_at"]


def test_unknown_id_is_404(client: TestClient) -> None:
    r = client.get("/v1/identities/id_" + "0" * 20)
    assert r.status_code == 404
    assert r.json() == {"error": "NotFound", "detail": "no identity has this id", "location": None}


def test_core_refuses_a_malformed_id_before_querying(repo: Neo4jStore) -> None:
    with pytest.raises(InputError) as caught:
        identity_profile(repo, "id_" + "Z" * 20)
    assert caught.value.location == "identity_id"


@pytest.mark.parametrize(
    "bad",
    [
        "nope",
        "id_",
        "id_" + "0" * 19,
        "id_" + "0" * 21,
        "ID_" + "0" * 20,
        "id_" + "A" * 20,
        "id_" + "g" * 20,
        "id_" + "0" * 20 + "%0A",
        "id_" + "0" * 20 + "%20",
        "%00",
        "é" * 23,
        "x" * 5000,
        "' OR 1=1 --",
    ],
)
def test_malformed_id_is_422_with_location(client: TestClient, bad: str) -> None:
    r = client.get(f"/v1/identities/{bad}")
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["location"] == "path.identity_id" and body["error"] == "InvalidRequest"


def test_kiosk_appears_in_each_identity_shared_list(client: TestClient, repo: Neo4jStore) -> None:
    _ingest(
        repo,
        [
            _event(f"k{n}", ("email", f"shopper{n}@example.fr"), ("device", "kiosk-1"))
            for n in range(8)
        ],
    )
    result = cluster(repo, InProcessAlgorithms())
    assert result.identities == 8 and result.hubs == 1
    for n in (0, 7):
        pid = _identity_of(repo, "email", f"shopper{n}@example.fr")
        body = client.get(f"/v1/identities/{pid}").json()
        assert [(i["type"], i["value"]) for i in body["identifiers"]] == [
            ("email", f"shopper{n}@example.fr")
        ]
        [kiosk] = body["shared_identifiers"]
        assert (kiosk["type"], kiosk["value"]) == ("device", "kiosk-1")
        assert kiosk["identities"] == 8 and kiosk["hub"] is True
        assert kiosk["weight"] is not None and kiosk["weight"] > 0


def test_openapi_documents_the_profile_and_its_answers(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    get = spec["paths"]["/v1/identities/{identity_id}"]["get"]
    assert {"200", "308", "404", "409", "410", "422", "503"} <= set(get["responses"])
    assert "Location" in get["responses"]["308"]["headers"]
    [param] = get["parameters"]
    assert param["in"] == "path" and param["schema"]["pattern"]
