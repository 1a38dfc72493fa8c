"""``idgraph evaluate``: judge the graph against a simulated world's truth, or
cross-validate fraud detection on labelled accounts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from graph.errors import InputError
from graph.settings import get_settings
from graph.store.algorithms import choose_algorithms
from idgraph.cli.common import err, open_store, print_json

__all__ = ["evaluate_cmd"]


def evaluate_cmd(
    truth_path: Annotated[
        Path | None,
        typer.Argument(
            exists=True, dir_okay=False, help="truth.json of a simulated world (idgraph simulate)"
        ),
    ] = None,
    labels: Annotated[
        Path | None,
        typer.Option(
            "--labels",
            exists=True,
            dir_okay=False,
            help="a JSON file with 'fraud_accounts' (and 'accounts', the population they "
            "cover): cross-validate the risk ranking on them",
        ),
    ] = None,
    folds: Annotated[int, typer.Option(min=2, max=20, help="folds (with --labels)")] = 5,
    seed: Annotated[int, typer.Option(help="how accounts are dealt into folds")] = 0,
    backend: Annotated[
        str, typer.Option(help="auto (GDS if the server has it), gds or networkx")
    ] = "",
    as_json: Annotated[bool, typer.Option("--json", help="print JSON, not a table")] = False,
) -> None:
    """Score the graph against a simulated world's truth, or fraud detection against labels.

    With TRUTH_PATH: B-cubed precision, recall and F1 and the number of over-merged
    identities, next to naive connected components over the same links, how well
    membership confidences are calibrated, and the recall and precision of fraud-ring
    and bot flags against the planted ones (run idgraph detect first).

    With --labels FILE: cross-validation on the clustered graph. For each fold, the
    other folds' fraudsters enter as chargeback events, detection runs, the fold's
    accounts are scored; prints per fold and pooled the average precision of the risk
    ranking, recall among the riskiest 1%, 5% and 10% of accounts, recall inside
    flagged rings and the flagged population, beside "number of cards alone" and naive
    components over shared cards and devices. The fed events are removed at the end and
    detection runs once more on the graph's own data.
    """
    if (truth_path is None) == (labels is None):
        raise InputError("evaluate: give either TRUTH_PATH or --labels FILE (one of them)")
    if labels is not None:
        _labels(labels, folds, seed, backend, as_json)
    else:
        assert truth_path is not None
        _truth(truth_path, as_json)


def _labels(path: Path, folds: int, seed: int, backend: str, as_json: bool) -> None:
    from graph.fraud.evaluation import evaluate_labels, format_evaluation, load_labels

    settings = get_settings()
    labels = load_labels(path)
    with open_store(settings) as repo:
        result = evaluate_labels(
            repo,
            labels,
            settings.normaliser(),
            choose_algorithms(repo, backend or settings.cluster_backend),
            folds=folds,
            seed=seed,
            progress=lambda msg: err.print(msg),
        )
    if as_json:
        print_json(result.as_dict())
    else:
        print(format_evaluation(result))


def _truth(truth_path: Path, as_json: bool) -> None:
    from graph.fraud.detect import flagged_identities
    from graph.identity import cluster_store
    from graph.lab.evaluate import evaluate, format_report, predictions
    from graph.lab.metrics import calibration
    from graph.lab.truth import load_truth

    truth = load_truth(truth_path)
    with open_store(get_settings()) as repo:
        rows = list(cluster_store.export_identities(repo))
        links = list(cluster_store.links_by_key(repo))
        flags = flagged_identities(repo)
    predicted, confidence = predictions(rows)
    report = evaluate(truth, predicted, links, flags)
    bins = calibration(truth.owners, predicted, confidence)
    if as_json:
        print_json({**report.as_dict(), "calibration": [b.__dict__ for b in bins]})
        return
    print(format_report(report))
    print("\nconfidence calibration (right: in its own person's main identity)")
    print(f"{'confidence':<12}{'identifiers':>12}{'mean':>8}{'right':>8}")
    for b in bins:
        print(
            f"{b.low:.1f}-{b.high:.1f}    {b.count:>12}{b.mean_confidence:>8.3f}{b.accuracy:>8.3f}"
        )
