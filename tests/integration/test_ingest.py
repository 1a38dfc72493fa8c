"""Ingest on a real Neo4j: exact counts, a complete rejects file, idempotency, parity."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from graph.repository import GraphRepository
from graph.settings import Settings, get_settings
from idgraph.cli import app

pytestmark = pytest.mark.integration


def _ev(event_id: str, *ids: tuple[str, str], **extra: object) -> dict[str, object]:
    return {
        "event_id": event_id,
        "timestamp": "2026-03-01T10:15:00Z",
        "source": "crm",
        "channel": "email",
        "identifiers": [{"type": t, "value": v} for t, v in ids],
        **extra,
    }


# A file mixing every case: line number -> expected outcome.
MIXED: list[tuple[str, str]] = [
    (json.dumps(_ev("e1", ("email", "Ann@Example.fr"), ("phone", "06 12 34 56 78"))), "accepted"),
    (json.dumps(_ev("e2", ("email", "ann@example.fr"), ("cookie", "ck-1"))), "accepted"),
    (json.dumps(_ev("e1", ("email", "Ann@Example.fr"))), "duplicate"),
    ("{this is not json", "rejected"),
    (json.dumps(_ev("e3", ("phone", "12345"))), "rejected"),
    (json.dumps({**_ev("e4", ("email", "b@example.fr")), "timestamp": "2026-03-01"}), "rejected"),
    (json.dumps(_ev("e5", ("email", "null"))), "rejected"),
    (
        json.dumps(
            _ev("e6", ("email", "c@example.fr"), ("phone", "bad"), ("email", "test@test.com"))
        ),
        "accepted",
    ),
    (json.dumps(_ev("e7", ("device", "DEV-1"), ("ip", "0:0:0:0:0:0:0:1"))), "accepted"),
    (json.dumps(["not", "an", "object"]), "rejected"),
    (json.dumps(_ev("e2", ("email", "ann@example.fr"), ("cookie", "ck-1"))), "duplicate"),
]


@pytest.fixture()
def cli_env(
    settings: Settings, repo: GraphRepository, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.setenv("NEO4J_URI", settings.bolt_uri)
    monkeypatch.setenv("NEO4J_USERNAME", settings.neo4j_username)
    assert settings.neo4j_password is not None
    monkeypatch.setenv("NEO4J_PASSWORD", settings.neo4j_password.get_secret_value())
    monkeypatch.setenv("NEO4J_DATABASE", settings.neo4j_database)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _graph_state(repo: GraphRepository) -> dict[str, object]:
    with repo.session() as s:
        idents = s.run(
            "MATCH (i:Identifier) RETURN i.type AS t, i.value AS v, i.event_count AS c,"
            " i.first_seen AS f, i.last_seen AS l, i.blocked AS b ORDER BY t, v"
        ).data()
        links = s.run(
            "MATCH (a)-[r:LINKED]->(b) RETURN a.value AS a, b.value AS b, r.count AS c,"
            " r.channels AS ch, r.sources AS so ORDER BY a, b"
        ).data()
    return {"identifiers": idents, "links": links, "counts": repo.counts()}


def test_mixed_file_counts_rejects_and_rerun(
    cli_env: None, repo: GraphRepository, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(line for line, _ in MIXED) + "\n")
    rejects = tmp_path / "rejects.jsonl"
    runner = CliRunner()
    r = runner.invoke(app, ["ingest", str(path), "--rejects", str(rejects)])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    expected = {
        s: sum(1 for _, o in MIXED if o == s) for s in ("accepted", "duplicate", "rejected")
    }
    assert summary["lines_read"] == len(MIXED)
    assert summary["accepted"] == expected["accepted"]
    assert summary["duplicates"] == expected["duplicate"]
    assert summary["rejected"] == expected["rejected"]
    assert (
        summary["accepted"] + summary["duplicates"] + summary["rejected"] == summary["lines_read"]
    )
    assert summary["identifiers_rejected"] == 1  # the bad phone of e6
    assert summary["identifiers_blocked"] == 2  # test@test.com and ::1
    assert sum(summary["rejection_reasons"].values()) == summary["rejected"]
    # The rejects file holds every rejected line, verbatim, with its number and reason.
    entries = [json.loads(line) for line in rejects.read_text().splitlines()]
    rejected_lines = [n for n, (_, o) in enumerate(MIXED, start=1) if o == "rejected"]
    assert [e["line"] for e in entries] == rejected_lines
    for e in entries:
        assert e["original"] == MIXED[e["line"] - 1][0]
        assert e["reason"]
    state = _graph_state(repo)
    assert state["counts"]["events"] == expected["accepted"]
    blocked = [i for i in state["identifiers"] if i["b"]]
    assert [i["v"] for i in blocked] == ["::1"]
    assert all("::1" not in (link["a"], link["b"]) for link in state["links"])
    # A second run changes nothing and counts every accepted line as a duplicate.
    r = runner.invoke(app, ["ingest", str(path), "--rejects", str(tmp_path / "r2.jsonl")])
    again = json.loads(r.stdout)
    assert again["accepted"] == 0
    assert again["duplicates"] == expected["accepted"] + expected["duplicate"]
    assert again["rejected"] == expected["rejected"]
    assert _graph_state(repo) == state


def test_api_and_cli_give_the_same_graph(
    cli_env: None, settings: Settings, repo: GraphRepository, tmp_path: Path
) -> None:
    events = [
        json.loads(line)
        for line, outcome in MIXED
        if outcome != "rejected" or line.startswith('{"')
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in events) + "\n")
    r = CliRunner().invoke(app, ["ingest", str(path), "--rejects", str(tmp_path / "rj.jsonl")])
    by_cli = json.loads(r.stdout)
    state_cli = _graph_state(repo)
    repo.reset_data()
    with TestClient(create_app(settings)) as client:
        resp = client.post("/v1/events", json={"events": events})
    assert resp.status_code == 200
    by_api = resp.json()["summary"]
    for key in ("lines_read", "accepted", "duplicates", "rejected", "identifiers_blocked"):
        assert by_api[key] == by_cli[key], key
    assert _graph_state(repo) == state_cli


def test_new_event_is_resolvable_within_a_second(settings: Settings, repo: GraphRepository) -> None:
    with TestClient(create_app(settings)) as client:
        r = client.post(
            "/v1/events",
            json={
                "events": [_ev("n1", ("email", "new.person@example.fr"), ("phone", "0699887766"))]
            },
        )
        assert r.status_code == 200
        returned = time.monotonic()
        res = client.post(
            "/v1/resolve", json={"identifiers": [{"type": "phone", "value": "+33 6 99 88 77 66"}]}
        ).json()
        elapsed = time.monotonic() - returned
    assert res["status"] == "matched"
    assert {i["value"] for i in res["identifiers"]} == {"new.person@example.fr", "+33699887766"}
    assert elapsed < 1.0


def test_csv_file_ingest(cli_env: None, repo: GraphRepository, tmp_path: Path) -> None:
    path = tmp_path / "shop.csv"
    path.write_text(
        "event_id,timestamp,source,channel,type,email,phone\n"
        "s1,2026-03-01T10:15:00Z,pos,store,purchase,Ann@Example.fr,06 12 34 56 78\n"
        "s2,2026-03-01T10:15:00Z,pos,store,purchase,,\n"
        "s1,2026-03-01T10:15:00Z,pos,store,purchase,Ann@Example.fr,06 12 34 56 78\n"
    )
    r = CliRunner().invoke(app, ["ingest", str(path)])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert (summary["accepted"], summary["duplicates"], summary["rejected"]) == (1, 1, 1)
    rejects = [
        json.loads(x) for x in (tmp_path / "shop.csv.rejects.jsonl").read_text().splitlines()
    ]
    assert rejects[0]["line"] == 3 and rejects[0]["original"].startswith("s2,")
