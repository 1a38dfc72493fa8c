"""The event format (the public contract) and its validation, with no I/O.

An event is one observation: identifiers seen together at a time, on a channel,
reported by a source system. ``EventIn`` is the wire format (JSON Lines, CSV rows and
``POST /v1/events`` all become it); :func:`prepare_event` validates one,
normalises its identifiers and maps its type and attribute names onto the canonical
ones (:mod:`graph.model.event_types`) into a :class:`PreparedEvent`, ready to be written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from graph.errors import InvalidEvent
from graph.model.event_types import EventTypeMap, default_event_types
from graph.model.identifiers import Identifier, Normaliser

__all__ = [
    "stored_attributes",
    "EventIn",
    "IdentifierIn",
    "PreparedEvent",
    "event_json_schema",
    "prepare_event",
    "validate_event",
]

MAX_IDENTIFIERS = 100
"""Identifiers per event (and referrers per event): more is a data error, not a person."""

_MAX_UTC_OFFSET = timedelta(hours=18)
"""Neo4j's limit for a time zone offset (ISO 8601 and Python allow up to 23:59)."""


class IdentifierIn(BaseModel):
    """One identifier as sent: a type name and a raw value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str = Field(min_length=1, max_length=40, description="e.g. email, phone, device")
    value: str = Field(min_length=1, max_length=1024, description="raw value, normalised on ingest")


class EventIn(BaseModel):
    """One event (observation) in the public event format."""

    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(min_length=1, max_length=256, description="unique per source")
    timestamp: datetime = Field(description="RFC 3339 with a time zone")
    source: str = Field(default="unspecified", min_length=1, max_length=100)
    channel: str = Field(default="unknown", min_length=1, max_length=50)
    type: str = Field(
        default="event",
        min_length=1,
        max_length=50,
        description="the source's own event type; ingest maps it onto a canonical one "
        "(signup, login, purchase, payment_failed, chargeback, transfer...), keeping it "
        "as source_type",
    )
    identifiers: list[IdentifierIn] = Field(min_length=1, max_length=MAX_IDENTIFIERS)
    referred_by: list[IdentifierIn] = Field(default_factory=list, max_length=MAX_IDENTIFIERS)
    attributes: dict[str, Any] = Field(
        default_factory=dict,
        description="free attributes; names that map are renamed to canonical ones (amount, "
        "rating, to_account: a transfer's receiving account, reason, outcome...)",
    )

    @field_validator("timestamp", mode="before")
    @classmethod
    def _rfc3339(cls, v: object) -> object:
        if isinstance(v, datetime):
            parsed = v
        elif isinstance(v, str):
            try:
                parsed = datetime.fromisoformat(v.strip())
            except ValueError:
                raise ValueError("not an RFC 3339 timestamp (e.g. 2026-03-01T10:15:00Z)") from None
        else:
            raise ValueError("must be an RFC 3339 string such as 2026-03-01T10:15:00Z")
        if parsed.tzinfo is None:
            raise ValueError("needs a time zone (Z or +01:00)")
        # Neo4j refuses a larger offset (the whole batch would fail), and a time whose UTC
        # instant is outside years 1-9999 could be stored but never read back.
        offset = parsed.utcoffset()
        if offset is not None and abs(offset) > _MAX_UTC_OFFSET:
            raise ValueError("time zone offset beyond +/-18:00")
        try:
            parsed.astimezone(UTC)
        except OverflowError:
            raise ValueError("out of range: in UTC, it must fall in years 1 to 9999") from None
        return parsed

    @field_validator("source", "channel", "type")
    @classmethod
    def _trim_lower(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("must not be blank")
        return v


@dataclass(frozen=True)
class PreparedEvent:
    """A valid event with normalised identifiers, ready to be written.

    Attributes:
        identifiers: the valid identifiers of the event's person (deduplicated).
        blocked: identifiers that validate but are junk (blocklisted): kept, never linked.
        junk: how many raw values were junk before normalisation (``null``...): counted.
        referrers: identifiers of the person who referred this event's person.
        issues: identifiers that did not validate, as "location: reason" (no values).
        type: the canonical event type (:mod:`graph.model.event_types`).
        attributes_json: the attributes under canonical names, as JSON.
        source_type: the type as the source sent it.
        source_attributes_json: the attributes as sent, when a name was changed (None:
            ``attributes_json`` is what was sent).
        unmapped: the source's type maps to no canonical type (``type`` is ``event``).
    """

    source: str
    event_id: str
    timestamp: datetime
    channel: str
    type: str
    attributes_json: str
    identifiers: tuple[Identifier, ...]
    blocked: tuple[Identifier, ...] = ()
    referrers: tuple[Identifier, ...] = ()
    issues: tuple[str, ...] = field(default=())
    junk: int = 0
    source_type: str = ""
    source_attributes_json: str | None = None
    unmapped: bool = False

    @property
    def dedup_key(self) -> tuple[str, str]:
        return (self.source, self.event_id)


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "event"


def validate_event(obj: object) -> EventIn:
    """Validate the shape of one event.

    Raises:
        InvalidEvent: with the location of the first problem and what is wrong,
            never the offending value.
    """
    if not isinstance(obj, dict):
        raise InvalidEvent(f"not a JSON object (got {type(obj).__name__})")
    try:
        return EventIn.model_validate(obj)
    except ValidationError as e:
        errors = e.errors(include_input=False, include_url=False)
        parts = [f"{_location(tuple(err['loc']))}: {err['msg']}" for err in errors[:5]]
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        first = _location(tuple(errors[0]["loc"])) if errors else "event"
        raise InvalidEvent("; ".join(parts) + more, location=first) from e


def _normalise_all(
    items: list[IdentifierIn], field_name: str, normaliser: Normaliser
) -> tuple[list[Identifier], list[Identifier], list[str], int]:
    valid: list[Identifier] = []
    blocked: list[Identifier] = []
    issues: list[str] = []
    junk = 0
    seen: set[Identifier] = set()
    for n, item in enumerate(items):
        kind, found = normaliser.classify(item.type, item.value)
        if kind == "junk":
            junk += 1  # junk before normalisation ("null", "0000000000"): nothing to keep
        elif not isinstance(found, Identifier):
            issues.append(f"{field_name}[{n}]: {found}")
        elif found not in seen:
            seen.add(found)
            (blocked if kind == "blocked" else valid).append(found)
    return valid, blocked, issues, junk


def _json(value: object) -> str:
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError) as e:  # pragma: no cover - pydantic gives JSON types
        raise InvalidEvent("attributes must be JSON values", location="attributes") from e


def prepare_event(
    obj: object, normaliser: Normaliser, event_types: EventTypeMap | None = None
) -> PreparedEvent:
    """Validate one event, normalise its identifiers, map its type and attribute names.

    An event keeps its valid identifiers and reports the invalid ones in ``issues``;
    it is rejected only when its shape is wrong or none of its identifiers is usable.
    Its type and attribute names become canonical through ``event_types`` (the
    built-in defaults when None); what the source sent is kept beside them, and a type
    that maps to nothing becomes ``event`` (``unmapped``), never a rejection.

    Raises:
        InvalidEvent: the event cannot be accepted (location and reason inside).
    """
    event = obj if isinstance(obj, EventIn) else validate_event(obj)
    valid, blocked, issues, junk = _normalise_all(event.identifiers, "identifiers", normaliser)
    referrers, blocked_refs, ref_issues, ref_junk = _normalise_all(
        event.referred_by, "referred_by", normaliser
    )
    issues += ref_issues
    if blocked_refs or ref_junk:
        n = len(blocked_refs) + ref_junk
        issues.append(f"referred_by: {n} blocklisted identifier(s) ignored")
    if not valid and not blocked:
        if junk and not issues:
            raise InvalidEvent(
                "no usable identifier: every identifier is blocklisted junk",
                location="identifiers",
            )
        raise InvalidEvent("no valid identifier: " + "; ".join(issues[:5]), location="identifiers")
    mapped = (event_types or default_event_types()).map_event(
        event.source, event.type, event.attributes
    )
    return PreparedEvent(
        source=event.source,
        event_id=event.event_id,
        timestamp=event.timestamp,
        channel=event.channel,
        type=mapped.type,
        attributes_json=_json(mapped.attributes),
        identifiers=tuple(valid),
        blocked=tuple(blocked),
        referrers=tuple(r for r in referrers if r not in set(valid)),
        issues=tuple(issues),
        junk=junk,
        source_type=mapped.source_type,
        source_attributes_json=_json(event.attributes) if mapped.renamed else None,
        unmapped=mapped.unmapped,
    )


def event_json_schema() -> dict[str, Any]:
    """The JSON Schema of one event (``graph/model/event.schema.json`` is this)."""
    schema = EventIn.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://idgraph.invalid/schemas/event.schema.json",
        **schema,
        "title": "idgraph event",
        "description": (
            "One observation: identifiers seen together at a time, on a channel, reported "
            "by a source system. One per line in JSON Lines files."
        ),
    }


def stored_attributes(text: object) -> dict[str, Any]:
    """An event's stored ``attributes`` (JSON text) as a mapping; anything else, {}.

    Readers of the graph use it: a missing, empty or non-object value is no attributes,
    never an error (events written by older versions, or by hand)."""
    if not isinstance(text, str) or not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
