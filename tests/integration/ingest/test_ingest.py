"""Ingest on a real Neo4j: exact counts, a complete rejects file, idempotency, parity."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from graph.ingest.pipeline import Ingestor
from graph.ingest.readers import read_jsonl
from graph.lab.simulate import simulate
from graph.model.identifiers import Normaliser
from graph.settings import Settings, get_settings
from graph.store import admin
from graph.store.repository import Neo4jStore
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
    settings: Settings, repo: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.setenv("NEO4J_URI", settings.bolt_uri)
    monkeypatch.setenv("NEO4J_USERNAME", settings.neo4j_username)
    assert settings.neo4j_password is not None
    monkeypatch.setenv("NEO4J_PASSWORD", settings.neo4j_password.get_secret_value())
    monkeypatch.setenv("NEO4J_DATABASE", settings.neo4j_database)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _graph_state(repo: Neo4jStore) -> dict[str, object]:
    with repo.driver.session(database=repo.database) as s:
        idents = s.run(
            "MATCH (i:Identifier) RETURN i.type AS t, i.value AS v, i.event_count AS c,"
            " i.first_seen AS f, i.last_seen AS l, i.blocked AS b ORDER BY t, v"
        ).data()
        links = s.run(
            "MATCH (a)-[r:LINKED]->(b) RETURN a.value AS a, b.value AS b, r.count AS c,"
            " r.channels AS ch, r.sources AS so ORDER BY a, b"
        ).data()
    return {"identifiers": idents, "links": links, "counts": admin.counts(repo)}


def test_mixed_file_counts_rejects_and_rerun(
    cli_env: None, repo: Neo4jStore, tmp_path: Path
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
    cli_env: None, settings: Settings, repo: Neo4jStore, tmp_path: Path
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
    admin.reset_data(repo)
    with TestClient(create_app(settings)) as client:
        resp = client.post("/v1/events", json={"events": events})
    assert resp.status_code == 200
    by_api = resp.json()["summary"]
    for key in ("lines_read", "accepted", "duplicates", "rejected", "identifiers_blocked"):
        assert by_api[key] == by_cli[key], key
    assert _graph_state(repo) == state_cli


def test_new_event_is_resolvable_as_soon_as_post_returns(
    settings: Settings, repo: Neo4jStore
) -> None:
    # The delay itself is a benchmark figure (bench/ingest_bench.py), not a timed test:
    # here, the very next request must find the new identity, with no clustering run.
    with TestClient(create_app(settings)) as client:
        r = client.post(
            "/v1/events",
            json={
                "events": [_ev("n1", ("email", "new.person@example.fr"), ("phone", "0699887766"))]
            },
        )
        assert r.status_code == 200
        res = client.post(
            "/v1/resolve", json={"identifiers": [{"type": "phone", "value": "+33 6 99 88 77 66"}]}
        ).json()
    assert res["status"] == "matched"
    assert {i["value"] for i in res["identifiers"]} == {"new.person@example.fr", "+33699887766"}


def test_csv_file_ingest(cli_env: None, repo: Neo4jStore, tmp_path: Path) -> None:
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


def _ingest_lines(repo: Neo4jStore, lines: list[str], **kwargs: Any) -> dict[str, Any]:
    summary, _ = Ingestor(repo, Normaliser(), **kwargs).ingest(
        read_jsonl(io.StringIO("\n".join(lines) + "\n"))
    )
    return summary.as_dict()


def _timed(n: int, *ids: tuple[str, str], minute: int = 0) -> str:
    return json.dumps({**_ev(f"o{n}", *ids), "timestamp": f"2026-03-01T10:{minute:02d}:00+01:00"})


def test_batch_overlapping_the_graph_writes_only_its_new_events(repo: Neo4jStore) -> None:
    # One batch holds events already in the graph and new ones: the optimistic write
    # fails on the event key, and the batch is written again with the new ones only.
    ann, phone, cookie = ("email", "ann@example.fr"), ("phone", "0612345678"), ("cookie", "c1")
    first = [_timed(1, ann, phone, minute=1), _timed(2, ann, cookie, minute=2)]
    second = [
        _timed(2, ann, cookie, minute=2),
        _timed(3, ann, phone, minute=3),
        _timed(1, ann, phone, minute=1),
        _timed(4, phone, cookie, minute=4),
    ]
    _ingest_lines(repo, first)
    summary = _ingest_lines(repo, second, batch_size=100)
    assert (summary["accepted"], summary["duplicates"], summary["rejected"]) == (2, 2, 0)
    overlapped = _graph_state(repo)
    admin.reset_data(repo)
    once = _ingest_lines(repo, first + second[1:2] + second[3:])
    assert once["accepted"] == 4
    assert _graph_state(repo) == overlapped
    # Counts and times come from each event once: ann saw o1, o2, o3.
    ann_row = next(i for i in overlapped["identifiers"] if i["v"] == "ann@example.fr")
    assert ann_row["c"] == 3
    assert ann_row["f"].minute == 1 and ann_row["l"].minute == 3
    link = next(x for x in overlapped["links"] if {x["a"], x["b"]} == {"c1", "+33612345678"})
    assert link["c"] == 1


def _observed_state(repo: Neo4jStore) -> dict[str, object]:
    """The graph as the events made it, without what depends on batch boundaries (the
    order channels were first seen in, identities attached incrementally)."""
    state = _graph_state(repo)
    counts = dict(state["counts"])  # type: ignore[call-overload]
    counts.pop("identities", None)
    links = [
        {**link, "ch": sorted(link["ch"]), "so": sorted(link["so"])}
        for link in state["links"]  # type: ignore[attr-defined]
    ]
    return {"identifiers": state["identifiers"], "links": links, "counts": counts}


def test_concurrent_writers_build_the_same_graph(repo: Neo4jStore) -> None:
    # Small batches written two at a time share identifiers (hubs, households): lock
    # waits and deadlock retries must not change a count.
    world = simulate(people=40, seed=7)
    lines = [json.dumps(e) for e in world.events]
    one = _ingest_lines(repo, lines, batch_size=len(lines))
    alone = _observed_state(repo)
    admin.reset_data(repo)
    two = _ingest_lines(repo, lines, batch_size=25, writers=2)
    assert {k: two[k] for k in ("accepted", "duplicates", "rejected")} == {
        k: one[k] for k in ("accepted", "duplicates", "rejected")
    }
    assert _observed_state(repo) == alone
    again = _ingest_lines(repo, lines, batch_size=25, writers=2)
    assert again["accepted"] == 0 and again["duplicates"] == one["accepted"] + one["duplicates"]
    assert _observed_state(repo) == alone


def test_batch_parameters_never_show_identifiers() -> None:
    # The driver formats query parameters for its debug log: rows print as a count.
    from graph.ingest.rows import batch_rows
    from graph.model.events import prepare_event

    event = prepare_event(_ev("p1", ("email", "secret.person@example.fr")), Normaliser())
    params = batch_rows([event]).params
    assert "secret" not in repr(params)
    assert params["identifiers"][0][:2] == ["email", "secret.person@example.fr"]


def test_observed_role_is_stored_for_referrers_only(repo: Neo4jStore) -> None:
    # A subject's OBSERVED carries no property (cheaper to write); readers take a
    # missing role as 'subject', so a referrer's events never count as its own.
    ann, bob = ("email", "ann@example.fr"), {"type": "email", "value": "bob@example.fr"}
    lines = [json.dumps(_ev("r1", ann, ("cookie", "c1"), referred_by=[bob]))]
    assert _ingest_lines(repo, lines)["accepted"] == 1
    with repo.driver.session(database=repo.database) as s:
        roles = {
            r["v"]: r["role"]
            for r in s.run(
                "MATCH (:Event {event_id: 'r1'})-[o:OBSERVED]->(i) RETURN i.value AS v,"
                " o.role AS role"
            )
        }
        ids = {
            r["v"]: r["id"]
            for r in s.run("MATCH (i:Identifier) RETURN i.value AS v, i.identity_id AS id")
        }
    assert roles == {"ann@example.fr": None, "c1": None, "bob@example.fr": "referrer"}
    # The fraud reads (which select subjects) see r1 for ann's identity, not for bob's.
    assert ids["ann@example.fr"] and ids["bob@example.fr"]
    assert ids["ann@example.fr"] != ids["bob@example.fr"]
    events = repo.read("fraud/identity_events", ids=[ids["ann@example.fr"], ids["bob@example.fr"]])
    assert [(e["identity_id"], len(e["cookies"])) for e in events] == [(ids["ann@example.fr"], 1)]
