"""Fraud detection judged on labelled data: cross-validation of the risk ranking.

``idgraph evaluate --labels FILE`` (a JSON file with ``fraud_accounts`` and, optionally,
``accounts``, the population the labels cover, as ``labels-dev.json`` of the P2P data)
runs :func:`evaluate_labels` on the clustered graph:

1. the population (the labelled accounts the graph knows) is split into ``folds``
   folds, the fraudsters spread evenly (stratified);
2. for each fold, the fraudsters of the *other* folds enter as data, a ``chargeback``
   event each (source :data:`SOURCE`, at the account's first sighting so that no
   sighting moves), detection runs (the risk model is fitted on those labels, as it
   would be on a real graph), the fold's accounts are scored by their identity's risk,
   and the fed events are forgotten;
3. every account thus gets a score from a run that did not see its own label. The
   figures are computed per fold (over the fold's accounts) and pooled (over the
   whole population): average precision of the ranking, recall among the riskiest
   1%, 5% and 10%, recall inside flagged rings and the size of the flagged
   population; beside them two baselines that need no label, "number of cards alone"
   and naive connected components over cards and devices shared by 2 to 10 accounts
   (the README of ``../shared/data/p2p/`` gives their figures);
4. detection runs once more without the fed labels, so that the stored scores are
   those of the graph's own data.

Ties in a ranking are broken by account value, so a ranking that scores many accounts
alike (every account with one card) is judged as an arbitrary order among them, not a
lucky one.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import InputError, InvalidIdentifier
from graph.fraud.detect import detect
from graph.fraud.model import average_precision, recall_at, stratified_folds
from graph.fraud.risk import FLAG_BOT, FLAG_HIGH_RISK, FLAG_RING, FraudParams
from graph.ingest.pipeline import Ingestor
from graph.ingest.readers import RawRecord
from graph.model.identifiers import Normaliser
from graph.store.algorithms import Algorithms
from graph.store.gateway import GraphStore

__all__ = [
    "SOURCE",
    "Evaluation",
    "FoldFigures",
    "Labels",
    "evaluate_labels",
    "format_evaluation",
    "load_labels",
]

#: The source of the chargeback events an evaluation feeds (and forgets).
SOURCE = "idgraph-evaluate"

#: Recall is reported among these shares of the riskiest accounts.
TOP_SHARES = (0.01, 0.05, 0.10)

#: Naive components join accounts through cards and devices shared by at most this
#: many accounts (the P2P README's baseline: shared by 2 to 10).
NAIVE_MAX_SHARERS = 10


@dataclass(frozen=True)
class Labels:
    """Fraud labels: the fraudulent accounts, and the accounts the labels cover."""

    fraud_accounts: frozenset[str]
    accounts: frozenset[str] | None
    """None: the labels cover every account of the graph."""


def load_labels(path: Path) -> Labels:
    """Read a labels file.

    Raises:
        InputError: the file is not JSON, or ``fraud_accounts``/``accounts`` are not
            lists of strings (the location names the file and the key).
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputError(f"{path.name}: not a readable JSON file ({e.__class__.__name__})") from e
    if not isinstance(data, dict):
        raise InputError(f"{path.name}: expected a JSON object with 'fraud_accounts'")

    def strings(key: str) -> frozenset[str] | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InputError(f"{path.name}: '{key}' must be a list of strings")
        return frozenset(value)

    fraud = strings("fraud_accounts")
    if fraud is None:
        raise InputError(f"{path.name}: 'fraud_accounts' is missing")
    return Labels(fraud_accounts=fraud, accounts=strings("accounts"))


@dataclass(frozen=True)
class FoldFigures:
    """How a ranking finds the fraudsters of one population."""

    accounts: int
    fraudsters: int
    average_precision: float
    recall_top: Mapping[str, float]
    """Share of the fraudsters among the riskiest 1%, 5%, 10% (keys ``"1%"``...)."""
    ring_recall: float | None = None
    """Share of the fraudsters whose identity is flagged ``ring_member``."""
    ring_flagged: int | None = None
    """Accounts of the population flagged ``ring_member``."""
    flagged: int | None = None
    """Accounts of the population with any flag of detection (ring, bot, high risk)."""
    labels_fed: int | None = None


@dataclass(frozen=True)
class Evaluation:
    """Cross-validated figures, per fold and pooled, and the baselines."""

    folds: list[FoldFigures]
    pooled: FoldFigures
    cards_alone: FoldFigures
    naive_components: Mapping[str, float]
    """``recall`` (fraudsters in a component of several accounts) and ``flagged``
    (accounts in such components)."""
    unknown_accounts: int
    """Labelled accounts the graph does not know (left out)."""
    seconds: float
    models: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _figures(
    scores: Mapping[str, float], fraud: frozenset[str], population: Sequence[str]
) -> FoldFigures:
    return FoldFigures(
        accounts=len(population),
        fraudsters=len(fraud & set(population)),
        average_precision=round(average_precision(scores, fraud, population), 4),
        recall_top={
            f"{round(share * 100)}%": round(recall_at(scores, fraud, population, share), 4)
            for share in TOP_SHARES
        },
    )


def _naive_components(
    accounts: Mapping[str, Mapping[str, Any]], population: Sequence[str], fraud: frozenset[str]
) -> dict[str, float]:
    holders: dict[str, list[str]] = defaultdict(list)
    for value, row in accounts.items():
        for key in (*row["cards"], *row["devices"]):
            holders[str(key)].append(value)
    parent: dict[str, str] = {}

    def find(a: str) -> str:
        while parent.get(a, a) != a:
            parent[a] = parent.get(parent[a], parent[a])
            a = parent[a]
        return a

    for users in holders.values():
        if 2 <= len(users) <= NAIVE_MAX_SHARERS:
            for other in users[1:]:
                ra, rb = find(users[0]), find(other)
                if ra != rb:
                    parent[rb] = ra
    size: dict[str, int] = defaultdict(int)
    for value in accounts:
        size[find(value)] += 1
    joined = {v for v in population if size[find(v)] >= 2}
    wanted = fraud & set(population)
    return {
        "recall": round(len(joined & wanted) / len(wanted), 4) if wanted else 0.0,
        "flagged": float(len(joined)),
    }


def evaluate_labels(
    store: GraphStore,
    labels: Labels,
    normaliser: Normaliser,
    algorithms: Algorithms | None = None,
    *,
    folds: int = 5,
    seed: int = 0,
    params: FraudParams | None = None,
    progress: Callable[[str], None] | None = None,
) -> Evaluation:
    """Cross-validate the risk ranking on labelled accounts (see the module docstring).

    Raises:
        InputError: fewer than 2 folds, or fewer labelled fraudsters known to the graph
            than folds.
    """
    if folds < 2:
        raise InputError("folds: at least 2")
    started = time.perf_counter()
    say = progress or (lambda _: None)
    accounts = {str(r["value"]): r for r in store.read("fraud/evaluation_accounts")}

    def normalised(values: frozenset[str]) -> set[str]:
        out = set()
        for v in values:
            try:
                out.add(normaliser.normalise("account", v).value)
            except InvalidIdentifier:
                continue
        return out

    covered = normalised(labels.accounts) if labels.accounts is not None else set(accounts)
    population = sorted(covered & set(accounts))
    fraud = frozenset(normalised(labels.fraud_accounts) & set(population))
    if len(fraud) < folds:
        raise InputError(
            f"labels: {len(fraud)} labelled fraudsters known to the graph, fewer than "
            f"the {folds} folds"
        )
    fold_of = stratified_folds(population, fraud, folds, seed)
    pooled: dict[str, float] = {}
    per_fold: list[FoldFigures] = []
    models: list[str] = []
    for k in range(folds):
        fed = sorted(v for v in fraud if fold_of[v] != k)
        held = [v for v in population if fold_of[v] == k]
        say(f"fold {k + 1}/{folds}: {len(fed)} chargebacks fed, {len(held)} accounts scored")
        _feed(store, normaliser, fed, accounts, k)
        try:
            result = detect(store, params, algorithms, normaliser)
            models.append(result.risk_model)
            rows = {
                str(r["value"]): r
                for start in range(0, len(held), 5_000)
                for r in store.read("fraud/evaluation_scores", values=held[start : start + 5_000])
            }
        finally:
            store.write("fraud/evaluation_forget", source=SOURCE)
        scores = {v: float(rows[v]["risk"] or 0.0) if v in rows else 0.0 for v in held}
        pooled.update(scores)
        flags = {v: set(rows[v]["flags"]) if v in rows else set() for v in held}
        figures = _figures(scores, fraud, held)
        wanted = [v for v in held if v in fraud]
        in_ring = sum(1 for v in wanted if FLAG_RING in flags[v])
        per_fold.append(
            FoldFigures(
                **{
                    **asdict(figures),
                    "ring_recall": round(in_ring / len(wanted), 4) if wanted else 0.0,
                    "ring_flagged": sum(1 for v in held if FLAG_RING in flags[v]),
                    "flagged": sum(
                        1 for v in held if flags[v] & {FLAG_RING, FLAG_BOT, FLAG_HIGH_RISK}
                    ),
                    "labels_fed": len(fed),
                }
            )
        )
    say("restoring the stored scores (detection without the fed labels)")
    detect(store, params, algorithms, normaliser)
    pooled_figures = _figures(pooled, fraud, population)
    pooled_figures = FoldFigures(
        **{
            **asdict(pooled_figures),
            "ring_recall": round(
                sum((f.ring_recall or 0.0) * f.fraudsters for f in per_fold) / len(fraud), 4
            ),
            "ring_flagged": sum(f.ring_flagged or 0 for f in per_fold),
            "flagged": sum(f.flagged or 0 for f in per_fold),
        }
    )
    cards = {v: float(len(set(accounts[v]["cards"]))) for v in population}
    return Evaluation(
        folds=per_fold,
        pooled=pooled_figures,
        cards_alone=_figures(cards, fraud, population),
        naive_components=_naive_components(accounts, population, fraud),
        unknown_accounts=len(covered - set(accounts)),
        seconds=round(time.perf_counter() - started, 1),
        models=models,
    )


def _feed(
    store: GraphStore,
    normaliser: Normaliser,
    fed: Sequence[str],
    accounts: Mapping[str, Mapping[str, Any]],
    fold: int,
) -> None:
    """Ingest one ``chargeback`` event per fed fraudster, at the account's first sighting."""
    records = []
    for n, value in enumerate(fed):
        first = accounts[value]["first_seen"]
        at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime((first or 0) / 1000))
        event = {
            "event_id": f"fold-{fold}-{n}",
            "timestamp": at,
            "source": SOURCE,
            "channel": "evaluation",
            "type": "chargeback",
            "identifiers": [{"type": "account", "value": value}],
        }
        records.append(RawRecord(line=n + 1, text=json.dumps(event), parsed=event))
    summary, _ = Ingestor(store, normaliser).ingest(records)
    if summary.accepted != len(fed):
        raise InputError(f"labels: {len(fed) - summary.accepted} chargebacks were not accepted")


def format_evaluation(result: Evaluation) -> str:
    """A table of the figures, for the terminal."""
    lines = [
        f"{'':<22}{'accounts':>9}{'fraud':>7}{'AP':>8}{'top 1%':>8}{'top 5%':>8}"
        f"{'top 10%':>8}{'in ring':>8}{'ringed':>8}{'flagged':>8}"
    ]

    def row(name: str, f: FoldFigures) -> str:
        ring = "" if f.ring_recall is None else f"{f.ring_recall:>8.3f}"
        ringed = "" if f.ring_flagged is None else f"{f.ring_flagged:>8}"
        flagged = "" if f.flagged is None else f"{f.flagged:>8}"
        return (
            f"{name:<22}{f.accounts:>9}{f.fraudsters:>7}{f.average_precision:>8.4f}"
            f"{f.recall_top['1%']:>8.3f}{f.recall_top['5%']:>8.3f}{f.recall_top['10%']:>8.3f}"
            f"{ring}{ringed}{flagged}"
        )

    for k, f in enumerate(result.folds):
        lines.append(row(f"fold {k + 1} (risk)", f))
    lines.append(row("pooled (risk)", result.pooled))
    lines.append(row("cards alone", result.cards_alone))
    naive = result.naive_components
    lines.append(
        f"naive components over shared cards and devices: recall {naive['recall']:.3f}, "
        f"{int(naive['flagged'])} accounts flagged"
    )
    if result.unknown_accounts:
        lines.append(f"{result.unknown_accounts} labelled accounts unknown to the graph (left out)")
    lines.append(f"{result.seconds:.0f} s")
    return "\n".join(lines)
