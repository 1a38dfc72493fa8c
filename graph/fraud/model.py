"""The per-identity risk model: a small logistic regression over the risk signals.

Each signal (:mod:`graph.fraud.signals`) enters as ``log(1 + value)``, standardised by
the mean and spread of the population it was fitted on; the risk is
``1 / (1 + exp(-(b + sum(w_i * x_i))))``. Why this model:

* **small and explainable**: one weight per signal; a score's reasons are the signals
  that push it up, each with its share of the push (:meth:`RiskModel.explain`);
* **fitted on labels as data**: identities with a ``chargeback`` event or a confirmed
  verdict are the positives, every other scored identity a negative (unlabelled, most
  are honest). L2-penalised maximum likelihood (Newton's method), so that a few dozen
  labels give stable weights;
* **cross-validated** by ``idgraph evaluate --labels`` (:mod:`graph.fraud.evaluation`):
  on the P2P dev half (116 fraudsters among 16,704 accounts), five folds, the pooled
  out-of-fold ranking's average precision is about 0.14 and about 60% of the held-out
  fraudsters are among the riskiest 5% of accounts, against 0.04 and 30% for "number
  of cards alone" (see the README's benchmark for the figures of the current build).

The logarithm matters: amounts and counts have heavy tails (one account sent 100,000,
most sent nothing), and a raw amount would make the score a copy of it.

A fitted model is stored with the data version it was fitted on (a ``:RiskModel``
node, see ``cypher/README.md``); without enough labels in the graph, the default
model (``risk_model.json`` next to this module, fitted on the P2P dev half by
``bench/fraud_eval.py --write-default``) scores instead.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

import numpy as np

from graph.errors import ConfigurationError
from graph.fraud.signals import SIGNALS

__all__ = [
    "RiskModel",
    "average_precision",
    "default_model",
    "fit",
    "recall_at",
    "stratified_folds",
]

_DEFAULT_FILE = "risk_model.json"


def _features(rows: Sequence[Mapping[str, float]], signals: Sequence[str]) -> np.ndarray:
    x = np.array([[float(r.get(s, 0.0)) for s in signals] for r in rows], dtype=float).reshape(
        len(rows), len(signals)
    )
    out: np.ndarray = np.log1p(np.clip(x, 0.0, None))
    return out


@dataclass(frozen=True)
class RiskModel:
    """Weights of the risk signals, and what they were fitted on."""

    model_id: str
    signals: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    intercept: float
    high_risk_min: float
    """Scores at or above this flag ``high_risk``: the score of the riskiest
    ``high_risk_share`` of the population it was fitted on."""
    fitted_on: str
    """Where its labels came from (``"this graph"`` or the data set's name)."""
    labels: int
    population: int
    data_version: str | None = None
    fitted_at: int | None = None
    metrics: Mapping[str, float] = field(default_factory=dict)

    def scores(self, rows: Sequence[Mapping[str, float]]) -> list[float]:
        """The risk of each row of signal values, in [0, 1]."""
        if not rows:
            return []
        z = self._standard(rows) @ np.array(self.weights) + self.intercept
        return [float(v) for v in 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))]

    def _standard(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        x = _features(rows, self.signals)
        out: np.ndarray = (x - np.array(self.means)) / np.array(self.scales)
        return out

    def explain(self, row: Mapping[str, float]) -> list[tuple[str, float]]:
        """The signals that push this row's score above the population's average, each
        with its share of the push (the shares sum to 1), largest first."""
        x = self._standard([row])[0]
        push = [(s, float(w * v)) for s, w, v in zip(self.signals, self.weights, x, strict=True)]
        up = [(s, p) for s, p in push if p > 1e-9]
        total = sum(p for _, p in up)
        if total <= 0:
            return []
        return sorted(((s, p / total) for s, p in up), key=lambda t: (-t[1], t[0]))

    def as_json(self) -> str:
        return json.dumps(
            {
                "model_id": self.model_id,
                "signals": list(self.signals),
                "means": list(self.means),
                "scales": list(self.scales),
                "weights": list(self.weights),
                "intercept": self.intercept,
                "high_risk_min": self.high_risk_min,
                "fitted_on": self.fitted_on,
                "labels": self.labels,
                "population": self.population,
                "data_version": self.data_version,
                "fitted_at": self.fitted_at,
                "metrics": dict(self.metrics),
            },
            indent=2,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> RiskModel:
        """A model from :meth:`as_json`.

        Raises:
            ConfigurationError: the text is not a model.
        """
        try:
            data: dict[str, Any] = json.loads(text)
            signals = tuple(str(s) for s in data["signals"])
            model = cls(
                model_id=str(data["model_id"]),
                signals=signals,
                means=tuple(float(v) for v in data["means"]),
                scales=tuple(float(v) for v in data["scales"]),
                weights=tuple(float(v) for v in data["weights"]),
                intercept=float(data["intercept"]),
                high_risk_min=float(data["high_risk_min"]),
                fitted_on=str(data["fitted_on"]),
                labels=int(data["labels"]),
                population=int(data["population"]),
                data_version=data.get("data_version"),
                fitted_at=data.get("fitted_at"),
                metrics={str(k): float(v) for k, v in (data.get("metrics") or {}).items()},
            )
        except (ValueError, KeyError, TypeError) as e:
            raise ConfigurationError(f"not a risk model: {e.__class__.__name__}") from e
        if not (len(model.means) == len(model.scales) == len(model.weights) == len(signals)):
            raise ConfigurationError("not a risk model: one weight, mean and scale per signal")
        return model


def fit(
    rows: Sequence[Mapping[str, float]],
    labels: Sequence[bool],
    *,
    model_id: str,
    fitted_on: str,
    signals: Sequence[str] = SIGNALS,
    l2: float = 1.0,
    iterations: int = 30,
    high_risk_share: float = 0.01,
) -> RiskModel:
    """Fit the weights by L2-penalised logistic regression (Newton's method).

    Args:
        rows: signal values, one mapping per identity.
        labels: True for confirmed fraud, one per row.
        model_id: the id to give the model.
        fitted_on: where the labels came from.
        signals: the signals to weigh.
        l2: the penalty on the weights (not the intercept): 1 keeps them stable with a
            few dozen positives among tens of thousands (on P2P, 0.1 to 10 change the
            cross-validated average precision by less than 0.01).
        iterations: Newton steps at most (it converges in under 10 on P2P).
        high_risk_share: the share of the population whose score flags ``high_risk``.

    Raises:
        ValueError: no rows, rows and labels of different lengths, or no positive.
    """
    if not rows or len(rows) != len(labels):
        raise ValueError("one label per row, and at least one row")
    y = np.array([1.0 if v else 0.0 for v in labels])
    if y.sum() == 0:
        raise ValueError("no positive label to fit on")
    x = _features(rows, signals)
    means = x.mean(axis=0)
    scales = x.std(axis=0)
    scales[scales < 1e-9] = 1.0
    design = np.column_stack([np.ones(len(rows)), (x - means) / scales])
    penalty = l2 * np.diag([0.0] + [1.0] * len(signals))
    w = np.zeros(design.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ w, -500, 500)))
        grad = design.T @ (p - y) + penalty @ w
        hess = (design.T * (p * (1.0 - p))) @ design + penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    model = RiskModel(
        model_id=model_id,
        signals=tuple(signals),
        means=tuple(float(v) for v in means),
        scales=tuple(float(v) for v in scales),
        weights=tuple(float(v) for v in w[1:]),
        intercept=float(w[0]),
        high_risk_min=1.0,
        fitted_on=fitted_on,
        labels=int(y.sum()),
        population=len(rows),
    )
    scores = sorted(model.scores(rows), reverse=True)
    top = max(1, math.ceil(len(scores) * high_risk_share))
    return replace(model, high_risk_min=round(scores[top - 1], 6))


def default_model() -> RiskModel:
    """The model shipped with idgraph (fitted on the P2P dev half)."""
    text = resources.files("graph.fraud").joinpath(_DEFAULT_FILE).read_text(encoding="utf-8")
    return RiskModel.from_json(text)


# --- evaluation ----------------------------------------------------------------------------


def _ranked(scores: Mapping[str, float], population: Sequence[str]) -> list[str]:
    # Ties broken by key: an order that does not depend on where the rows came from.
    return sorted(population, key=lambda a: (-scores.get(a, 0.0), a))


def average_precision(
    scores: Mapping[str, float], positives: set[str] | frozenset[str], population: Sequence[str]
) -> float:
    """Average precision of ranking ``population`` by ``scores`` (missing: 0), ties by key."""
    wanted = positives & set(population)
    if not wanted:
        return 0.0
    hits = 0
    total = 0.0
    for rank, key in enumerate(_ranked(scores, population), start=1):
        if key in wanted:
            hits += 1
            total += hits / rank
    return total / len(wanted)


def recall_at(
    scores: Mapping[str, float],
    positives: set[str] | frozenset[str],
    population: Sequence[str],
    share: float,
) -> float:
    """The share of ``positives`` among the riskiest ``share`` of ``population``."""
    wanted = positives & set(population)
    if not wanted:
        return 0.0
    top = _ranked(scores, population)[: max(1, math.ceil(len(population) * share))]
    return sum(1 for key in top if key in wanted) / len(wanted)


def stratified_folds(
    population: Sequence[str], positives: set[str] | frozenset[str], folds: int, seed: int
) -> dict[str, int]:
    """Each key's fold, positives spread evenly over the folds (and the others too)."""

    rng = random.Random(seed)
    out: dict[str, int] = {}
    for group in (
        sorted(k for k in set(population) if k in positives),
        sorted(k for k in set(population) if k not in positives),
    ):
        rng.shuffle(group)
        for i, key in enumerate(group):
            out[key] = i % folds
    return out
