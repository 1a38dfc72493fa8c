"""Identity quality benchmark: B-cubed, over-merging and confidence calibration.

For several simulated worlds, each with its own seed and its own mix of what makes
identity resolution hard, the database is wiped, the world ingested and clustered
(GDS back end when the server has it), and the identities scored against the
world's ground truth next to naive connected components over the same links. Per
world it prints B-cubed precision, recall and F1, the number of over-merged
identities and their share of the identities, the identities mixing two people's
identifiers at all, those fusing fraud-ring members, and the share of truly shared
identifiers kept out of every identity (see :mod:`graph.lab.evaluate`), the calibration
table of membership
confidences (per bin: identifiers, mean confidence, share right) and the expected
calibration error, ECE = sum over bins of count / N * abs(mean confidence - accuracy).
After clustering it runs fraud detection (:func:`graph.fraud.detect.detect`) and prints,
per world, the recall and precision of ``ring_member`` flags against the planted
synthetic identities and of ``bot_suspected`` flags against the planted bots.

The worlds (:data:`WORLDS`): the realistic default; more households; more kiosks
and staff addresses; more fraud rings and bots; a clean world (one owner per
identifier). World ``k`` of seed ``s`` is generated with seed ``10 * s + k``.
:data:`HELD_OUT` worlds (``--worlds held_out`` for all of them) vary what detection
was not tuned on: small and large rings, heavy noise, crowded households, many bots,
rings of two, honest customers failing payments and leaving bad reviews often.
:data:`REAL_LIKE` worlds (run by default, numbered after HELD_OUT so that the other
worlds keep their seeds) add what the P2P payments data does that the base world did
not (:mod:`graph.lab.phenomena`): long-standing customers, work and personal e-mails,
accounts with many cards and devices, card replacements, recycled phone numbers,
resold devices, couples sharing one e-mail.

Per world it also makes calls (:class:`graph.identity.resolve.IdentityResolver`, as
``POST /v1/resolve`` does): every phone owned by one customer is resolved, and the
share answering ``matched`` with the identity holding most of that customer's
identifiers is printed beside the calls answering ``shared``, another identity, or
nothing; every handed-over phone or device (recycled, resold) is resolved at the
middle of each holder's tenure (``at``), expecting that holder.

Usage (from the repository root)::

    .venv/bin/python bench/identity_eval.py [--people 1000] [--seeds 1] [--json]

Without ``NEO4J_URI`` it starts a throw-away local Neo4j on free ports and stops it at
the end; with ``NEO4J_URI`` it needs an empty database (or ``IDGRAPH_BENCH_MAY_WIPE=1``)
since it wipes the data before every world. ``--dump DIR`` also writes each world's
identifiers, raw links and truth there, to tune clustering parameters offline.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._server import log, require_empty, start_server  # noqa: E402
from graph.fraud.detect import detect, flagged_identities  # noqa: E402
from graph.identity import cluster_store
from graph.identity.clustering import cluster  # noqa: E402
from graph.identity.resolve import IdentityResolver, ResolveContext  # noqa: E402
from graph.ingest.pipeline import Ingestor  # noqa: E402
from graph.ingest.readers import read_path  # noqa: E402
from graph.lab.evaluate import evaluate, predictions  # noqa: E402
from graph.lab.metrics import (  # noqa: E402
    CalibrationBin,
    Call,
    calibration,
    call_outcomes,
    handover_calls,
    own_phone_calls,
    person_identities,
)
from graph.lab.simulate import WorldConfig, simulate, write_world  # noqa: E402
from graph.lab.truth import load_truth  # noqa: E402
from graph.localdb.server import LocalNeo4j  # noqa: E402
from graph.settings import Settings  # noqa: E402
from graph.store import admin
from graph.store.algorithms import choose_algorithms
from graph.store.repository import Neo4jStore, connect  # noqa: E402

#: name -> how the world differs from the realistic default.
WORLDS: dict[str, WorldConfig] = {
    "default": WorldConfig(),
    "households": WorldConfig(household_share=0.5),
    "kiosks_staff": WorldConfig(kiosks=8, staff_use=0.15),
    "rings_bots": WorldConfig(ring_share=0.08, bot_share=0.03),
    "clean": WorldConfig.clean(),
}

#: Worlds fraud detection was not tuned on (seeded like WORLDS, numbered after them).
HELD_OUT: dict[str, WorldConfig] = {
    "small_rings": WorldConfig(ring_size=(3, 8), ring_share=0.05),
    "large_rings": WorldConfig(ring_size=(15, 40), ring_share=0.1, bot_share=0.02),
    "noisy": WorldConfig(
        junk_rate=0.1, invalid_rate=0.05, junk_events=0.05, staff_use=0.2, kiosks=6
    ),
    "crowded_households": WorldConfig(
        household_share=0.6, household_size=(3, 6), ring_share=0.05, bot_share=0.02
    ),
    "many_bots": WorldConfig(bot_share=0.06, ring_share=0.04, ring_referral=0.2),
    "pair_rings": WorldConfig(ring_size=(2, 4), ring_share=0.06, ring_referral=0.0),
    # Honest customers who often fail payments and review (low ratings included).
    "honest_failures": WorldConfig(failed_payments=0.25, reviews=0.3),
}
#: Worlds with what real data does (graph.lab.phenomena), on top of the realistic default.
REAL_LIKE: dict[str, WorldConfig] = {
    "real_like": WorldConfig(
        long_standing_share=0.3,
        second_email_share=0.1,
        account_share=0.3,
        card_replacement_share=0.1,
        recycled_phone_share=0.02,
        resold_device_share=0.02,
        couple_share=0.06,
    ),
}
ALL_WORLDS = {**WORLDS, **HELD_OUT, **REAL_LIKE}

# Benchmark only (for --dump), not product code: the raw link data weights derive from.
_DUMP_LINKS = (
    "MATCH (a:Identifier)-[r:LINKED]->(b:Identifier) "
    "RETURN elementId(a) AS a, elementId(b) AS b, r.count AS count, "
    "r.last_seen.epochSeconds AS last_seen, coalesce(r.weight, 0.0) AS weight"
)
_DUMP_NODES = (
    "MATCH (i:Identifier) RETURN elementId(i) AS id, i.type AS type, "
    "i.type + ':' + i.value AS key, coalesce(i.hub, false) AS hub, "
    "coalesce(i.blocked, false) AS blocked"
)


def ece(bins: list[CalibrationBin]) -> float:
    """Expected calibration error: bins weighted by their share of identifiers."""
    total = sum(b.count for b in bins)
    if total == 0:
        return 0.0
    return sum(b.count / total * abs(b.mean_confidence - b.accuracy) for b in bins)


def resolve_calls(
    repo: Neo4jStore, settings: Settings, calls: list[Call]
) -> list[tuple[str, str | None]]:
    """Resolve each call's identifier (at its time, if any), as the API would."""
    resolver = IdentityResolver(repo, settings.normaliser())
    answers: list[tuple[str, str | None]] = []
    for call in calls:
        kind, _, value = call.key.partition(":")
        at = datetime.fromisoformat(call.at) if call.at is not None else None
        result = resolver.resolve([(kind, value)], ResolveContext(channel="call", at=at))
        answers.append((result.status, result.identity_id))
    return answers


def run_world(
    repo: Neo4jStore,
    settings: Settings,
    name: str,
    config: WorldConfig,
    people: int,
    seed: int,
    tmp: Path,
    dump: Path | None,
) -> dict[str, Any]:
    admin.reset_data(repo)
    admin.migrate(repo)
    events, truth_path = write_world(simulate(people=people, seed=seed, config=config), tmp)
    started = time.perf_counter()
    Ingestor(repo, settings.normaliser(), settings.batch_size).ingest(read_path(events))
    ingested = time.perf_counter()
    result = cluster(repo, choose_algorithms(repo))
    clustered = time.perf_counter()
    found = detect(repo)
    detected = time.perf_counter()
    rows = list(cluster_store.export_identities(repo))
    links = list(cluster_store.links_by_key(repo))
    flags = flagged_identities(repo)
    predicted, confidence = predictions(rows)
    truth = load_truth(truth_path)
    report = evaluate(truth, predicted, links, flags)
    bins = calibration(truth.owners, predicted, confidence)
    identities = person_identities(truth, predicted)
    calls = {}
    for what, made in (("own_phone", own_phone_calls(truth)), ("handover", handover_calls(truth))):
        started = time.perf_counter()
        outcome = call_outcomes(made, resolve_calls(repo, settings, made), identities)
        calls[what] = {**asdict(outcome), "share": round(outcome.share, 4)}
        calls[what]["seconds"] = round(time.perf_counter() - started, 1)
    if dump is not None:
        out = dump / f"{name}-{seed}"
        out.mkdir(parents=True, exist_ok=True)
        nodes, _, _ = repo.driver.execute_query(_DUMP_NODES, database_=repo.database)
        raw, _, _ = repo.driver.execute_query(_DUMP_LINKS, database_=repo.database)
        (out / "graph.json").write_text(
            json.dumps(
                {
                    "nodes": [dict(r) for r in nodes],
                    "links": [dict(r) for r in raw],
                    "predicted": predicted,
                    "confidence": confidence,
                }
            )
        )
        shutil.copy(truth_path, out / "truth.json")
    return {
        "world": name,
        "seed": seed,
        "people": people,
        "backend": result.backend,
        "ingest_s": round(ingested - started, 1),
        "cluster_s": round(clustered - ingested, 1),
        "detect_s": round(detected - clustered, 1),
        "detection": found.as_dict(),
        **report.as_dict(),
        "calibration": [
            {
                "low": b.low,
                "high": b.high,
                "count": b.count,
                "mean_confidence": round(b.mean_confidence, 4),
                "accuracy": round(b.accuracy, 4),
            }
            for b in bins
        ],
        "ece": round(ece(bins), 4),
        "calls": calls,
    }


def print_text(results: list[dict[str, Any]]) -> None:
    header = (
        "world",
        "seed",
        "method",
        "precision",
        "recall",
        "f1",
        "over-merged",
        "share",
        "mixed",
        "mixed share",
        "rings fused",
        "shared kept",
        "ece",
    )
    table: list[tuple[str, ...]] = []
    for r in results:
        for method in ("idgraph", "connected_components"):
            m = r[method]
            table.append(
                (
                    r["world"] if method == "idgraph" else "",
                    str(r["seed"]) if method == "idgraph" else "",
                    method,
                    f"{m['precision']:.4f}",
                    f"{m['recall']:.4f}",
                    f"{m['f1']:.4f}",
                    str(m["over_merged"]),
                    f"{m['over_merged_share']:.4f}",
                    str(m["mixed"]),
                    f"{m['mixed_share']:.4f}",
                    str(m["rings_fused"]),
                    f"{m['shared_kept']:.3f}",
                    f"{r['ece']:.4f}" if method == "idgraph" else "",
                )
            )
    widths = [max(len(row[i]) for row in (header, *table)) for i in range(len(header))]
    for row in (header, *table):
        print(
            "  ".join(
                cell.ljust(widths[i]) if i < 3 else cell.rjust(widths[i])
                for i, cell in enumerate(row)
            )
        )
    print_detection(results)
    print_calls(results)
    for r in results:
        print(
            f"\ncalibration, {r['world']} (seed {r['seed']}, {r['identifiers']} scored "
            f"identifiers, ECE {r['ece']:.4f})"
        )
        print(f"{'confidence':<12}{'count':>8}{'mean':>8}{'right':>8}")
        for b in r["calibration"]:
            print(
                f"{b['low']:.1f}-{b['high']:.1f}    {b['count']:>8}"
                f"{b['mean_confidence']:>8.3f}{b['accuracy']:>8.3f}"
            )


def print_detection(results: list[dict[str, Any]]) -> None:
    """Per world: ring and bot recall and precision of the risk flags."""
    print("\nfraud detection (flags against planted synthetic identities and bots)")
    header = (
        "world",
        "seed",
        "rings",
        "ring recall",
        "ring precision",
        "bots",
        "bot recall",
        "bot precision",
        "detect s",
    )
    table: list[tuple[str, ...]] = []
    for r in results:
        rings, bots = r.get("rings"), r.get("bots")
        if rings is None or bots is None:
            continue
        table.append(
            (
                r["world"],
                str(r["seed"]),
                f"{rings['found']}/{rings['planted']} ({rings['true_flagged']}/{rings['flagged']})",
                f"{rings['recall']:.3f}",
                f"{rings['precision']:.3f}",
                f"{bots['found']}/{bots['planted']} ({bots['true_flagged']}/{bots['flagged']})",
                f"{bots['recall']:.3f}",
                f"{bots['precision']:.3f}",
                f"{r['detect_s']:.1f}",
            )
        )
    widths = [max(len(row[i]) for row in (header, *table)) for i in range(len(header))]
    for row in (header, *table):
        print(
            "  ".join(
                cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i])
                for i, cell in enumerate(row)
            )
        )


def print_calls(results: list[dict[str, Any]]) -> None:
    """Per world: do own phones, and handed-over identifiers at a time, resolve right?"""
    print("\ncalls (resolve a customer's own phone now; a handed-over one at a tenure's middle)")
    header = ("world", "seed", "calls", "calls", "right", "share", "shared", "wrong", "other")
    table: list[tuple[str, ...]] = []
    for r in results:
        for what, label in (("own_phone", "own phone"), ("handover", "handed over at T")):
            c = r["calls"][what]
            table.append(
                (
                    r["world"] if what == "own_phone" else "",
                    str(r["seed"]) if what == "own_phone" else "",
                    label,
                    str(c["calls"]),
                    str(c["right"]),
                    f"{c['share']:.4f}",
                    str(c["shared"]),
                    str(c["wrong"]),
                    str(c["other"]),
                )
            )
    widths = [max(len(row[i]) for row in (header, *table)) for i in range(len(header))]
    for row in (header, *table):
        print(
            "  ".join(
                cell.ljust(widths[i]) if i < 3 else cell.rjust(widths[i])
                for i, cell in enumerate(row)
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=1000, help="people per world")
    parser.add_argument(
        "--seeds",
        default="1",
        help="comma-separated base seeds; every world runs once per base seed",
    )
    parser.add_argument(
        "--worlds",
        default=",".join([*WORLDS, *REAL_LIKE]),
        help="comma-separated world names (of WORLDS, HELD_OUT and REAL_LIKE; "
        "'held_out': all HELD_OUT)",
    )
    parser.add_argument("--dump", type=Path, help="also write each world's graph here")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    names: list[str] = []
    for w in (w.strip() for w in args.worlds.split(",")):
        names += list(HELD_OUT) if w == "held_out" else [w] if w else []
    unknown = sorted(set(names) - set(ALL_WORLDS))
    if unknown:
        parser.error(f"unknown worlds: {', '.join(unknown)} (known: {', '.join(ALL_WORLDS)})")

    tmp = Path(tempfile.mkdtemp(prefix="idgraph-bench-"))
    local: LocalNeo4j | None = None
    try:
        settings, local = start_server(tmp / "neo4j", "2g", "1g")
        driver = connect(settings)
        repo = Neo4jStore(driver, settings.neo4j_database)
        require_empty(repo)
        results = []
        for base in seeds:
            for k, name in enumerate(names):
                seed = 10 * base + list(ALL_WORLDS).index(name)
                log(f"world {name} (seed {seed}, {args.people} people)")
                results.append(
                    run_world(
                        repo,
                        settings,
                        name,
                        ALL_WORLDS[name],
                        args.people,
                        seed,
                        tmp / f"world-{k}-{seed}",
                        args.dump,
                    )
                )
        driver.close()
        if args.json:
            print(json.dumps(results, indent=2))
        else:
            print_text(results)
    finally:
        if local is not None:
            local.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
