"""What ingest recorded per source: the event types that mapped to no canonical one.

Ingest stores an event whose type maps to nothing with type ``event`` and counts it
per source and type as sent (``ingest/write_batch``); :func:`unmapped_event_types`
reads those counts back, so that an operator can see, long after the ingest that met
them, which of a source's types a mapping file (``IDGRAPH_EVENT_TYPES``) should add.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from graph.model.times import from_epoch_ms
from graph.store.gateway import GraphStore

__all__ = ["UnmappedEventType", "unmapped_event_types"]


@dataclass(frozen=True)
class UnmappedEventType:
    """A source's event type that maps to no canonical one, and how often it came.

    Attributes:
        source: the events' ``source``.
        source_type: the type as the source sent it.
        count: events stored with it (as type ``event``).
        first_seen, last_seen: when an ingest first and last counted one.
    """

    source: str
    source_type: str
    count: int
    first_seen: datetime | None
    last_seen: datetime | None

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "source_type": self.source_type,
            "count": self.count,
            "first_seen": self.first_seen.isoformat() if self.first_seen else None,
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
        }


def unmapped_event_types(store: GraphStore) -> list[UnmappedEventType]:
    """Every unmapped (source, type) with its count, most frequent first."""
    return [
        UnmappedEventType(
            source=str(r["source"]),
            source_type=str(r["source_type"]),
            count=int(r["count"]),
            first_seen=from_epoch_ms(r["first_seen"]),
            last_seen=from_epoch_ms(r["last_seen"]),
        )
        for r in store.read("ingest/unmapped_event_types")
    ]
