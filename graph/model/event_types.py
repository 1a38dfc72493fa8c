"""Canonical event types and attribute names, and the per-source mapping onto them.

Sources name things their own way (``payment_declined``, ``amt``, ``receiver``...);
fraud, bot and profile logic must not learn every source's vocabulary, so ingest maps
each event onto the canonical names below and keeps what the source sent beside them.
The mapping is data: defaults in ``graph/model/event_types.yaml`` (next to this
module), extended and overridden by a file of the same format named by the setting
``IDGRAPH_EVENT_TYPES`` (:func:`load_event_types`).

An event whose type maps to nothing keeps its place in the graph with type
:data:`EVENT` and is counted per source (:attr:`MappedEvent.unmapped`), so that an
operator sees which vocabulary is missing instead of losing the events or, worse,
having them silently read as something they are not. Pure: no I/O but reading the
mapping files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from graph.errors import ConfigurationError

__all__ = [
    "AMOUNT",
    "CALL",
    "CANONICAL_ATTRIBUTES",
    "CANONICAL_TYPES",
    "CARD_ADDED",
    "CHARGEBACK",
    "CURRENCY",
    "EMAIL_CLICK",
    "EMAIL_OPEN",
    "EVENT",
    "LOGIN",
    "LOGOUT",
    "OUTCOME",
    "PAGE_VIEW",
    "PAYMENT_FAILED",
    "PROFILE_UPDATE",
    "PURCHASE",
    "RATING",
    "REASON",
    "REFUND",
    "REVIEW",
    "SIGNUP",
    "STORE_VISIT",
    "TO_ACCOUNT",
    "TRANSFER",
    "WILDCARD",
    "EventTypeMap",
    "MappedEvent",
    "SourceMapping",
    "default_event_types",
    "load_event_types",
]

# --- canonical event types --------------------------------------------------------------

SIGNUP = "signup"
LOGIN = "login"
LOGOUT = "logout"
PAGE_VIEW = "page_view"
PURCHASE = "purchase"
PAYMENT_FAILED = "payment_failed"
CHARGEBACK = "chargeback"
REFUND = "refund"
REVIEW = "review"
TRANSFER = "transfer"
CARD_ADDED = "card_added"
CALL = "call"
EMAIL_OPEN = "email_open"
EMAIL_CLICK = "email_click"
STORE_VISIT = "store_visit"
PROFILE_UPDATE = "profile_update"
EVENT = "event"

CANONICAL_TYPES: Mapping[str, str] = {
    SIGNUP: "an account was opened (``referred_by`` names who brought the person in)",
    LOGIN: "a person authenticated on a channel (web, app...)",
    LOGOUT: "a session was closed by the person",
    PAGE_VIEW: "a page or screen was shown (anonymous browsing included)",
    PURCHASE: "an order was paid (``amount``)",
    PAYMENT_FAILED: "a payment was refused (``amount``, ``reason``): a ring signal",
    CHARGEBACK: (
        "a payment was disputed and reversed by the card holder's bank: confirmed fraud, "
        "a label for risk scoring"
    ),
    REFUND: "the merchant gave money back (``amount``, ``reason``); not a fraud label",
    REVIEW: "the person rated something (``rating``, a number; low ones are a ring signal)",
    TRANSFER: "money sent to another account (``amount``, ``to_account`` the receiver)",
    CARD_ADDED: "a payment card was attached to the account (card churn is a risk signal)",
    CALL: "a contact-centre call (the caller's phone among the identifiers)",
    EMAIL_OPEN: "a marketing or service e-mail was opened",
    EMAIL_CLICK: "a link in an e-mail was followed",
    STORE_VISIT: "the person was seen in a physical shop",
    PROFILE_UPDATE: "the person changed their account details (e-mail, phone...)",
    EVENT: (
        "the fallback: the source's type maps to nothing known (counted per source), or "
        "the source sent no type"
    ),
}
"""Every canonical event type and what it means; readers test ``type`` against these."""

# --- canonical attribute names ----------------------------------------------------------

AMOUNT = "amount"
CURRENCY = "currency"
RATING = "rating"
TO_ACCOUNT = "to_account"
REASON = "reason"
OUTCOME = "outcome"

CANONICAL_ATTRIBUTES: Mapping[str, str] = {
    AMOUNT: "money involved, a number in the source's currency",
    CURRENCY: "ISO 4217 code of ``amount`` when the source gives one",
    RATING: "a review's rating, a number (1 to 5 in the sources seen so far)",
    TO_ACCOUNT: "a transfer's counterpart: the receiving account's id in the source",
    REASON: "why something failed or was reversed (``card_declined``, ``fraud``...)",
    OUTCOME: "how something ended (a call's result, a verdict...)",
}
"""Canonical attribute names; attributes with other names are kept as sent."""

WILDCARD = "*"
"""The source name whose entries apply to every source (after the source's own)."""

_DEFAULTS = "event_types.yaml"


# --- the mapping ------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceMapping:
    """One source's entries: its event types and attribute names onto canonical ones.

    Keys are lower-case (look-ups ignore case); values are canonical names.
    """

    types: Mapping[str, str] = field(default_factory=dict)
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MappedEvent:
    """An event's type and attributes in canonical names, and what the source sent.

    Attributes:
        type: the canonical event type (:data:`EVENT` when nothing maps).
        source_type: the type exactly as the source sent it.
        attributes: the attributes under canonical names where a name maps (an
            attribute the source already sent under the canonical name wins, and the
            one that would have replaced it keeps its own name).
        renamed: whether any attribute name changed (then the original attributes are
            worth keeping beside these).
        unmapped: the source's type maps to nothing: stored as :data:`EVENT` and
            counted per source and type.
    """

    type: str
    source_type: str
    attributes: Mapping[str, Any]
    renamed: bool
    unmapped: bool


@dataclass(frozen=True)
class EventTypeMap:
    """The per-source mapping onto canonical names (see the module docstring).

    Args:
        sources: per source name (:data:`WILDCARD` for every source), its entries.
    """

    sources: Mapping[str, SourceMapping]
    _merged: dict[str, tuple[dict[str, str], dict[str, str]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def _for(self, source: str) -> tuple[dict[str, str], dict[str, str]]:
        """The source's entries over the wildcard's, merged once per source name."""
        merged = self._merged.get(source)
        if merged is None:
            star = self.sources.get(WILDCARD, SourceMapping())
            own = self.sources.get(source, SourceMapping())
            merged = (
                {**star.types, **own.types},
                {**star.attributes, **own.attributes},
            )
            self._merged[source] = merged  # a benign race: every thread computes the same
        return merged

    def event_type(self, source: str, source_type: str) -> tuple[str, bool]:
        """The canonical type of a source's event type, and whether it maps to nothing."""
        types, _ = self._for(source)
        key = source_type.lower()
        found = types.get(key)
        if found is not None:
            return found, False
        if key in CANONICAL_TYPES:
            return key, False
        return EVENT, True

    def map_event(
        self, source: str, source_type: str, attributes: Mapping[str, Any]
    ) -> MappedEvent:
        """Map one event's type and attribute names onto canonical ones."""
        canonical, unmapped = self.event_type(source, source_type)
        _, names = self._for(source)
        out: Mapping[str, Any] = attributes
        renamed = False
        if attributes:
            moved: dict[str, Any] = {}
            for name, value in attributes.items():
                low = name.lower()
                target = names.get(low) or (low if low in CANONICAL_ATTRIBUTES else None)
                if target is None or target == name or target in attributes or target in moved:
                    moved[name] = value  # the canonical name is taken: kept as sent
                    continue
                moved[target] = value
                renamed = True
            if renamed:
                out = moved
        return MappedEvent(
            type=canonical,
            source_type=source_type,
            attributes=out,
            renamed=renamed,
            unmapped=unmapped,
        )


# --- loading ----------------------------------------------------------------------------


def _problem(where: str, place: str, what: str) -> ConfigurationError:
    return ConfigurationError(f"event type mapping {where}: {place}: {what}")


def _names(
    where: str, place: str, raw: object, canonical: Mapping[str, str], kind: str
) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _problem(where, place, f"must be a mapping of names to {kind}s")
    out: dict[str, str] = {}
    for key, value in raw.items():
        at = f"{place}.{key}"
        if not isinstance(key, str) or not key.strip():
            raise _problem(where, f"{place}[{key!r}]", "a name must be a non-blank string")
        if not isinstance(value, str):
            raise _problem(where, at, f"must map to a {kind} (a string)")
        target = value.strip().lower()
        if target not in canonical:
            raise _problem(where, at, f"{value!r} is not a {kind} (known: {', '.join(canonical)})")
        out[key.strip().lower()] = target
    return out


def _parse(text: str, where: str) -> dict[str, SourceMapping]:
    """The sources of one mapping file, checked (``where`` names it in errors)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        place = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "file"
        problem = getattr(e, "problem", None) or "not valid YAML"
        raise _problem(where, place, str(problem)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _problem(where, "top level", "must be a mapping with a `sources` key")
    unknown = sorted(str(k) for k in data if k != "sources")
    if unknown:
        raise _problem(where, unknown[0], "unknown key (only `sources` is read)")
    sources = data.get("sources") or {}
    if not isinstance(sources, dict):
        raise _problem(where, "sources", "must be a mapping of source names")
    out: dict[str, SourceMapping] = {}
    for name, entry in sources.items():
        place = f"sources.{name}"
        if not isinstance(name, str) or not name.strip():
            raise _problem(where, f"sources[{name!r}]", "a source name must be a non-blank string")
        if entry is None:
            entry = {}
        if not isinstance(entry, dict):
            raise _problem(where, place, "must be a mapping with `types` and/or `attributes`")
        extra = sorted(str(k) for k in entry if k not in ("types", "attributes"))
        if extra:
            raise _problem(where, f"{place}.{extra[0]}", "unknown key (types or attributes)")
        out[name.strip()] = SourceMapping(
            types=_names(
                where, f"{place}.types", entry.get("types"), CANONICAL_TYPES, "canonical event type"
            ),
            attributes=_names(
                where,
                f"{place}.attributes",
                entry.get("attributes"),
                CANONICAL_ATTRIBUTES,
                "canonical attribute name",
            ),
        )
    return out


def _combine(
    base: Mapping[str, SourceMapping], extra: Mapping[str, SourceMapping]
) -> dict[str, SourceMapping]:
    out = dict(base)
    for name, entry in extra.items():
        old = out.get(name, SourceMapping())
        out[name] = SourceMapping(
            types={**old.types, **entry.types},
            attributes={**old.attributes, **entry.attributes},
        )
    return out


@lru_cache(maxsize=1)
def default_event_types() -> EventTypeMap:
    """The built-in mapping (``graph/model/event_types.yaml``), read once."""
    text = resources.files("graph.model").joinpath(_DEFAULTS).read_text(encoding="utf-8")
    return EventTypeMap(_parse(text, f"defaults ({_DEFAULTS})"))


@lru_cache(maxsize=8)
def load_event_types(path: Path | None = None) -> EventTypeMap:
    """The defaults, extended and overridden entry by entry by the file at ``path``.

    A file is read once per process (a change needs a restart).

    Raises:
        ConfigurationError: the file cannot be read, is not valid YAML, or names a
            target that is not canonical; the message names the file and the place.
    """
    defaults = default_event_types()
    if path is None:
        return defaults
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else type(e).__name__
        raise _problem(str(path), "file", f"cannot be read ({reason})") from None
    return EventTypeMap(_combine(defaults.sources, _parse(text, str(path))))
