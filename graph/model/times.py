"""Times: epoch milliseconds (what hot queries carry) and time windows (pure)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from graph.errors import InputError

__all__ = ["from_epoch_ms", "time_window", "to_epoch_ms", "utc"]


def from_epoch_ms(value: Any) -> datetime | None:
    """An epoch-milliseconds integer (what hot queries return instead of date-times: the
    driver decodes those slowly) as an aware UTC datetime; anything else is None."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, UTC)
    return None


def to_epoch_ms(value: datetime) -> int:
    """An aware datetime as epoch milliseconds (the driver sends ints far faster than
    date-times; queries rebuild them with ``datetime({epochMillis: ...})``)."""
    return round(value.timestamp() * 1000)


def utc(value: datetime | None, name: str) -> datetime | None:
    """The time in UTC; one without a zone is read as UTC (Neo4j does not compare the two
    kinds, and refuses offsets beyond +/-18:00, which ISO 8601 allows).

    Raises:
        InputError: the time, in UTC, falls outside years 1 to 9999.
    """
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        message = f"{name} is out of range (years 1 to 9999, in UTC)"
        raise InputError(message, location=name) from None


def time_window(since: datetime | None, until: datetime | None) -> dict[str, datetime | None]:
    """``since`` and ``until`` in UTC as query parameters (a naive time is UTC).

    Raises:
        InputError: a time out of range, or ``since`` not before ``until``.
    """
    since, until = utc(since, "since"), utc(until, "until")
    if since is not None and until is not None and since >= until:
        raise InputError("since must be before until", location="until")
    return {"since": since, "until": until}
