"""The rows of one ingest batch: what its new events saw, pre-aggregated, by position.

A batch is one statement (``ingest/write_batch``) whose rows point at each other by
position: the batch's identifiers sorted by key (so that concurrent writers take locks
in one order), each event's observations, the co-occurrence links pre-aggregated per
pair, the referrals, and the events whose type maps to no canonical one, counted per
source (:func:`batch_rows`). A :class:`Plan` holds a batch's rows once
the database has said which of its events are new, and decides which new identifiers
join an identity at once (:meth:`Plan.attachments`). Rows print as a count, never as
their values (:class:`Rows`). Pure: the store is :mod:`graph.ingest.batches`'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from graph.model.events import PreparedEvent
from graph.model.identifiers import Identifier
from graph.model.ids import identity_id_for
from graph.model.times import to_epoch_ms

__all__ = [
    "BatchRows",
    "Key",
    "Plan",
    "Rows",
    "batch_rows",
    "identifier_key",
]

Key = tuple[str, str]


def identifier_key(i: Identifier) -> Key:
    return (i.type, i.value)


class Rows(list[Any]):
    """Query parameter rows whose ``repr`` is a count, never the values.

    The driver formats every parameter for its debug log before it knows whether the
    log is on: for batches of thousands of rows that was 6% of ingest's Python time,
    and with the log on it would put identifiers, which are personal data, into it.
    """

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


@dataclass
class BatchRows:
    """What the new events of a batch saw, pre-aggregated: the parameters of
    ``ingest/write_batch``, where rows refer to identifiers by position."""

    keys: list[Key]
    params: dict[str, list[Any]]


def batch_rows(events: list[PreparedEvent]) -> BatchRows:
    """Pre-aggregate what ``events`` saw, identifiers and links sorted to take locks in
    one order."""
    idents: dict[Key, list[Any]] = {}  # key -> [first, last, count, blocked]
    # Per event: its time, its subjects' keys (sorted), its blocked and referrer keys.
    seen: list[tuple[int, list[Key], list[Key], list[Key]]] = []

    def touch(key: Key, at: int, blocked: bool, count: int) -> None:
        row = idents.get(key)
        if row is None:
            idents[key] = [at, at, count, blocked]
        else:
            if at < row[0]:
                row[0] = at
            if at > row[1]:
                row[1] = at
            row[2] += count

    for ev in events:
        at = to_epoch_ms(ev.timestamp)
        subjects = sorted({identifier_key(i) for i in ev.identifiers})
        blocked = [identifier_key(i) for i in ev.blocked]
        referrers = [identifier_key(i) for i in ev.referrers]
        for key in subjects:
            touch(key, at, False, 1)
        for key in blocked:
            touch(key, at, True, 1)
        for key in referrers:
            touch(key, at, False, 0)
        seen.append((at, subjects, blocked, referrers))
    keys = sorted(idents)
    pos = {key: k for k, key in enumerate(keys)}
    # Links keyed by identifier positions: positions follow key order, so a pair of
    # sorted subjects is already (smaller, larger), and sorting ints is cheap.
    links: dict[tuple[int, int], list[Any]] = {}  # -> [count, first, last, channels, sources]
    observations: list[list[Any]] = []  # role None: subject, stored as no property
    referrals: list[list[Any]] = []
    for n, (ev, (at, subjects, blocked, referrers)) in enumerate(zip(events, seen, strict=True)):
        places = [pos[key] for key in subjects]
        observations += [[n, k, None] for k in places]
        observations += [[n, pos[key], None] for key in blocked]
        for key in referrers:
            r = pos[key]
            observations.append([n, r, "referrer"])
            referrals += [[r, s, at, ev.source, ev.event_id] for s in places]
        for pair in combinations(places, 2):
            link = links.get(pair)
            if link is None:
                links[pair] = [1, at, at, [ev.channel], [ev.source]]
            else:
                link[0] += 1
                if at < link[1]:
                    link[1] = at
                if at > link[2]:
                    link[2] = at
                if ev.channel not in link[3]:
                    link[3].append(ev.channel)
                if ev.source not in link[4]:
                    link[4].append(ev.source)
    # Events whose type maps to nothing, counted per (source, type as sent).
    unmapped: dict[tuple[str, str], int] = {}
    for e in events:
        if e.unmapped:
            named = (e.source, e.source_type)
            unmapped[named] = unmapped.get(named, 0) + 1
    # Rows are lists, in the order `ingest/write_batch` documents: without a map's keys
    # they pack and unpack in about half the time.
    return BatchRows(
        keys=keys,
        params={
            "events": Rows(
                [
                    e.source,
                    e.event_id,
                    e.timestamp.isoformat(),
                    e.channel,
                    e.type,
                    e.attributes_json,
                    # The source's own type only where it differs: most sources send
                    # canonical names, and a missing property costs no record.
                    e.source_type if e.source_type and e.source_type != e.type else None,
                    e.source_attributes_json,
                ]
                for e in events
            ),
            "identifiers": Rows([*key, *idents[key]] for key in keys),
            "observations": Rows(observations),
            "links": Rows([a, b, *links[(a, b)]] for a, b in sorted(links)),
            "referrals": Rows(referrals),
            "unmapped": Rows([*named, n] for named, n in sorted(unmapped.items())),
        },
    )


class Plan:
    """One batch: its rows once the new events are known, and the incremental identity
    decisions for its new identifiers."""

    def __init__(self, events: list[PreparedEvent]) -> None:
        self.events = events
        # Rows for the whole batch, built by the thread that validates (while the
        # previous batch writes): a fresh batch writes every event.
        self.batch = self.everything = batch_rows(events)

    def event_keys(self) -> list[dict[str, Any]]:
        return Rows({"source": e.source, "event_id": e.event_id} for e in self.events)

    def rows(self, new: Sequence[int]) -> dict[str, list[Any]]:
        if len(new) == len(self.events):
            self.batch = self.everything
        else:
            self.batch = batch_rows([self.events[n] for n in new])
        return self.batch.params

    def attachments(self, unassigned: list[list[Any]]) -> list[dict[str, Any]]:
        """New identifiers join an identity when the evidence is unambiguous.

        Identifiers without identity are grouped by the batch's links among them; a
        group whose links reach exactly one identity joins it, a group that reaches
        none is a new person (its id derived like clustering's), and a group that
        reaches several waits for the next clustering run.
        """
        pending = {int(k): set(identities) for k, _node, identities in unassigned}
        node = {int(k): str(node_id) for k, node_id, _ in unassigned}
        parent = {k: k for k in pending}

        def find(k: int) -> int:
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        for a, b, *_ in self.batch.params.get("links", ()):
            if a in pending and b in pending:
                parent[find(a)] = find(b)
        groups: dict[int, list[int]] = {}
        for k in pending:
            groups.setdefault(find(k), []).append(k)
        keys = self.batch.keys
        out: list[dict[str, Any]] = []
        for members in groups.values():
            reached = set().union(*(pending[m] for m in members))
            if len(reached) == 1:
                target = next(iter(reached))
            elif not reached:
                anchor = min(f"{keys[m][0]}:{keys[m][1]}" for m in members)
                target = identity_id_for(anchor)
            else:
                continue
            out += [{"id": node[m], "identity_id": target} for m in members]
        return Rows(sorted(out, key=lambda r: (r["identity_id"], r["id"])))
