"""What the per-identity risk is computed from, read from the graph (I/O only).

The cards and devices of every active identity and who else holds them, the money
transfers between identities, and the identities the data confirms as fraud
(``chargeback`` events). The signals are computed by :mod:`graph.fraud.signals`, the
scores by :mod:`graph.fraud.model`.

A transfer's counterpart is the ``to_account`` attribute of a ``transfer`` event (the
canonical name: a source's own name maps to it, see ``graph/model``), normalised as
ingest normalises an ``account`` identifier and looked up: a counterpart that names no
known account is kept as money sent to nobody known.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from graph.errors import InvalidIdentifier
from graph.fraud.signals import Holding, Transfer
from graph.model.events import stored_attributes
from graph.model.identifiers import Normaliser
from graph.store.gateway import GraphStore

__all__ = [
    "RiskFacts",
    "read_risk_facts",
]

#: The identifier types whose holdings are signals (card and device churn, sharing).
HOLDING_TYPES = ("card", "device")

_CHUNK = 5_000


@dataclass(frozen=True)
class RiskFacts:
    """The facts of one scoring run."""

    population: list[str]
    """Every active identity, sorted."""
    holdings: list[Holding]
    transfers: list[Transfer]
    chargebacks: frozenset[str]
    """Identities with a ``chargeback`` event."""
    data_version: str
    """What a model fitted on these facts is fitted on: the newest clustering run, the
    number of events and the labels (a hash)."""


def _amount(value: object) -> float:
    try:
        amount = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    return amount if amount == amount and amount > 0 else 0.0  # NaN and refunds: 0


def read_risk_facts(store: GraphStore, normaliser: Normaliser | None = None) -> RiskFacts:
    """Read every fact the risk signals need (one pass over cards, devices, transfers)."""
    normaliser = normaliser or Normaliser()
    head = store.read("fraud/risk_population")[0]
    population = sorted(str(i) for i in head["identities"])
    holdings = [
        Holding(
            identity_id=str(user),
            key=str(r["id"]),
            type=str(r["type"]),
            first_ms=None if r["first_seen"] is None else int(r["first_seen"]),
            users=frozenset(str(u) for u in r["users"]),
        )
        for r in store.stream("fraud/risk_holdings", types=list(HOLDING_TYPES))
        for user in r["users"]
    ]
    raw: list[tuple[str, int, str | None, float]] = []
    for r in store.stream("fraud/risk_transfers"):
        attributes = stored_attributes(r["attributes"])
        to = attributes.get("to_account")
        value: str | None = None
        if isinstance(to, str | int) and not isinstance(to, bool):
            try:
                value = normaliser.normalise("account", str(to)).value
            except InvalidIdentifier:
                value = None
        raw.append((str(r["sender"]), int(r["at"] or 0), value, _amount(attributes.get("amount"))))
    identity_of = _account_identities(store, sorted({v for _, _, v, _ in raw if v is not None}))
    transfers = [
        Transfer(
            sender=sender,
            receiver=identity_of.get(value) if value is not None else None,
            amount=amount,
            at_ms=at,
        )
        for sender, at, value, amount in raw
    ]
    chargebacks = frozenset(str(r["identity_id"]) for r in store.read("fraud/risk_confirmed"))
    digest = hashlib.sha256()
    digest.update(json.dumps([head["runs"], int(head["events"])]).encode())
    digest.update(json.dumps(sorted(chargebacks)).encode())
    return RiskFacts(
        population=population,
        holdings=holdings,
        transfers=transfers,
        chargebacks=chargebacks,
        data_version=digest.hexdigest()[:16],
    )


def _account_identities(store: GraphStore, values: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for start in range(0, len(values), _CHUNK):
        for r in store.read("fraud/risk_accounts", values=list(values[start : start + _CHUNK])):
            if r["identity_id"] is not None:
                out[str(r["value"])] = str(r["identity_id"])
    return out
