"""Shared test data: the example event of the event-format contract."""

from __future__ import annotations

from typing import Any

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
