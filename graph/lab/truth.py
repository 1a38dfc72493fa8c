"""The ground truth of a simulated world: who owns each identifier, and what was planted.

The truth (:class:`Truth`, read from ``truth.json`` by :func:`load_truth`) is what
:mod:`graph.lab.simulate` writes beside its events and what :mod:`graph.lab.metrics`
scores a clustering against. Reading it checks its shape and names the field that is
wrong, never a value.

``truth.json``, version 2 (all person ids are ``p`` + six digits)::

    {"version": 2,
     "owners": {"email:jean@example.fr": "p000001", ...},
     "shared": {"device:tab-...": ["p000001", "p000002"], ...},
     "shared_kinds": {"device:tab-...": "household", ...},
     "people": {"p000001": {"kind": "person", "household": "h0001", "ring": null}, ...},
     "households": {"h0001": ["p000001", "p000002"], ...},
     "rings": {"r001": ["p000100", ...], ...},
     "bots": ["p000200", ...],
     "referrals": [["p000001", "p000005", "2026-03-04T10:00:00Z"], ...],
     "handovers": {"phone:+33612345678": [["p000003", "2023-05-01T09:00:00Z",
                                          "2025-11-02T18:00:00Z"],
                                         ["p000042", "2026-03-09T11:00:00Z",
                                          "2026-05-30T14:00:00Z"]], ...},
     "replacements": [["p000007", "card:tok_...", "card:tok_...", "2026-04-01T12:00:00Z"], ...]}

``owners`` holds the identifiers used by exactly one person; ``shared`` those used by
several (sorted person ids), and ``shared_kinds`` why: ``household`` (family tablet,
home landline), ``kiosk`` (shop device), ``staff`` (address typed by agents) or
``ring`` (devices, phones and cards pooled by a fraud ring). ``kind`` is ``person``,
``synthetic`` (a fake identity of a fraud ring) or ``bot``. A referral is
``[referrer, referee, timestamp of the referral event]``.

``handovers`` (optional, empty when absent) holds the identifiers that changed hands in
time: a recycled phone number, a resold device. Each maps to its tenures in time order,
``[person, first sighting, last sighting]`` with no overlap: whoever is asked about it
at a time inside a tenure should answer that person, so a handed-over identifier is
neither in ``owners`` (it has several) nor in ``shared`` (never two at once).
``replacements`` (optional) lists the cards replaced on the same person:
``[person, old card, new card, time of the new card's first event]``; both cards are in
``owners``. A person's ``traits`` (optional, empty when absent) name the real-data
phenomena of :mod:`graph.lab.phenomena` they take part in (``long_standing``,
``second_email``, ``account``, ``card_replaced``, ``phone_recycled`` /
``phone_reassigned``, ``device_resold`` / ``device_bought``, ``couple``); a couple's
e-mail is shared with ``shared_kinds`` ``couple``.

Version 1 is the older flat object ``{"type:value": "person id"}``: owners only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from graph.errors import InputError

__all__ = [
    "TRUTH_VERSION",
    "PersonInfo",
    "Referral",
    "Replacement",
    "Tenure",
    "Truth",
    "load_truth",
]

TRUTH_VERSION = 2
_PERSON_KINDS = frozenset({"person", "synthetic", "bot"})


class Referral(NamedTuple):
    """One referral: ``referrer`` brought ``referee`` in, at ``timestamp`` (RFC 3339)."""

    referrer: str
    referee: str
    timestamp: str


class Tenure(NamedTuple):
    """One holder of a handed-over identifier: ``person`` used it from ``first`` to ``last``."""

    person: str
    first: str
    last: str


class Replacement(NamedTuple):
    """``person`` replaced card ``old`` (a key) by ``new`` at ``timestamp`` (RFC 3339)."""

    person: str
    old: str
    new: str
    timestamp: str


@dataclass(frozen=True)
class PersonInfo:
    """What the truth knows about one person.

    Attributes:
        kind: ``person``, ``synthetic`` (a fake identity of a fraud ring) or ``bot``.
        household: the household id, for people who share a home.
        ring: the fraud ring id, for synthetic identities.
        traits: the real-data phenomena the person takes part in (see the module
            docstring), sorted.
    """

    kind: str = "person"
    household: str | None = None
    ring: str | None = None
    traits: tuple[str, ...] = ()


@dataclass(frozen=True)
class Truth:
    """The ground truth of a world; see the module docstring for its JSON form.

    Attributes:
        owners: ``type:normalised value`` -> person id, for identifiers used by
            exactly one person: the only ones a clustering can be scored on.
        shared: identifiers used by several people -> their sorted person ids.
        shared_kinds: shared identifier -> why it is shared (household, kiosk,
            staff, ring).
        people: person id -> :class:`PersonInfo` (empty in version 1).
        households: household id -> members.
        rings: fraud ring id -> its synthetic identities.
        bots: person ids of the bots.
        referrals: who referred whom, and when.
        handovers: handed-over identifier -> its tenures, in time order.
        replacements: cards replaced on the same person.
        version: 2, or 1 when read from the old flat format.
    """

    owners: Mapping[str, str]
    shared: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    shared_kinds: Mapping[str, str] = field(default_factory=dict)
    people: Mapping[str, PersonInfo] = field(default_factory=dict)
    households: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    rings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    bots: tuple[str, ...] = ()
    referrals: tuple[Referral, ...] = ()
    handovers: Mapping[str, tuple[Tenure, ...]] = field(default_factory=dict)
    replacements: tuple[Replacement, ...] = ()
    version: int = TRUTH_VERSION

    def holder_at(self, key: str, at: str) -> str | None:
        """Who held a handed-over identifier at ``at`` (RFC 3339 UTC, ``...Z``).

        Between two tenures the earlier holder still answers: nobody else had used it
        yet. Before the first tenure, and for identifiers never handed over, None.
        """
        holder: str | None = None
        for tenure in self.handovers.get(key, ()):
            if tenure.first <= at:
                holder = tenure.person
        return holder

    def as_dict(self) -> dict[str, Any]:
        """The version 2 JSON object (always version 2, even when read from version 1)."""
        return {
            "version": TRUTH_VERSION,
            "owners": dict(self.owners),
            "shared": {key: list(people) for key, people in self.shared.items()},
            "shared_kinds": dict(self.shared_kinds),
            "people": {pid: asdict(info) for pid, info in self.people.items()},
            "households": {h: list(members) for h, members in self.households.items()},
            "rings": {r: list(members) for r, members in self.rings.items()},
            "bots": list(self.bots),
            "referrals": [list(r) for r in self.referrals],
            "handovers": {
                key: [list(t) for t in tenures] for key, tenures in self.handovers.items()
            },
            "replacements": [list(r) for r in self.replacements],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Truth:
        """Read a version 2 object, or a version 1 flat ``{key: person}`` object.

        Raises:
            InputError: the object is neither (the message names the field, no values).
        """
        if "version" not in data:
            if not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
                raise InputError(
                    "truth: a version 1 truth maps identifier keys to person ids (strings)",
                    location="truth",
                )
            return cls(owners=dict(data), version=1)
        if data["version"] != TRUTH_VERSION:
            raise InputError(
                f"truth: unsupported version (this reads 1 and {TRUTH_VERSION})",
                location="version",
            )
        return cls(
            owners=_str_map(data.get("owners", {}), "owners"),
            shared={
                key: tuple(_str_list(people, f"shared.{n}"))
                for n, (key, people) in enumerate(_mapping(data.get("shared", {}), "shared"))
            },
            shared_kinds=_str_map(data.get("shared_kinds", {}), "shared_kinds"),
            people={
                pid: _person_info(info, f"people.{n}")
                for n, (pid, info) in enumerate(_mapping(data.get("people", {}), "people"))
            },
            households={
                h: tuple(_str_list(members, f"households.{n}"))
                for n, (h, members) in enumerate(_mapping(data.get("households", {}), "households"))
            },
            rings={
                r: tuple(_str_list(members, f"rings.{n}"))
                for n, (r, members) in enumerate(_mapping(data.get("rings", {}), "rings"))
            },
            bots=tuple(_str_list(data.get("bots", []), "bots")),
            referrals=tuple(
                _referral(item, f"referrals[{n}]")
                for n, item in enumerate(_list(data.get("referrals", []), "referrals"))
            ),
            handovers={
                key: tuple(
                    _tenure(item, f"handovers.{n}[{k}]")
                    for k, item in enumerate(_list(tenures, f"handovers.{n}"))
                )
                for n, (key, tenures) in enumerate(_mapping(data.get("handovers", {}), "handovers"))
            },
            replacements=tuple(
                _replacement(item, f"replacements[{n}]")
                for n, item in enumerate(_list(data.get("replacements", []), "replacements"))
            ),
        )


def _bad(location: str, what: str) -> InputError:
    return InputError(f"truth: {location} must be {what}", location=location)


def _mapping(obj: object, location: str) -> list[tuple[str, Any]]:
    if not isinstance(obj, Mapping) or not all(isinstance(k, str) for k in obj):
        raise _bad(location, "an object")
    return list(obj.items())


def _list(obj: object, location: str) -> list[Any]:
    if not isinstance(obj, list):
        raise _bad(location, "a list")
    return obj


def _str_map(obj: object, location: str) -> dict[str, str]:
    items = _mapping(obj, location)
    if not all(isinstance(v, str) for _, v in items):
        raise _bad(location, "an object of strings")
    return dict(items)


def _str_list(obj: object, location: str) -> list[str]:
    items = _list(obj, location)
    if not all(isinstance(v, str) for v in items):
        raise _bad(location, "a list of strings")
    return items


def _optional_str(obj: object, location: str) -> str | None:
    if obj is not None and not isinstance(obj, str):
        raise _bad(location, "a string or null")
    return obj


def _person_info(obj: object, location: str) -> PersonInfo:
    if not isinstance(obj, Mapping):
        raise _bad(location, "an object")
    kind = obj.get("kind", "person")
    if kind not in _PERSON_KINDS:
        raise _bad(f"{location}.kind", "person, synthetic or bot")
    return PersonInfo(
        kind=kind,
        household=_optional_str(obj.get("household"), f"{location}.household"),
        ring=_optional_str(obj.get("ring"), f"{location}.ring"),
        traits=tuple(_str_list(obj.get("traits", []), f"{location}.traits")),
    )


def _referral(obj: object, location: str) -> Referral:
    items = _str_list(obj, location)
    if len(items) != 3:
        raise _bad(location, "[referrer, referee, timestamp]")
    return Referral(*items)


def _tenure(obj: object, location: str) -> Tenure:
    items = _str_list(obj, location)
    if len(items) != 3:
        raise _bad(location, "[person, first seen, last seen]")
    return Tenure(*items)


def _replacement(obj: object, location: str) -> Replacement:
    items = _str_list(obj, location)
    if len(items) != 4:
        raise _bad(location, "[person, old card, new card, timestamp]")
    return Replacement(*items)


def load_truth(path: Path) -> Truth:
    """Read ``truth.json`` (version 2, or the version 1 flat object).

    Raises:
        InputError: not JSON, or not a truth object.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise InputError(f"{path.name}: not JSON ({e.msg})", location=f"line {e.lineno}") from e
    if not isinstance(data, dict):
        raise InputError(f"{path.name}: the truth must be a JSON object", location="truth")
    return Truth.from_dict(data)
