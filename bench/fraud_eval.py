"""Fraud benchmark on real data: the P2P payments data set, cross-validated on its labels.

Ingests ``../shared/data/p2p/events.jsonl.gz`` into a throw-away local Neo4j (or the
empty server of ``NEO4J_URI``), clusters it, and runs what ``idgraph evaluate --labels``
runs (:func:`graph.fraud.evaluation.evaluate_labels`) with the dev half of the labels
(``labels-dev.json``): per fold and pooled, the average precision of the risk ranking,
recall among the riskiest 1%, 5% and 10% of accounts, recall inside flagged rings and
the flagged population, beside "number of cards alone" and naive components over
shared cards and devices. It also prints the graph's figures the identity rules
answer for: accounts without an identity, anchors (accounts) that are hubs.

Usage (from the repository root)::

    .venv/bin/python bench/fraud_eval.py [--data ../shared/data/p2p] [--folds 5] [--json]
        [--write-default graph/fraud/risk_model.json]

``--write-default PATH`` also fits the risk model on every dev label and writes it there,
with the pooled cross-validated figures in its ``metrics``: that is how the default
model shipped in ``graph/fraud/risk_model.json`` was made.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._server import log, require_empty, start_server  # noqa: E402
from graph.fraud.evaluation import evaluate_labels, format_evaluation, load_labels  # noqa: E402
from graph.fraud.model import fit  # noqa: E402
from graph.fraud.risk_facts import read_risk_facts  # noqa: E402
from graph.fraud.signals import identity_signals, zero_signals  # noqa: E402
from graph.identity.clustering import cluster  # noqa: E402
from graph.ingest.pipeline import Ingestor  # noqa: E402
from graph.ingest.readers import read_path  # noqa: E402
from graph.store import admin  # noqa: E402
from graph.store.algorithms import choose_algorithms  # noqa: E402
from graph.store.repository import Neo4jStore, connect  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

# Benchmark only: the identity rules' figures on this data.
_ACCOUNTS = (
    "MATCH (a:Identifier {type: 'account'}) "
    "RETURN count(a) AS accounts, count(CASE WHEN a.identity_id IS NULL THEN 1 END) AS "
    "without_identity, count(CASE WHEN coalesce(a.hub, false) THEN 1 END) AS hubs"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "p2p")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--write-default", type=Path, default=None)
    args = parser.parse_args()
    events = args.data / "events.jsonl.gz"
    labels_path = args.data / "labels-dev.json"
    if not events.exists() or not labels_path.exists():
        log(f"no P2P data in {args.data}: skipped")
        return
    labels = load_labels(labels_path)
    home = Path(tempfile.mkdtemp(prefix="idgraph-fraud-bench-"))
    settings, local = start_server(home / "neo4j", heap="2g", pagecache="1g")
    try:
        driver = connect(settings)
        repo = Neo4jStore(driver, settings.neo4j_database)
        require_empty(repo)
        admin.reset_data(repo)
        admin.migrate(repo)
        plain = home / "p2p.jsonl"
        with gzip.open(events, "rt", encoding="utf-8") as src, plain.open("w") as dst:
            shutil.copyfileobj(src, dst)
        normaliser = settings.normaliser()
        t = time.perf_counter()
        summary, _ = Ingestor(repo, normaliser, settings.batch_size, writers=2).ingest(
            read_path(plain)
        )
        ingest_s = time.perf_counter() - t
        log(f"ingested {summary.accepted:,} events in {ingest_s:.0f} s")
        algorithms = choose_algorithms(repo)
        t = time.perf_counter()
        clustered = cluster(repo, algorithms, full=True)
        cluster_s = time.perf_counter() - t
        log(f"clustered in {cluster_s:.0f} s: {clustered.identities:,} identities")
        with driver.session(database=settings.neo4j_database) as session:
            graph_figures = dict(session.run(_ACCOUNTS).single() or {})
        if args.write_default is not None:
            # First without figures: the run restoring the stored scores needs a default.
            _write_default(repo, labels, normaliser, None, args.write_default)
        result = evaluate_labels(
            repo, labels, normaliser, algorithms, folds=args.folds, seed=args.seed, progress=log
        )
        figures = {
            "ingest_s": round(ingest_s, 1),
            "cluster_s": round(cluster_s, 1),
            "identities": clustered.identities,
            "hubs": clustered.hubs,
            **{f"accounts_{k}" if k != "accounts" else k: v for k, v in graph_figures.items()},
            "evaluation": result.as_dict(),
        }
        if args.json:
            print(json.dumps(figures, indent=2))
        else:
            print(
                f"P2P: {graph_figures['accounts']:,} accounts, "
                f"{graph_figures['without_identity']:,} without an identity, "
                f"{graph_figures['hubs']:,} accounts marked hubs; "
                f"{clustered.identities:,} identities, {clustered.hubs:,} hubs; "
                f"ingest {ingest_s:.0f} s, clustering {cluster_s:.0f} s"
            )
            print(format_evaluation(result))
        if args.write_default is not None:
            _write_default(repo, labels, normaliser, result.pooled, args.write_default)
        driver.close()
    finally:
        if local is not None:
            local.stop()
        shutil.rmtree(home, ignore_errors=True)


def _write_default(repo, labels, normaliser, pooled, path: Path) -> None:  # type: ignore[no-untyped-def]
    """Fit on every dev label (their identities confirmed) and write the model."""
    fraud = set()
    for value in labels.fraud_accounts:
        fraud.add(normaliser.normalise("account", value).value)
    accounts = {str(r["value"]): r for r in repo.read("fraud/evaluation_accounts")}
    confirmed = frozenset(
        str(accounts[v]["identity_id"])
        for v in fraud
        if v in accounts and accounts[v]["identity_id"] is not None
    )
    facts = read_risk_facts(repo, normaliser)
    values = identity_signals(facts.holdings, facts.transfers, confirmed)
    zero = zero_signals()
    model = fit(
        [values.get(i, zero) for i in facts.population],
        [i in confirmed for i in facts.population],
        model_id="default-p2p-dev",
        fitted_on="P2P payments data, dev half of the labels (../shared/data/p2p)",
    )
    model = replace(
        model,
        data_version=facts.data_version,
        metrics={}
        if pooled is None
        else {
            "cv_average_precision": pooled.average_precision,
            "cv_recall_top_1pct": pooled.recall_top["1%"],
            "cv_recall_top_5pct": pooled.recall_top["5%"],
            "cv_recall_top_10pct": pooled.recall_top["10%"],
        },
    )
    path.write_text(model.as_json() + "\n", encoding="utf-8")
    log(f"wrote the default risk model to {path}")


if __name__ == "__main__":
    main()
