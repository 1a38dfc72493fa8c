"""Shared test data: the example event of the event-format contract, and an API key
per role (fake keys, for test servers only)."""

from __future__ import annotations

from typing import Any

from graph.store.gateway import GraphStore, Row

EXAMPLE_EVENT: dict[str, Any] = {
    "event_id": "e-1",
    "timestamp": "2026-03-01T10:15:00Z",
    "source": "contact-center",
    "channel": "call",
    "type": "call",
    "identifiers": [
        {"type": "phone", "value": "06 12 34 56 78"},
        {"type": "email", "value": "Jean.Dupont@Example.fr"},
    ],
}

ROLE_KEYS: dict[str, str] = {
    "resolver": "resolver-key-" + "r" * 30,
    "analyst": "analyst-key-" + "a" * 30,
    "investigator": "investigator-key-" + "i" * 30,
    "admin": "admin-key-" + "d" * 30,
}


def api_keys_setting() -> str:
    """``IDGRAPH_API_KEYS`` for :data:`ROLE_KEYS`: ``key=role`` pairs."""
    return ",".join(f"{key}={role}" for role, key in ROLE_KEYS.items())


def lookup_identifiers(store: GraphStore, identifiers: list[dict[str, str]]) -> list[Row]:
    """The known identifiers among ``{type, value}`` rows, with their identity id."""
    return store.read("identity/resolve/lookup_identifiers", identifiers=identifiers)
