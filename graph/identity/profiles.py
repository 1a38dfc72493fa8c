"""Who is this identity? Its profile: identifiers, shared identifiers, habits, history.

:func:`identity_profile` answers for one identity id with one of three things:

- :class:`IdentityProfile` for an active identity;
- :class:`MergedIdentity` for an id that was merged into another: where it lives on
  now, following chains of merges to their end (cycles and dangling targets raise
  :class:`MergeChainBroken` instead of looping);
- :class:`RetiredIdentity` for an identity all of whose identifiers became shared.

An unknown id raises :class:`~graph.errors.NotFound`, a malformed one
:class:`~graph.errors.InputError`. Everything is read in one read transaction, so the
parts of a profile agree with each other.

Identifier values are personal data. Every value a profile shows goes through one
function, ``show`` (:func:`graph.model.privacy.in_clear` by default; the API passes the
caller's role's, :func:`graph.access.keys.show_for`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graph.errors import InputError, MergeChainBroken, NotFound
from graph.model.ids import MAX_MERGE_HOPS, is_identity_id
from graph.model.privacy import ShowValue, in_clear
from graph.model.times import from_epoch_ms
from graph.store.gateway import GraphStore, Tx

__all__ = [
    "identity_status",
    "History",
    "HistoryEntry",
    "IdentityProfile",
    "MergedIdentity",
    "ProfileIdentifier",
    "ProfileLookup",
    "RetiredIdentity",
    "SharedIdentifier",
    "identity_profile",
]

#: How many of the most frequent channels are an identity's usual ones.
USUAL_CHANNELS = 3


@dataclass(frozen=True)
class ProfileIdentifier:
    """One identifier of an identity."""

    type: str
    value: str
    confidence: float | None
    first_seen: datetime | None
    last_seen: datetime | None
    event_count: int | None
    channels: list[str]
    shared: bool


@dataclass(frozen=True)
class SharedIdentifier:
    """A shared identifier (hub, boundary device or phone) the identity uses."""

    type: str
    value: str
    weight: float | None
    hub: bool
    identities: int
    """How many identities use it."""


@dataclass(frozen=True)
class HistoryEntry:
    identity_id: str
    at: datetime | None


@dataclass(frozen=True)
class History:
    merged_in: list[HistoryEntry] = field(default_factory=list)
    """Ids merged into this identity."""
    split_from: list[HistoryEntry] = field(default_factory=list)
    """Identities this one was split off."""
    split_into: list[HistoryEntry] = field(default_factory=list)
    """Parts split off this identity."""


@dataclass(frozen=True)
class IdentityProfile:
    """An active identity: what it is made of, and its habits."""

    identity_id: str
    status: str
    size: int | None
    cohesion: float | None
    created_at: datetime | None
    updated_at: datetime | None
    first_seen: datetime | None
    last_seen: datetime | None
    event_count: int
    identifiers: list[ProfileIdentifier]
    shared_identifiers: list[SharedIdentifier]
    channels: dict[str, int]
    """Events per channel, most frequent first."""
    usual_hours: list[int]
    """Events per hour of the day in UTC (24 counts, hour 0 first)."""
    usual_channels: list[str]
    history: History


@dataclass(frozen=True)
class MergedIdentity:
    """An id merged into another: ``merged_into`` is the end of the chain of merges."""

    identity_id: str
    merged_into: str
    chain: list[str]
    """Every id from the requested one to ``merged_into``, both included."""


@dataclass(frozen=True)
class RetiredIdentity:
    """An identity whose identifiers all became shared: it no longer exists."""

    identity_id: str
    retired_at: datetime | None


ProfileLookup = IdentityProfile | MergedIdentity | RetiredIdentity


def identity_profile(
    repo: GraphStore, identity_id: str, show: ShowValue = in_clear
) -> ProfileLookup:
    """The profile of ``identity_id``, or where it went.

    Args:
        repo: the graph.
        identity_id: a public identity id (``id_`` + 20 lowercase hex characters).
        show: how identifier values are shown (see :mod:`graph.model.privacy`).

    Raises:
        InputError: ``identity_id`` is not of the form of an identity id.
        NotFound: no identity has this id.
        MergeChainBroken: the id was merged, but its merges lead nowhere.
    """
    if not is_identity_id(identity_id):
        raise InputError(
            "an identity id is 'id_' followed by 20 lowercase hexadecimal characters",
            location="identity_id",
        )
    found = repo.read_transaction(lambda tx: _lookup(tx, identity_id, show))
    if found is None:
        raise NotFound("no identity has this id")
    return found


# --- inside the read transaction ------------------------------------------------------------


def _rows(tx: Tx, name: str, identity_id: str) -> list[dict[str, Any]]:
    return tx.rows(name, identity_id=identity_id)


def _header(tx: Tx, identity_id: str) -> dict[str, Any] | None:
    rows = _rows(tx, "identity/profile/header", identity_id)
    return rows[0] if rows else None


def identity_status(
    tx: Tx, identity_id: str
) -> dict[str, Any] | MergedIdentity | RetiredIdentity | None:
    """Inside a read transaction: the header row of an active identity, where a merged
    id went (merges followed to the end), a retired identity, or None for an unknown id.

    Raises:
        MergeChainBroken: the id was merged, but its merges lead nowhere.
    """
    header = _header(tx, identity_id)
    if header is None:
        return None
    status = str(header["status"])
    if status == "merged":
        chain = _follow_merges(tx, identity_id, header)
        return MergedIdentity(identity_id=identity_id, merged_into=chain[-1], chain=chain)
    if status == "retired":
        return RetiredIdentity(identity_id=identity_id, retired_at=_dt(header["updated_at"]))
    return header


def _lookup(tx: Tx, identity_id: str, show: ShowValue) -> ProfileLookup | None:
    found = identity_status(tx, identity_id)
    if found is None or isinstance(found, MergedIdentity | RetiredIdentity):
        return found
    return _profile(tx, found, show)


def _follow_merges(tx: Tx, identity_id: str, header: dict[str, Any]) -> list[str]:
    """Ids from ``identity_id`` to the first identity that is not merged, in order."""
    chain = [identity_id]
    while header["status"] == "merged":
        target = header["merged_into"]
        if not target:
            raise MergeChainBroken(f"identity {chain[-1]} is merged but names no target")
        target = str(target)
        if target in chain:
            raise MergeChainBroken(f"the merges of identity {identity_id} form a cycle")
        if len(chain) > MAX_MERGE_HOPS:
            raise MergeChainBroken(
                f"the merges of identity {identity_id} go on for more than {MAX_MERGE_HOPS} ids"
            )
        following = _header(tx, target)
        if following is None:
            raise MergeChainBroken(
                f"identity {chain[-1]} is merged into an identity that does not exist"
            )
        chain.append(target)
        header = following
    return chain


def _profile(tx: Tx, header: dict[str, Any], show: ShowValue) -> IdentityProfile:
    identity_id = str(header["identity_id"])
    identifiers = [
        ProfileIdentifier(
            type=str(r["type"]),
            value=show(str(r["type"]), str(r["value"])),
            confidence=_float(r["confidence"]),
            first_seen=_dt(r["first_seen"]),
            last_seen=_dt(r["last_seen"]),
            event_count=_int(r["event_count"]),
            channels=[str(c) for c in r["channels"]],
            shared=bool(r["shared"]),
        )
        for r in _rows(tx, "identity/profile/members", identity_id)
    ]
    shared = [
        SharedIdentifier(
            type=str(r["type"]),
            value=show(str(r["type"]), str(r["value"])),
            weight=_float(r["weight"]),
            hub=bool(r["hub"]),
            identities=int(r["identities"]),
        )
        for r in _rows(tx, "identity/profile/shared", identity_id)
    ]
    channels: Counter[str] = Counter()
    hours = [0] * 24
    for r in _rows(tx, "identity/profile/activity", identity_id):
        events = int(r["events"])
        channels[str(r["channel"])] += events
        if r["hour"] is not None and 0 <= int(r["hour"]) < 24:
            hours[int(r["hour"])] += events
    by_frequency = sorted(channels.items(), key=lambda kv: (-kv[1], kv[0]))
    history_rows = _rows(tx, "identity/profile/history", identity_id)
    first_seen = [i.first_seen for i in identifiers if i.first_seen is not None]
    last_seen = [i.last_seen for i in identifiers if i.last_seen is not None]
    return IdentityProfile(
        identity_id=identity_id,
        status=str(header["status"]),
        size=_int(header["size"]),
        cohesion=_float(header["cohesion"]),
        created_at=_dt(header["created_at"]),
        updated_at=_dt(header["updated_at"]),
        first_seen=min(first_seen, default=None),
        last_seen=max(last_seen, default=None),
        event_count=sum(channels.values()),
        identifiers=identifiers,
        shared_identifiers=shared,
        channels=dict(by_frequency),
        usual_hours=hours,
        usual_channels=[name for name, _ in by_frequency[:USUAL_CHANNELS]],
        history=_history(history_rows[0]) if history_rows else History(),
    )


def _history(row: Mapping[str, Any]) -> History:
    def entries(items: Any) -> list[HistoryEntry]:
        return [
            HistoryEntry(identity_id=str(e["identity_id"]), at=_dt(e["at"]))
            for e in items or []
            if e.get("identity_id") is not None
        ]

    return History(
        merged_in=entries(row["merged_in"]),
        split_from=entries(row["split_from"]),
        split_into=entries(row["split_into"]),
    )


def _dt(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else from_epoch_ms(value)


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) else None
