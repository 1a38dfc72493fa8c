"""Who is this? Identifiers in; the identity, how sure we are, why, and what is odd.

The resolver normalises what the caller sends exactly as ingest does, looks the
identifiers up, and answers with one of five statuses:

- ``matched``: the known identifiers point at one identity;
- ``conflict``: they point at several identities (every candidate is listed);
- ``shared``: they are shared identifiers only (a shop kiosk, a family tablet): the
  identities that use them are the candidates, none is chosen;
- ``unclustered``: they are known but clustering has not placed them yet;
- ``unknown``: none of them has ever been seen.

For a matched identity it adds:

- ``confidence``: ``1 - prod(1 - c)`` over the given identifiers that are members,
  ``c`` being each one's calibrated membership confidence (0.5 before clustering has
  scored it): independent pieces of evidence that this is the person;
- ``flags`` (see :data:`FLAGS`), each with a reason;
- ``verification``: ``none``, ``standard`` or ``step_up`` (see :func:`verification_level`);
- ``evidence``: the links between the given identifiers and the identity's other
  identifiers, and the latest events behind each.

Habits (usual hours, usual channels) are measured in UTC over the identity's latest
500 events.

``ring_member`` and ``bot_suspected`` are fraud detection's verdicts (``graph/fraud/detect.py``,
run after clustering), read from the identity: raised exactly when its stored
``risk_flags`` holds them, the reason built from its ``ring_id``, ``ring_score`` and
``ring_reasons`` (``bot_score``, ``bot_reasons``). Nothing about rings is computed at
request time: a ring is judged on the whole graph, not around one caller. For an
identity detection has not scored yet (no ``risk_flags`` nor ``bot_score``: it formed
since the last run), a timing rule on its latest events, which the resolver reads for
habits anyway, stands in for the bot verdict (see ``BOT_*``); once scored, the stored
verdict alone counts, so the two never disagree in one answer.

A resolve is one Cypher statement (``identity/resolve/resolve``), so one round trip to Neo4j:
the lookup of the given identifiers and, when they point at one identity, its stored
risk, members, latest events and the evidence. The statement picks that identity by the
rule this module applies to the rows it finds (checked: the two must agree);
the statuses, confidence and flags are worked out here, after the transaction.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, get_args

from graph.errors import DatabaseError, InvalidIdentifier
from graph.model.identifiers import Normaliser
from graph.model.privacy import ShowValue, in_clear
from graph.model.times import from_epoch_ms
from graph.store.gateway import GraphStore, Tx

__all__ = [
    "FLAGS",
    "FlagName",
    "INTENT_RISK",
    "Flag",
    "IdentityResolver",
    "Resolution",
    "ResolveContext",
    "verification_level",
]

Status = Literal["matched", "conflict", "shared", "unclustered", "unknown"]
Verification = Literal["none", "standard", "step_up"]

#: The name of a flag the resolver may raise.
FlagName = Literal[
    "new_identifier",
    "identities_conflict",
    "unusual_hour",
    "unusual_channel",
    "shared_identifier",
    "ring_member",
    "bot_suspected",
]
#: Every flag the resolver may raise.
FLAGS: tuple[str, ...] = get_args(FlagName)

#: How risky the caller's intent is: what a mistaken identification would cost.
INTENT_RISK: dict[str, str] = {
    "information": "low",
    "deposit": "low",
    "purchase": "medium",
    "address_change": "high",
    "withdrawal": "high",
    "transfer": "high",
}

# Thresholds of the flags, each with its reason.
RECENT = 500
"""Habits and timing are judged on the identity's latest this many events."""
NEW_DAYS = 7
"""An identifier first seen less than this many days ago is new for a known person."""
MIN_HABIT_EVENTS = 5
"""Habits are judged only with at least this many events."""
RARE_SHARE = 0.05
"""An hour (within one hour either side) or a channel holding less than this share of
the identity's events is unusual for it."""
EVIDENCE_LINKS, EVIDENCE_EVENTS = 5, 3
"""Evidence: each given identifier's 5 heaviest links, and the 3 latest events behind each."""
BOT_MIN_EVENTS, BOT_MAX_MEDIAN_GAP_S, BOT_REGULAR_SHARE = 20, 10.0, 0.8
"""At least 20 events, a median of at most 10 s between them, and at least 80% of the
gaps within half to one and a half times that median: machine timing (people pause)."""


@dataclass(frozen=True)
class ResolveContext:
    """What the caller knows about the moment: all optional."""

    channel: str | None = None
    timestamp: datetime | None = None
    """When the contact happens (default: now)."""
    intent: str | None = None
    """One of :data:`INTENT_RISK`'s keys."""
    at: datetime | None = None
    """Whose identifiers at this time: a recycled phone number or a resold device
    answers its owner then (default: ``timestamp``, else now: the current owner)."""


@dataclass(frozen=True)
class Flag:
    name: str
    reason: str


@dataclass
class Resolution:
    """The answer to one resolve request."""

    status: Status
    identity_id: str | None
    candidates: list[str]
    matched: list[dict[str, Any]]
    unknown: list[dict[str, Any]]
    invalid: list[dict[str, Any]]
    identifiers: list[dict[str, Any]] = field(default_factory=list)
    confidence: float = 0.0
    flags: list[Flag] = field(default_factory=list)
    verification: Verification = "standard"
    evidence: list[dict[str, Any]] = field(default_factory=list)


def verification_level(
    status: Status, confidence: float, flags: Sequence[Flag], intent: str | None
) -> Verification:
    """How much the agent or the site should check before going on.

    - ``step_up`` (extra checks: a one-time code, security questions): the input points
      at several identities, at a ring member or a bot; or the identity is matched with
      less than 0.5 confidence; or a high-risk intent (withdrawal, transfer, address
      change) comes with anything less than a clean, near-certain match.
    - ``none`` (skip the identification questions): a match with at least 0.95
      confidence, no flag, and a low- or medium-risk intent (or none).
    - ``standard`` otherwise, including unknown callers (the usual questions).
    """
    names = {f.name for f in flags}
    risk = INTENT_RISK.get(intent or "", "low")
    if names & {"identities_conflict", "ring_member", "bot_suspected"}:
        return "step_up"
    if status != "matched":
        return "step_up" if risk == "high" and status != "unknown" else "standard"
    if confidence < 0.5:
        return "step_up"
    if risk == "high" and (names or confidence < 0.99):
        return "step_up"
    if confidence >= 0.95 and not names and risk != "high":
        return "none"
    return "standard"


class IdentityResolver:
    """Resolves identifiers to identities against the graph."""

    def __init__(self, repo: GraphStore, normaliser: Normaliser) -> None:
        self.repo = repo
        self.normaliser = normaliser

    def resolve(
        self,
        items: list[tuple[str, str]],
        context: ResolveContext | None = None,
        show: ShowValue = in_clear,
    ) -> Resolution:
        """Resolve ``(type, raw value)`` pairs.

        Invalid identifiers are reported (by position and reason) and do not stop
        the others from being resolved. ``show`` renders every identifier value of the
        answer (masking for callers who may not see values).
        """
        context = context or ResolveContext()
        wanted: list[dict[str, Any]] = []
        invalid: list[dict[str, Any]] = []
        for n, (type_, raw) in enumerate(items):
            try:
                ident = self.normaliser.normalise(type_, raw)
            except InvalidIdentifier as e:
                invalid.append({"index": n, "type": type_[:40], "reason": str(e)})
                continue
            wanted.append({"index": n, "type": ident.type, "value": ident.value})
        keys = [{"type": w["type"], "value": w["value"]} for w in wanted]
        when = context.at or context.timestamp
        at = round(when.timestamp() * 1000) if when is not None else None
        fetched = self.repo.read_transaction(lambda tx: _fetch(tx, keys, at))
        return _answer(wanted, invalid, fetched, context, show)


def _fetch(tx: Tx, keys: list[dict[str, str]], at: int | None = None) -> dict[str, Any]:
    """The whole read of a resolve: one statement, one round trip.

    ``at`` (epoch ms, None: now): the time whose owners handed-over identifiers answer.
    """
    record = tx.raw_single(
        "identity/resolve/resolve",
        identifiers=keys,
        at=at,
        recent=RECENT,
        links=EVIDENCE_LINKS,
        events=EVIDENCE_EVENTS,
    )
    if record is None:  # the statement aggregates: it always returns one row
        raise DatabaseError("identity/resolve/resolve returned no row")
    return record


def _answer(
    wanted: list[dict[str, Any]],
    invalid: list[dict[str, Any]],
    fetched: dict[str, Any],
    context: ResolveContext,
    show: ShowValue,
) -> Resolution:
    found = {(r["type"], r["value"]): r for r in fetched["found"]}
    matched: list[dict[str, Any]] = []
    unknown: list[dict[str, Any]] = []
    for w in wanted:
        row = found.get((w["type"], w["value"]))
        if row is None:
            unknown.append(w)
        else:
            matched.append({**w, **row})
    usable = [m for m in matched if not m["blocked"]] or matched
    members = [m for m in usable if m["identity_id"]]
    candidates = sorted({m["identity_id"] for m in members})
    shared = [m for m in usable if m["shared"]]
    if not matched:
        status: Status = "unknown"
    elif len(candidates) > 1:
        status = "conflict"
    elif candidates:
        status = "matched"
    elif shared:
        status = "shared"
        candidates = sorted({p for m in shared for p in m["used_by"]})
    else:
        status = "unclustered"
    flags: list[Flag] = []
    if len(candidates) > 1 and status == "conflict":
        flags.append(
            Flag("identities_conflict", f"the identifiers point at {len(candidates)} identities")
        )
    if shared:
        most = max(int(m["used_by_count"]) for m in shared)
        flags.append(
            Flag(
                "shared_identifier",
                f"{len(shared)} of the identifiers are shared (used by up to {most} identities)",
            )
        )
    identity_id = candidates[0] if status == "matched" else None
    identifiers: list[dict[str, Any]] = []
    evidence: list[dict[str, Any]] = []
    confidence = 0.0
    if identity_id is not None:
        now = context.timestamp or datetime.now(UTC)
        if fetched["identity_id"] != identity_id:
            # The statement applies the same rule (identity/resolve/resolve.cypher): a bug.
            raise RuntimeError("resolve: the query chose another identity than the rule")
        identifiers = fetched["members"]
        evidence = fetched["evidence"]
        recent: list[list[Any]] = fetched["recent"]
        confidence = 1.0 - math.prod(
            1.0 - float(m["confidence"] if m["confidence"] is not None else 0.5) for m in members
        )
        flags += _new_identifier(wanted, unknown, matched, identity_id, identifiers, now)
        flags += _habits(recent, context.channel, now)
        flags += _stored_risk(fetched)
        if not _scored(fetched):
            flags += _bot([int(at) for at, _ in recent if at is not None])
    for row in (*matched, *identifiers, *evidence):
        for key in ("first_seen", "last_seen"):
            if key in row:
                row[key] = from_epoch_ms(row[key])
    for e in evidence:
        for event in e["events"]:
            event["timestamp"] = from_epoch_ms(event["timestamp"])
    for m in matched:
        for h in m.get("handovers") or ():
            h["until"] = from_epoch_ms(h["until"])
    for i in identifiers:
        tie = i.get("tie")
        if tie is not None:
            names, values = tie.pop("signals") or [], tie.pop("values") or []
            tie["signals"] = {str(k): float(v) for k, v in zip(names, values, strict=False)}
    for m in matched:
        m.pop("used_by", None)
        m["value"] = show(m["type"], m["value"])
    for u in unknown:
        u["value"] = show(u["type"], u["value"])
    for i in identifiers:
        i["value"] = show(i["type"], i["value"])
    for e in evidence:
        e["value"] = show(e["type"], e["value"])
        e["other_value"] = show(e["other_type"], e["other_value"])
    return Resolution(
        status=status,
        identity_id=identity_id,
        candidates=candidates,
        matched=matched,
        unknown=unknown,
        invalid=invalid,
        identifiers=identifiers,
        confidence=round(confidence, 4),
        flags=flags,
        verification=verification_level(status, confidence, flags, context.intent),
        evidence=evidence,
    )


def _ms(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _new_identifier(
    wanted: list[dict[str, Any]],
    unknown: list[dict[str, Any]],
    matched: list[dict[str, Any]],
    identity_id: str,
    identifiers: list[dict[str, Any]],
    now: datetime,
) -> list[Flag]:
    """An identifier the identity has never (or only just) been seen with."""
    firsts = [f for f in (_ms(i["first_seen"]) for i in identifiers) if f is not None]
    oldest = min(firsts, default=None)
    recent = now.timestamp() * 1000 - NEW_DAYS * 86_400_000
    fresh = [m for m in matched if m["identity_id"] == identity_id and not m["shared"]]
    fresh = [
        m
        for m in fresh
        if (f := _ms(m["first_seen"])) is not None
        and f > recent
        and oldest is not None
        and oldest <= recent
    ]
    outsiders = [m for m in matched if not m["identity_id"] and not m["shared"]]
    count = len(unknown) + len(fresh) + len(outsiders)
    if not count or len(wanted) == count:
        return []
    return [
        Flag(
            "new_identifier",
            f"{count} of the identifiers {'is' if count == 1 else 'are'} new for this identity "
            f"(never seen with it, or first seen less than {NEW_DAYS} days ago)",
        )
    ]


def _habits(recent: list[list[Any]], channel: str | None, now: datetime) -> list[Flag]:
    """An hour or a channel this identity (almost) never uses, over its latest events.

    ``recent`` holds ``[at (epoch ms or None), channel]`` pairs.
    """
    total = len(recent)
    if total < MIN_HABIT_EVENTS:
        return []
    flags: list[Flag] = []
    hours: Counter[int] = Counter(
        datetime.fromtimestamp(int(at) / 1000, UTC).hour for at, _ in recent if at is not None
    )
    timed = sum(hours.values())
    hour = now.astimezone(UTC).hour
    near = sum(hours[(hour + d) % 24] for d in (-1, 0, 1))
    if timed >= MIN_HABIT_EVENTS and near / timed < RARE_SHARE:
        flags.append(
            Flag(
                "unusual_hour",
                f"{near} of its {timed} events happened within an hour of {hour:02d}:00 UTC",
            )
        )
    if channel:
        used = sum(1 for _, c in recent if c == channel)
        if used / total < RARE_SHARE:
            flags.append(
                Flag("unusual_channel", f"{used} of its {total} events came through this channel")
            )
    return flags


def _scored(stored: Mapping[str, Any]) -> bool:
    """Whether fraud detection has scored the identity (its properties are absent before)."""
    return stored["risk_flags"] is not None or stored["bot_score"] is not None


def _reasons(head: str, reasons: Any) -> str:
    listed = [str(r) for r in reasons or [] if r]
    return f"{head}: {'; '.join(listed)}" if listed else head


def _stored_risk(stored: Mapping[str, Any]) -> list[Flag]:
    """``ring_member`` and ``bot_suspected`` exactly as fraud detection stored them."""
    risk_flags = set(stored["risk_flags"] or ())
    flags: list[Flag] = []
    if "ring_member" in risk_flags:
        head = "member of a fraud ring"
        if stored["ring_id"]:
            head = f"member of ring {stored['ring_id']}"
            if isinstance(stored["ring_score"], int | float):
                head += f" (score {stored['ring_score']:.2f})"
        flags.append(Flag("ring_member", _reasons(head, stored["ring_reasons"])))
    if "bot_suspected" in risk_flags:
        head = "bot suspected"
        if isinstance(stored["bot_score"], int | float):
            head += f" (score {stored['bot_score']:.2f})"
        flags.append(Flag("bot_suspected", _reasons(head, stored["bot_reasons"])))
    return flags


def _bot(times_ms: list[int]) -> list[Flag]:
    """Events at machine speed and machine regularity."""
    if len(times_ms) < BOT_MIN_EVENTS:
        return []
    ordered = sorted(times_ms)
    gaps = [(b - a) / 1000 for a, b in zip(ordered, ordered[1:], strict=False)]
    median = statistics.median(gaps)
    regular = sum(1 for g in gaps if 0.5 * median <= g <= 1.5 * median) / len(gaps)
    if median <= BOT_MAX_MEDIAN_GAP_S and regular >= BOT_REGULAR_SHARE:
        return [
            Flag(
                "bot_suspected",
                f"{len(times_ms)} events a median {median:.1f} s apart, "
                f"{regular:.0%} of them at that pace",
            )
        ]
    return []
