"""What happened to each input record of an ingest, and the counts of a run.

Every input record ends *accepted*, a *duplicate* (same ``(source, event_id)`` as an
event already in the graph or earlier in the input) or *rejected* (with the reason and
where it failed): one :class:`EventOutcome` per record, and an :class:`IngestSummary`
that keeps ``accepted + duplicates + rejected == records read``, rejections counted by
:func:`reason_category`, and accepted events whose type maps to no canonical one
counted per source and type. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "EventOutcome",
    "IngestSummary",
    "Status",
    "reason_category",
]

Status = Literal["accepted", "duplicate", "rejected"]


@dataclass
class EventOutcome:
    """What happened to one input record."""

    line: int
    status: Status
    reason: str = ""
    location: str = ""
    issues: tuple[str, ...] = ()
    event_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"line": self.line, "status": self.status}
        if self.event_id is not None:
            out["event_id"] = self.event_id
        if self.reason:
            out["reason"] = self.reason
        if self.location:
            out["location"] = self.location
        if self.issues:
            out["issues"] = list(self.issues)
        return out


@dataclass
class IngestSummary:
    """Counts of one ingest run; ``accepted + duplicates + rejected == read``."""

    read: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    identifiers_rejected: int = 0
    identifiers_blocked: int = 0
    rejects_file: str | None = None
    reasons: dict[str, int] = field(default_factory=dict)
    unmapped: dict[tuple[str, str], int] = field(default_factory=dict)
    """Accepted events whose type maps to no canonical one (stored as ``event``), per
    (source, type as sent): the vocabulary a mapping file should add."""

    def count_unmapped(self, source: str, source_type: str) -> None:
        key = (source, source_type)
        self.unmapped[key] = self.unmapped.get(key, 0) + 1

    def add(self, other: IngestSummary) -> None:
        self.read += other.read
        self.accepted += other.accepted
        self.duplicates += other.duplicates
        self.rejected += other.rejected
        self.identifiers_rejected += other.identifiers_rejected
        self.identifiers_blocked += other.identifiers_blocked
        for k, v in other.reasons.items():
            self.reasons[k] = self.reasons.get(k, 0) + v
        for pair, n in other.unmapped.items():
            self.unmapped[pair] = self.unmapped.get(pair, 0) + n

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines_read": self.read,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "identifiers_rejected": self.identifiers_rejected,
            "identifiers_blocked": self.identifiers_blocked,
            "rejects_file": self.rejects_file,
            "rejection_reasons": dict(sorted(self.reasons.items())),
            "unmapped_event_types": [
                {"source": source, "source_type": source_type, "count": n}
                for (source, source_type), n in sorted(
                    self.unmapped.items(), key=lambda kv: (-kv[1], kv[0])
                )
            ],
        }


def reason_category(reason: str, location: str) -> str:
    """A stable name for counting rejections: where it failed, without positions."""
    if location and location not in ("line", "row"):
        return "invalid " + re.sub(r"\[\d+\]", "[]", location)
    return reason.split(" (", 1)[0][:80]
