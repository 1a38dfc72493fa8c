"""The per-identity risk: signals, the model, its explanations and the stored rows."""

from __future__ import annotations

import json
import math
import random

import pytest

from graph.errors import ConfigurationError
from graph.fraud.model import (
    RiskModel,
    average_precision,
    default_model,
    fit,
    recall_at,
    stratified_folds,
)
from graph.fraud.risk import (
    FLAG_BOT,
    FLAG_CONFIRMED,
    FLAG_DISMISSED,
    FLAG_HIGH_RISK,
    FLAG_RING,
    score_identities,
)
from graph.fraud.signals import SIGNALS, Holding, Transfer, describe, identity_signals

DAY = 86_400_000


def _card(identity: str, key: str, at: int, users: set[str] | None = None) -> Holding:
    return Holding(identity, key, "card", at, frozenset(users or {identity}))


# --- signals -------------------------------------------------------------------------------


def test_card_churn_counts_cards_first_seen_within_the_window() -> None:
    holdings = [_card("a", f"c{k}", k * 10 * DAY) for k in range(5)]  # every 10 days
    values = identity_signals(holdings, [], set())["a"]
    assert values["cards"] == 5
    assert values["card_churn"] == 4  # 0, 10, 20, 30 days: four within 30 days


def test_the_same_card_twice_counts_once() -> None:
    values = identity_signals([_card("a", "c1", 0), _card("a", "c1", 0)], [], set())["a"]
    assert values["cards"] == 1


def test_sharing_counts_other_identities_and_leaves_kiosks_out() -> None:
    shared = _card("a", "c1", 0, {"a", "b", "c"})
    kiosk = Holding("a", "d1", "device", 0, frozenset({"a", *(f"x{k}" for k in range(60))}))
    values = identity_signals([shared, kiosk], [], {"b"})["a"]
    assert values["shared_card_holders"] == 2
    assert values["cards_shared"] == 1
    assert values["shared_device_users"] == 0  # 61 users: a kiosk says nothing
    assert values["devices"] == 1
    assert values["shares_with_confirmed_fraud"] == 1


def test_money_signals_and_closeness_to_confirmed_fraud() -> None:
    transfers = [
        Transfer("a", "b", 100.0, 0),
        Transfer("a", "b", 50.0, 2 * DAY),
        Transfer("a", None, 25.0, 4 * DAY),  # to nobody known
        Transfer("a", "a", 999.0, 4 * DAY),  # to itself: left out
        Transfer("c", "b", 10.0, 0),
    ]
    values = identity_signals([], transfers, {"b"})
    a, b = values["a"], values["b"]
    assert a["sent_amount"] == 175.0
    assert a["sent_count"] == 3
    assert a["sending_days"] == 4.0
    assert a["transfer_rate"] == pytest.approx(3 / 4)
    assert a["to_confirmed_fraud"] == 150.0
    assert a["counterparties"] == 1
    assert b["received_amount"] == 160.0
    assert b["received_peak"] == 2  # a's first and c's, both at 0
    assert b["to_confirmed_fraud"] == 0.0


def test_own_confirmation_never_counts_for_itself() -> None:
    values = identity_signals([_card("a", "c1", 0, {"a", "b"})], [], {"a"})["a"]
    assert values["shares_with_confirmed_fraud"] == 0


def test_every_signal_has_words() -> None:
    for s in SIGNALS:
        text = describe(s, 12.0)
        assert "12" in text and "_" not in text  # a sentence with the value, not the raw name


# --- the model -----------------------------------------------------------------------------


def _world(n: int = 2000, seed: int = 1) -> tuple[list[dict[str, float]], list[bool]]:
    """Fraud sends more money and holds more cards; the rest is noise."""
    rng = random.Random(seed)
    rows, labels = [], []
    for k in range(n):
        fraud = k % 50 == 0
        rows.append(
            {
                "cards": rng.randint(3, 12) if fraud else rng.randint(0, 4),
                "sent_amount": rng.uniform(500, 5000) if fraud else rng.uniform(0, 800),
                "devices": rng.randint(0, 3),
            }
        )
        labels.append(fraud)
    return rows, labels


def test_fit_ranks_the_labelled_pattern_first_and_explains_it() -> None:
    rows, labels = _world()
    model = fit(rows, labels, model_id="t", fitted_on="test")
    w = dict(zip(model.signals, model.weights, strict=True))
    assert w["cards"] > 0 and w["sent_amount"] > 0
    assert abs(w["devices"]) < w["cards"]
    scores = {str(k): s for k, s in enumerate(model.scores(rows))}
    positives = {str(k) for k, y in enumerate(labels) if y}
    population = [str(k) for k in range(len(rows))]
    assert average_precision(scores, positives, population) > 0.5
    shares = model.explain({"cards": 12, "sent_amount": 4000, "devices": 1})
    assert {s for s, _ in shares} >= {"cards", "sent_amount"}
    assert sum(x for _, x in shares) == pytest.approx(1.0)
    assert shares == sorted(shares, key=lambda t: -t[1])
    assert model.explain({}) == [] or all(x > 0 for _, x in model.explain({}))


def test_high_risk_min_flags_about_the_requested_share() -> None:
    rows, labels = _world()
    model = fit(rows, labels, model_id="t", fitted_on="test", high_risk_share=0.05)
    flagged = sum(1 for s in model.scores(rows) if s >= model.high_risk_min)
    assert 0.05 * len(rows) <= flagged <= 0.06 * len(rows)


def test_fit_refuses_no_positive_and_mismatched_labels() -> None:
    rows, _ = _world(100)
    with pytest.raises(ValueError, match="no positive"):
        fit(rows, [False] * len(rows), model_id="t", fitted_on="test")
    with pytest.raises(ValueError, match="one label per row"):
        fit(rows, [True], model_id="t", fitted_on="test")


def test_a_model_round_trips_through_json_and_bad_json_is_a_configuration_error() -> None:
    rows, labels = _world(300)
    model = fit(rows, labels, model_id="t", fitted_on="test")
    again = RiskModel.from_json(model.as_json())
    assert again == model
    with pytest.raises(ConfigurationError, match="not a risk model"):
        RiskModel.from_json("{}")
    data = json.loads(model.as_json())
    data["weights"] = data["weights"][:-1]
    with pytest.raises(ConfigurationError, match="one weight"):
        RiskModel.from_json(json.dumps(data))


def test_the_default_model_loads_and_weighs_every_signal() -> None:
    model = default_model()
    assert model.signals == SIGNALS
    assert model.labels > 0 and model.population > model.labels
    assert all(math.isfinite(w) for w in model.weights)


def test_metrics_average_precision_and_recall() -> None:
    population = ["a", "b", "c", "d"]
    scores = {"a": 0.9, "b": 0.8, "c": 0.1}
    assert average_precision(scores, {"a"}, population) == 1.0
    assert average_precision(scores, {"c"}, population) == pytest.approx(1 / 3)
    assert average_precision(scores, {"a", "c"}, population) == pytest.approx((1 + 2 / 3) / 2)
    assert recall_at(scores, {"a", "c"}, population, 0.5) == 0.5
    # ties are broken by key, never in the ranking's favour by chance of row order
    assert average_precision({}, {"d"}, population) == pytest.approx(1 / 4)
    assert average_precision(scores, set(), population) == 0.0


def test_stratified_folds_spread_positives_evenly() -> None:
    population = [str(k) for k in range(100)]
    positives = {str(k) for k in range(0, 100, 10)}
    folds = stratified_folds(population, positives, 5, seed=3)
    assert set(folds) == set(population)
    per_fold = [sum(1 for p in positives if folds[p] == k) for k in range(5)]
    assert per_fold == [2] * 5
    assert stratified_folds(population, positives, 5, seed=3) == folds


# --- the stored rows -----------------------------------------------------------------------


def _model() -> RiskModel:
    rows, labels = _world()
    return fit(rows, labels, model_id="m", fitted_on="test")


def test_score_identities_combines_flagged_ring_and_bot_and_explains_the_shares() -> None:
    model = _model()
    ring_bot = [
        {
            "identity_id": "r",
            "ring_id": "ring_1",
            "ring_score": 0.8,
            "ring_reasons": ["shared device"],
            "bot_score": None,
            "bot_reasons": None,
            "risk_flags": [FLAG_RING],
        },
        {
            "identity_id": "q",
            "ring_id": "ring_2",
            "ring_score": 0.3,  # a candidate, not flagged: no part in the risk
            "ring_reasons": [],
            "bot_score": 0.2,
            "bot_reasons": [],
            "risk_flags": [],
        },
    ]
    values = {"f": {"cards": 12, "sent_amount": 5000}, "r": {}, "q": {}}
    rows = {
        r["identity_id"]: r
        for r in score_identities(
            ["f", "q", "r", "z"], ring_bot, values, model, {"f": "chargeback"}
        )
    }
    assert set(rows) == {"f", "q", "r", "z"}
    f, q, r, z = rows["f"], rows["q"], rows["r"], rows["z"]
    assert FLAG_HIGH_RISK in f["risk_flags"] and FLAG_CONFIRMED in f["risk_flags"]
    assert f["risk_reasons"][0] == "confirmed fraud (chargeback)"
    assert any("cards" in x and "% of the risk" in x for x in f["risk_reasons"])
    assert r["risk"] >= 0.8 and r["risk_flags"] == [FLAG_RING]
    assert "shared device" in r["risk_reasons"]
    assert q["risk"] == pytest.approx(z["risk"], abs=1e-6)  # unflagged parts do not count
    for row in rows.values():
        signals = json.loads(row["risk_signals"])
        if signals:
            assert sum(s["share"] for s in signals) == pytest.approx(1.0, abs=0.01)
        assert row["risk_model"] == "m"
    assert json.loads(r["risk_signals"])[0]["signal"] == FLAG_RING


def test_a_dismissed_identity_is_not_flagged_again_on_the_same_evidence() -> None:
    model = _model()
    values = {"f": {"cards": 12, "sent_amount": 5000}, "g": {"cards": 12, "sent_amount": 5000}}
    bot = {
        "identity_id": "g",
        "ring_id": None,
        "ring_score": None,
        "ring_reasons": None,
        "bot_score": 0.9,
        "bot_reasons": ["regular"],
        "risk_flags": [FLAG_BOT],
    }
    asked: list[str] = []

    def silenced(identity: str, row: object) -> bool:
        asked.append(identity)
        return identity == "f"

    rows = {
        r["identity_id"]: r
        for r in score_identities(["f", "g"], [bot], values, model, {}, silenced=silenced)
    }
    assert rows["f"]["risk_flags"] == [FLAG_DISMISSED]
    assert FLAG_BOT in rows["g"]["risk_flags"] and FLAG_HIGH_RISK in rows["g"]["risk_flags"]
    assert rows["f"]["risk"] > 0.5  # still ranked: only its flags give way
    assert sorted(asked) == ["f", "g"]
