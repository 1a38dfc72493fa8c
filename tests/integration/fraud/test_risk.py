"""Per-identity risk on a real Neo4j: every identity is scored with reasons, the model
is fitted on the graph's own chargebacks and stored with its data version, and
``evaluate_labels`` cross-validates without leaving its labels behind."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from graph.fraud.detect import FITTED_HERE, detect
from graph.fraud.evaluation import SOURCE, Labels, evaluate_labels
from graph.fraud.risk import FLAG_CONFIRMED, FLAG_HIGH_RISK, FraudParams, RiskParams
from graph.identity.clustering import cluster
from graph.ingest.pipeline import Ingestor
from graph.ingest.readers import RawRecord
from graph.model.identifiers import Normaliser
from graph.store import admin
from graph.store.algorithms import InProcessAlgorithms
from graph.store.repository import Neo4jStore

pytestmark = pytest.mark.integration

HONEST = 80
FRAUD = 16


def _events() -> list[dict[str, Any]]:
    """A P2P-like world: honest accounts hold a card or two and send little; fraudsters
    add many cards in bursts and send a lot, some to each other."""
    rng = random.Random(5)
    events: list[dict[str, Any]] = []

    def add(kind: str, day: int, ids: list[dict[str, str]], **attributes: Any) -> None:
        events.append(
            {
                "event_id": f"e{len(events)}",
                "timestamp": f"2018-{1 + day // 28:02d}-{1 + day % 28:02d}T12:00:00Z",
                "source": "p2p-test",
                "channel": "app",
                "type": kind,
                "identifiers": ids,
                **({"attributes": attributes} if attributes else {}),
            }
        )

    for k in range(HONEST + FRAUD):
        fraud = k >= HONEST
        account = {"type": "account", "value": f"acct-{k:03d}"}
        add("login", rng.randint(0, 200), [account, {"type": "device", "value": f"dev-{k}"}])
        for c in range(rng.randint(6, 12) if fraud else rng.randint(1, 2)):
            day = rng.randint(100, 110) if fraud else rng.randint(0, 300)
            add("card_added", day, [account, {"type": "card", "value": f"card-{k}-{c}"}])
        for _ in range(rng.randint(5, 10) if fraud else rng.randint(0, 2)):
            to = rng.randrange(HONEST + FRAUD)
            amount = rng.uniform(500, 3000) if fraud else rng.uniform(5, 50)
            add(
                "transfer",
                rng.randint(100, 120),
                [account],
                amount=amount,
                to_account=f"acct-{to:03d}",
            )
    return events


def _chargebacks(accounts: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "event_id": f"cb-{n}",
            "timestamp": "2018-01-01T12:00:00Z",
            "source": "p2p-chargebacks",
            "type": "chargeback",
            "identifiers": [{"type": "account", "value": a}],
        }
        for n, a in enumerate(accounts)
    ]


def _ingest(repo: Neo4jStore, events: list[dict[str, Any]]) -> None:
    records = [RawRecord(n + 1, "", e) for n, e in enumerate(events)]
    summary, _ = Ingestor(repo, Normaliser()).ingest(records)
    assert summary.accepted == len(events)


def _identities(repo: Neo4jStore) -> dict[str, dict[str, Any]]:
    with repo.driver.session(database=repo.database) as s:
        rows = s.run(
            "MATCH (a:Identifier {type: 'account'}) "
            "MATCH (p:Identity {identity_id: a.identity_id}) "
            "RETURN a.value AS account, p.identity_id AS identity_id, p.risk AS risk, "
            "p.risk_flags AS flags, p.risk_reasons AS reasons, p.risk_signals AS signals, "
            "p.risk_model AS model"
        )
        return {str(r["account"]): dict(r) for r in rows}


def _count(repo: Neo4jStore, text: str) -> int:
    with repo.driver.session(database=repo.database) as s:
        record = s.run(text).single()
        assert record is not None
        return int(record[0])


def test_every_identity_is_scored_and_the_model_fits_on_chargebacks(repo: Neo4jStore) -> None:
    admin.reset_data(repo)
    admin.migrate(repo)
    _ingest(repo, _events())
    cluster(repo, InProcessAlgorithms())

    # No label yet: the default model scores every identity.
    first = detect(repo, algorithms=InProcessAlgorithms())
    assert not first.model_fitted
    scored = _identities(repo)
    assert len(scored) == HONEST + FRAUD
    assert all(r["risk"] is not None and r["model"] == first.risk_model for r in scored.values())

    # Chargebacks for 12 fraudsters: the model is fitted on them, the other 4 rank high.
    labelled = [f"acct-{k:03d}" for k in range(HONEST, HONEST + 12)]
    _ingest(repo, _chargebacks(labelled))
    params = FraudParams(risk=RiskParams(min_labels=10, high_risk_share=0.1))
    result = detect(repo, params, InProcessAlgorithms())
    assert result.model_fitted and result.confirmed == 12
    scored = _identities(repo)
    for account in labelled:
        assert FLAG_CONFIRMED in scored[account]["flags"]
        assert scored[account]["reasons"][0] == "confirmed fraud (chargeback)"
    ranked = sorted(scored, key=lambda a: -float(scored[a]["risk"]))
    unlabelled = {f"acct-{k:03d}" for k in range(HONEST + 12, HONEST + FRAUD)}
    top = set(ranked[: len(labelled) + len(unlabelled) + 2])
    assert len(unlabelled & top) >= 3
    fraudster = scored[sorted(unlabelled)[0]]
    signals = json.loads(fraudster["signals"])
    assert signals and sum(s["share"] for s in signals) == pytest.approx(1.0, abs=0.01)
    assert any("% of the risk" in r for r in fraudster["reasons"])
    assert any(FLAG_HIGH_RISK in r["flags"] for r in scored.values())
    with repo.driver.session(database=repo.database) as s:
        model = s.run("MATCH (m:RiskModel {model_id: $id}) RETURN m", id=result.risk_model).single()
    assert model is not None
    node = model["m"]
    assert node["fitted_on"] == FITTED_HERE and node["labels"] == 12
    assert node["data_version"] and set(json.loads(node["weights"])) >= {"cards", "sent_amount"}


def test_evaluate_labels_cross_validates_and_leaves_the_graph_as_it_was(
    repo: Neo4jStore,
) -> None:
    admin.reset_data(repo)
    admin.migrate(repo)
    _ingest(repo, _events())
    cluster(repo, InProcessAlgorithms())
    detect(repo, algorithms=InProcessAlgorithms())
    before = _identities(repo)
    events = _count(repo, "MATCH (e:Event) RETURN count(e)")
    counts = _count(repo, "MATCH (i:Identifier) RETURN sum(i.event_count)")

    fraud = frozenset(f"acct-{k:03d}" for k in range(HONEST, HONEST + FRAUD))
    labels = Labels(fraud_accounts=fraud | {"acct-unknown"}, accounts=None)
    params = FraudParams(risk=RiskParams(min_labels=5))
    result = evaluate_labels(
        repo, labels, Normaliser(), InProcessAlgorithms(), folds=4, seed=1, params=params
    )
    assert len(result.folds) == 4
    assert all(f.labels_fed == 12 for f in result.folds)
    assert result.pooled.accounts == HONEST + FRAUD and result.pooled.fraudsters == FRAUD
    assert result.pooled.average_precision > 0.5
    assert result.pooled.recall_top["10%"] >= 0.5
    assert result.cards_alone.average_precision > 0.3  # the world makes cards telling
    assert 0.0 <= result.naive_components["recall"] <= 1.0
    assert len(set(result.models)) == 4  # one fit per fold, each on its own labels
    assert _count(repo, "MATCH (e:Event) RETURN count(e)") == events
    assert _count(repo, "MATCH (i:Identifier) RETURN sum(i.event_count)") == counts
    assert _count(repo, f"MATCH (e:Event {{source: '{SOURCE}'}}) RETURN count(e)") == 0
    after = _identities(repo)
    assert {a: r["risk"] for a, r in after.items()} == {a: r["risk"] for a, r in before.items()}
