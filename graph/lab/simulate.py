"""A synthetic world of customers and their events, with the ground truth.

People have a few e-mails, phones, devices, payment cards and churning cookies, and
meet the company on the web, in the app, by phone, by e-mail and in shops; raw values
come in the messy formats real systems send ("06 12 34 56 78", " Jean.Dupont@Example.fr").
Some people refer others, always after the referrer's own first event.

The realistic world (:class:`WorldConfig`'s defaults) adds what makes identity
resolution hard, each part sized by a field of :class:`WorldConfig`:

* households: 2-5 people sharing a family tablet and sometimes a home landline;
* shop kiosks: store devices that hundreds of customers are seen with;
* staff addresses (``staff@shop.example.fr``) typed by agents into customers' events;
* fraud rings: 5-30 synthetic identities signing up in a burst, sharing a few devices,
  phones and card tokens, failing payments, leaving 1-star reviews, referring each
  other (referral abuse);
* bots: one device churning a cookie per page view every 2-3 seconds;
* junk: blocklisted placeholders ("null", "0000000000") and invalid values ("12"),
  which ingest blocks or rejects.

:meth:`WorldConfig.clean` turns all of that off: every identifier then belongs to
exactly one person, so connected components give exactly one identity per person.

The ground truth (:meth:`World.ground_truth`, written as ``truth.json``) is taken
from the events themselves: an identifier used by one person only is *owned*, one
used by several is *shared*. Its JSON form is documented in :mod:`graph.lab.truth`.

Deterministic for a given seed. Values are fictitious: e-mails at example domains,
phone numbers from the French ranges, card tokens rather than card numbers.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from graph.errors import ConfigurationError
from graph.lab.phenomena import REAL_LIFE_SHARES, RealLife
from graph.lab.truth import PersonInfo, Referral, Replacement, Tenure, Truth
from graph.lab.vocabulary import (
    CHANNEL_NAMES,
    CHANNELS,
    DOMAINS,
    FIRST_NAMES,
    INVALID,
    JUNK,
    LAST_NAMES,
    RING_DOMAINS,
    RING_TYPES,
    RING_WORDS,
    STAFF_EMAILS,
    STORES,
    Id,
    raw_email,
    raw_phone,
    timestamp,
    usable,
)
from graph.model.identifiers import Normaliser

__all__ = ["Person", "World", "WorldConfig", "simulate", "write_world"]


def _check_rate(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ConfigurationError(f"WorldConfig.{name} is a probability: between 0 and 1")


def _check_range(name: str, value: tuple[int, int], lowest: int) -> None:
    low, high = value
    if not lowest <= low <= high:
        raise ConfigurationError(
            f"WorldConfig.{name} is (smallest, largest) with {lowest} <= smallest <= largest"
        )


@dataclass(frozen=True)
class WorldConfig:
    """How much of each real-world complication the simulated world holds.

    Shares are of the ``people`` passed to :func:`simulate` (synthetic identities and
    bots count as people); rates are per-event probabilities unless said otherwise.

    Attributes:
        referral_rate: chance that an ordinary person was referred by someone who
            joined before them.
        household_share: share of ordinary people living in a household.
        household_size: (smallest, largest) household.
        tablet_use: chance that a household member's web or app event comes from
            the family tablet (each member also uses it at least once).
        landline_share: share of households with a home landline.
        landline_use: chance that a household member's call comes from the landline
            (each member of a landline household also calls from it once).
        kiosks: number of shop kiosk devices.
        kiosk_use: chance that a shop event also carries a kiosk device.
        staff_emails: number of staff addresses agents type for customers.
        staff_use: chance that the e-mail of a call or shop event is a staff address.
        card_use: chance that a purchase (web, app, shop) carries the buyer's card token.
        ring_share: share of the people that are synthetic identities of fraud rings.
        ring_size: (smallest, largest) fraud ring; leftover synthetic people that
            cannot make a ring become ordinary people.
        ring_referral: chance that a ring member was referred by the ring's leader.
        bot_share: share of the people that are bots.
        bot_events: (fewest, most) page views per bot, 2-3 seconds apart.
        bot_email: chance that a bot logs in with an e-mail address.
        junk_rate: chance that an event also carries a blocklisted placeholder
            ("null", "0000000000").
        invalid_rate: chance that an event also carries an invalid value ("12").
        junk_events: chance, per event of an ordinary person, of an extra event
            made only of junk or invalid values (ingest rejects it).
        failed_payments: chance that an ordinary person's purchase is declined (a
            ``payment_failed`` event): honest customers fail payments too, so a
            fraud detector cannot lean on failures alone.
        reviews: chance, per event of an ordinary person, of a review soon after it,
            rated 1 to 5 stars (one in ten is a 1-star review).
        long_standing_share: share of ordinary people (never referred ones) who have
            been customers for years: ``history_years`` of events before the world
            starts, with a device retired long ago (see :mod:`graph.lab.phenomena`).
        history_years: (shortest, longest) history of a long-standing customer, in
            years.
        second_email_share: share of ordinary people with a work address never seen
            with their personal ones, used with their own phone and device at the
            same days and hours.
        account_share: share of ordinary people with an ``account`` (an anchor) to
            which cards and devices are added as in the P2P data (heavy tail: a third
            hold more than 4 cards).
        card_replacement_share: share of ordinary people whose card is replaced by a
            new one on the same e-mail (and account).
        recycled_phone_share: share of ordinary people whose old phone number, given
            up before the world starts, is reassigned to another customer.
        resold_device_share: share of ordinary people whose retired device is sold
            to another customer.
        couple_share: share of ordinary people living as a couple who share one
            e-mail address, each with their own phone and device.
    """

    referral_rate: float = 0.3
    household_share: float = 0.25
    household_size: tuple[int, int] = (2, 5)
    tablet_use: float = 0.3
    landline_share: float = 0.4
    landline_use: float = 0.3
    kiosks: int = 3
    kiosk_use: float = 0.5
    staff_emails: int = 2
    staff_use: float = 0.08
    card_use: float = 0.6
    ring_share: float = 0.03
    ring_size: tuple[int, int] = (5, 30)
    ring_referral: float = 0.6
    bot_share: float = 0.01
    bot_events: tuple[int, int] = (30, 90)
    bot_email: float = 0.3
    junk_rate: float = 0.02
    invalid_rate: float = 0.01
    junk_events: float = 0.005
    failed_payments: float = 0.05
    reviews: float = 0.1
    long_standing_share: float = 0.0
    history_years: tuple[int, int] = (2, 4)
    second_email_share: float = 0.0
    account_share: float = 0.0
    card_replacement_share: float = 0.0
    recycled_phone_share: float = 0.0
    resold_device_share: float = 0.0
    couple_share: float = 0.0

    def __post_init__(self) -> None:
        for name in (
            "referral_rate",
            "household_share",
            "tablet_use",
            "landline_share",
            "landline_use",
            "kiosk_use",
            "staff_use",
            "card_use",
            "ring_share",
            "ring_referral",
            "bot_share",
            "bot_email",
            "junk_rate",
            "invalid_rate",
            "junk_events",
            "failed_payments",
            "reviews",
            *REAL_LIFE_SHARES,
        ):
            _check_rate(name, getattr(self, name))
        _check_range("household_size", self.household_size, 2)
        _check_range("ring_size", self.ring_size, 2)
        _check_range("bot_events", self.bot_events, 1)
        _check_range("history_years", self.history_years, 1)
        if self.kiosks < 0 or self.staff_emails < 0:
            raise ConfigurationError("WorldConfig.kiosks and staff_emails cannot be negative")
        if self.ring_share + self.bot_share > 1.0:
            raise ConfigurationError("WorldConfig.ring_share + bot_share is more than everyone")

    @classmethod
    def clean(cls) -> WorldConfig:
        """No sharing, rings, bots, cards or junk: each identifier has one owner."""
        return cls(
            household_share=0.0,
            kiosks=0,
            staff_emails=0,
            card_use=0.0,
            ring_share=0.0,
            bot_share=0.0,
            junk_rate=0.0,
            invalid_rate=0.0,
            junk_events=0.0,
        )


@dataclass
class Person:
    """One simulated person and their personal identifiers (normalised forms).

    Personal identifiers are the ones a person would call theirs; for a synthetic
    identity they include the devices, phones and cards pooled by its ring. Family
    tablets, kiosks and staff addresses are not anyone's: the ground truth lists
    them as shared.

    Attributes:
        kind: ``person``, ``synthetic`` (fraud ring identity) or ``bot``.
        household: household id, if any.
        ring: fraud ring id, for synthetic identities.
        joined: the time of the person's first event.
        first_name: the first name of an ordinary person (their e-mails use it).
        last_name: their last name.
        traits: the real-data phenomena they take part in (:mod:`graph.lab.phenomena`).
    """

    person_id: str
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    devices: list[str] = field(default_factory=list)
    cookies: list[str] = field(default_factory=list)
    cards: list[str] = field(default_factory=list)
    referred_by: str | None = None
    kind: str = "person"
    household: str | None = None
    ring: str | None = None
    joined: datetime | None = None
    first_name: str = ""
    last_name: str = ""
    traits: set[str] = field(default_factory=set)


@dataclass
class World:
    """People, their events and what is needed to build the ground truth.

    Attributes:
        usage: ``type:normalised value`` -> the people seen with it in an event.
        shared_kinds: why a shareable identifier is shared (household, kiosk,
            staff, ring).
        actors: event id -> the person behind the event (event ids are unique).
        handovers: identifiers that changed hands in time (recycled phones, resold
            devices) -> who used them from when to when, in time order.
        replacements: cards replaced on the same person.
    """

    people: list[Person]
    events: list[dict[str, Any]]
    households: dict[str, list[str]] = field(default_factory=dict)
    rings: dict[str, list[str]] = field(default_factory=dict)
    referrals: list[Referral] = field(default_factory=list)
    usage: dict[str, set[str]] = field(default_factory=dict)
    shared_kinds: dict[str, str] = field(default_factory=dict)
    actors: dict[str, str] = field(default_factory=dict)
    handovers: dict[str, tuple[Tenure, ...]] = field(default_factory=dict)
    replacements: list[Replacement] = field(default_factory=list)

    def truth(self) -> dict[str, str]:
        """``type:normalised value`` -> person id, for identifiers of exactly one person."""
        if not self.usage:  # a world built by hand: trust the people's own lists
            return {
                f"{kind}:{value}": p.person_id
                for p in self.people
                for kind, values in (
                    ("email", p.emails),
                    ("phone", p.phones),
                    ("device", p.devices),
                    ("cookie", p.cookies),
                    ("card", p.cards),
                )
                for value in values
            }
        return {key: next(iter(users)) for key, users in self.usage.items() if len(users) == 1}

    def ground_truth(self) -> Truth:
        """The whole truth: owners, shared identifiers, people, rings, bots, referrals."""
        handovers = self.handovers
        shared = {
            key: tuple(sorted(users))
            for key, users in self.usage.items()
            if len(users) > 1 and key not in handovers
        }
        return Truth(
            owners=self.truth(),
            shared=shared,
            shared_kinds={key: self.shared_kinds.get(key, "other") for key in shared},
            people={
                p.person_id: PersonInfo(
                    kind=p.kind, household=p.household, ring=p.ring, traits=tuple(sorted(p.traits))
                )
                for p in self.people
            },
            households={h: tuple(members) for h, members in self.households.items()},
            rings={r: tuple(members) for r, members in self.rings.items()},
            bots=tuple(p.person_id for p in self.people if p.kind == "bot"),
            referrals=tuple(self.referrals),
            handovers=handovers,
            replacements=tuple(self.replacements),
        )


@dataclass
class _Household:
    household_id: str
    members: list[Person]
    last_name: str
    tablet: str = ""
    landline: str | None = None


class _Builder:
    """Generates one world; all randomness comes from one seeded generator."""

    def __init__(self, people: int, seed: int, days: int, config: WorldConfig) -> None:
        self.people = people
        self.seed = seed
        self.rng = random.Random(seed)
        self.config = config
        self.normaliser = Normaliser()
        self.start = datetime(2026, 3, 1, tzinfo=UTC)
        self.days = max(1, days)
        self.half = max(1, days // 2)
        self.events: list[dict[str, Any]] = []
        self.counter = 0
        self.usage: dict[str, set[str]] = {}
        self.shared_kinds: dict[str, str] = {}
        self.actors: dict[str, str] = {}
        self.referrals: list[Referral] = []
        self.used_phones: set[str] = set()
        self.kiosks: list[str] = []
        self.staff: list[str] = []
        self.handed_over: set[str] = set()
        self.spans: dict[str, dict[str, list[str]]] = {}
        self.replacements: list[Replacement] = []

    # -- identifiers -------------------------------------------------------------

    def _phone(self, prefixes: str) -> str:
        while True:
            phone = f"+33{self.rng.choice(prefixes)}{self.rng.randrange(10_000_000, 99_999_999)}"
            if phone not in self.used_phones and usable(self.normaliser, "phone", phone):
                self.used_phones.add(phone)
                return phone

    def _device(self) -> str:
        return f"dev-{self.rng.getrandbits(64):016x}"

    def _card(self) -> str:
        return f"tok_{self.rng.getrandbits(64):016x}"

    def _cookie(self, p: Person) -> Id:
        cookie = f"ck_{self.rng.getrandbits(64):016x}"
        p.cookies.append(cookie)
        return ("cookie", cookie, cookie)

    def _email(self, value: str) -> Id:
        return ("email", value, raw_email(self.rng, value))

    def _phone_id(self, value: str) -> Id:
        return ("phone", value, raw_phone(self.rng, value))

    def _junk(self) -> dict[str, str]:
        rng = self.rng
        kind, value = rng.choice(JUNK if rng.random() < 0.7 else INVALID)
        return {"type": kind, "value": value}

    # -- events ------------------------------------------------------------------

    def _emit(
        self,
        person: Person | None,
        at: datetime,
        channel: str,
        type_: str,
        ids: list[Id],
        *,
        source: str | None = None,
        referred_by: list[dict[str, str]] | None = None,
        attributes: dict[str, Any] | None = None,
        noise: bool = True,
    ) -> None:
        cfg, rng = self.config, self.rng
        when = timestamp(at)
        identifiers = []
        for kind, value, raw in ids:
            identifiers.append({"type": kind, "value": raw})
            if person is not None:
                key = f"{kind}:{value}"
                self.usage.setdefault(key, set()).add(person.person_id)
                span = self.spans.setdefault(key, {}).setdefault(person.person_id, [when, when])
                span[0], span[1] = min(span[0], when), max(span[1], when)
        if noise:
            if cfg.junk_rate and rng.random() < cfg.junk_rate:
                kind, value = rng.choice(JUNK)
                identifiers.append({"type": kind, "value": value})
            if cfg.invalid_rate and rng.random() < cfg.invalid_rate:
                kind, value = rng.choice(INVALID)
                identifiers.append({"type": kind, "value": value})
        source = source or CHANNELS[channel][0]
        self.counter += 1
        event: dict[str, Any] = {
            "event_id": f"{source}-{self.counter:08d}",
            "timestamp": timestamp(at),
            "source": source,
            "channel": channel,
            "type": type_,
            "identifiers": identifiers,
        }
        if referred_by:
            event["referred_by"] = referred_by
        if attributes:
            event["attributes"] = attributes
        self.events.append(event)
        if person is not None:
            self.actors[event["event_id"]] = person.person_id

    def _tenures(self, key: str) -> tuple[Tenure, ...]:
        """Who used a handed-over identifier from when to when, the earliest first."""
        spans = self.spans.get(key, {})
        return tuple(sorted((Tenure(p, a, b) for p, (a, b) in spans.items()), key=lambda t: t[1]))

    def _later(self, after: datetime) -> datetime:
        """A time strictly after ``after``, within the following ``days // 2`` days."""
        rng = self.rng
        return after + timedelta(
            days=rng.randrange(self.half),
            hours=rng.randrange(3),
            minutes=rng.randrange(60),
            seconds=1 + rng.randrange(59),
        )

    # -- world -------------------------------------------------------------------

    def build(self) -> World:
        cfg, rng = self.config, self.rng
        n_synthetic = round(cfg.ring_share * self.people)
        n_bots = round(cfg.bot_share * self.people)
        ring_sizes = self._ring_sizes(n_synthetic)
        n_synthetic = sum(ring_sizes)
        kinds = (
            ["person"] * (self.people - n_synthetic - n_bots)
            + ["synthetic"] * n_synthetic
            + ["bot"] * n_bots
        )
        rng.shuffle(kinds)
        persons = [Person(person_id=f"p{n:06d}", kind=kind) for n, kind in enumerate(kinds)]
        ordinary = [p for p in persons if p.kind == "person"]
        households = self._households(ordinary)
        by_household = {h.household_id: h for h in households}
        self.kiosks = [f"pos-{STORES[k % len(STORES)]}-{k + 1:02d}" for k in range(cfg.kiosks)]
        self.staff = [
            STAFF_EMAILS[k] if k < len(STAFF_EMAILS) else f"agent{k}@shop.example.fr"
            for k in range(cfg.staff_emails)
        ]
        for kiosk in self.kiosks:
            self.shared_kinds[f"device:{kiosk}"] = "kiosk"
        for staff in self.staff:
            self.shared_kinds[f"email:{staff}"] = "staff"

        for n, p in enumerate(persons):
            if p.kind == "person":
                household = by_household.get(p.household) if p.household else None
                self._identity(n, p, household)
        self._referrals(ordinary)
        by_id = {p.person_id: p for p in persons}
        for p in ordinary:
            household = by_household.get(p.household) if p.household else None
            self._person_events(p, household, by_id)
        for h in households:
            self._household_events(h)

        synthetic = [p for p in persons if p.kind == "synthetic"]
        rings: dict[str, list[str]] = {}
        first = 0
        for number, size in enumerate(ring_sizes, start=1):
            ring_id = f"r{number:04d}"
            members = synthetic[first : first + size]
            first += size
            rings[ring_id] = [m.person_id for m in members]
            self._ring(ring_id, members)
        for n, p in enumerate(persons):
            if p.kind == "bot":
                self._bot(n, p)

        if any(getattr(cfg, name) for name in REAL_LIFE_SHARES):
            RealLife(self).add(ordinary, by_id)
        self.events.sort(key=lambda e: str(e["timestamp"]))
        return World(
            people=persons,
            events=self.events,
            households={h.household_id: [m.person_id for m in h.members] for h in households},
            rings=rings,
            referrals=self.referrals,
            usage=self.usage,
            shared_kinds=self.shared_kinds,
            actors=self.actors,
            handovers={key: self._tenures(key) for key in sorted(self.handed_over)},
            replacements=self.replacements,
        )

    def _ring_sizes(self, synthetic: int) -> list[int]:
        low, high = self.config.ring_size
        sizes: list[int] = []
        remaining = synthetic
        while remaining >= low:
            size = self.rng.randint(low, min(high, remaining))
            if remaining - size < low and remaining <= high:
                size = remaining  # no tail too small to be a ring
            sizes.append(size)
            remaining -= size
        return sizes

    def _households(self, ordinary: list[Person]) -> list[_Household]:
        cfg, rng = self.config, self.rng
        low, high = cfg.household_size
        chosen = rng.sample(ordinary, round(cfg.household_share * len(ordinary)))
        households: list[_Household] = []
        i = 0
        while len(chosen) - i >= low:
            size = rng.randint(low, min(high, len(chosen) - i))
            members = sorted(chosen[i : i + size], key=lambda p: p.person_id)
            i += size
            household = _Household(
                household_id=f"h{len(households) + 1:05d}",
                members=members,
                last_name=rng.choice(LAST_NAMES),
                tablet=f"tab-{rng.getrandbits(64):016x}",
                landline=self._phone("12345") if rng.random() < cfg.landline_share else None,
            )
            self.shared_kinds[f"device:{household.tablet}"] = "household"
            if household.landline:
                self.shared_kinds[f"phone:{household.landline}"] = "household"
            for m in members:
                m.household = household.household_id
            households.append(household)
        return households

    def _identity(self, n: int, p: Person, household: _Household | None) -> None:
        rng = self.rng
        first = rng.choice(FIRST_NAMES)
        last = household.last_name if household else rng.choice(LAST_NAMES)
        p.first_name, p.last_name = first, last
        for k in range(rng.choice([1, 1, 1, 2, 2, 3])):
            sep = rng.choice([".", "_", ""])
            p.emails.append(f"{first}{sep}{last}{n}{'' if k == 0 else k}@{rng.choice(DOMAINS)}")
        for _ in range(rng.choice([1, 1, 1, 2])):
            p.phones.append(self._phone("67"))
        for _ in range(rng.choice([1, 1, 2, 3])):
            p.devices.append(self._device())
        usual_hour = rng.choice([9, 11, 14, 16, 18, 20])
        p.joined = self.start + timedelta(
            days=rng.randrange(self.half),
            hours=usual_hour,
            minutes=rng.randrange(60),
            seconds=rng.randrange(60),
        )

    def _referrals(self, ordinary: list[Person]) -> None:
        """Referrers are drawn among the people who joined strictly earlier."""
        rng, rate = self.rng, self.config.referral_rate
        ordered = sorted(ordinary, key=_joined)
        earlier: list[Person] = []
        i = 0
        for p in ordered:
            while _joined(ordered[i]) < _joined(p):
                earlier.append(ordered[i])
                i += 1
            if earlier and rng.random() < rate:
                p.referred_by = rng.choice(earlier).person_id

    def _person_events(
        self, p: Person, household: _Household | None, by_id: dict[str, Person]
    ) -> None:
        cfg, rng = self.config, self.rng
        joined = _joined(p)
        for k in range(rng.randrange(4, 14)):
            at = joined if k == 0 else self._later(joined)
            channel = rng.choice(CHANNEL_NAMES)
            type_ = rng.choice(CHANNELS[channel][1])
            ids: list[Id] = []
            if channel in ("web", "app"):
                ids.append(self._cookie(p))
                if household and cfg.tablet_use and rng.random() < cfg.tablet_use:
                    device = household.tablet
                else:
                    device = rng.choice(p.devices)
                ids.append(("device", device, device.upper()))
                if rng.random() < 0.6:
                    ids.append(self._email(rng.choice(p.emails)))
            elif channel == "call":
                landline = household.landline if household else None
                if landline and rng.random() < cfg.landline_use:
                    ids.append(self._phone_id(landline))
                else:
                    ids.append(self._phone_id(rng.choice(p.phones)))
                if self.staff and rng.random() < cfg.staff_use:
                    ids.append(self._email(rng.choice(self.staff)))
                elif rng.random() < 0.5:
                    ids.append(self._email(rng.choice(p.emails)))
            elif channel == "email":
                ids.append(self._email(rng.choice(p.emails)))
                if rng.random() < 0.4:
                    device = rng.choice(p.devices)
                    ids.append(("device", device, device))
            else:
                if self.staff and rng.random() < cfg.staff_use:
                    ids.append(self._email(rng.choice(self.staff)))
                else:
                    ids.append(self._email(rng.choice(p.emails)))
                ids.append(self._phone_id(rng.choice(p.phones)))
                if self.kiosks and rng.random() < cfg.kiosk_use:
                    kiosk = rng.choice(self.kiosks)
                    ids.append(("device", kiosk, kiosk.upper()))
            referred_by = None
            if k == 0 and p.referred_by is not None:
                referrer = by_id[p.referred_by]
                type_ = "signup"
                referred_by = [{"type": "email", "value": raw_email(rng, referrer.emails[0])}]
                self.referrals.append(Referral(referrer.person_id, p.person_id, timestamp(at)))
            attributes: dict[str, Any] | None = None
            if type_ == "purchase":
                attributes = {"amount": round(rng.uniform(5, 400), 2)}
                if cfg.card_use and rng.random() < cfg.card_use:
                    if not p.cards:
                        p.cards.append(self._card())
                    ids.append(("card", p.cards[0], p.cards[0]))
                if cfg.failed_payments and rng.random() < cfg.failed_payments:
                    type_ = "payment_failed"
                    attributes["reason"] = rng.choice(["card_declined", "insufficient_funds"])
            self._emit(p, at, channel, type_, ids, referred_by=referred_by, attributes=attributes)
            if cfg.reviews and rng.random() < cfg.reviews and channel in ("web", "app", "email"):
                rating = rng.choices((1, 2, 3, 4, 5), weights=(10, 8, 17, 30, 35))[0]
                later = at + timedelta(hours=rng.randrange(1, 96))
                review_ids = [i for i in ids if i[0] in ("cookie", "device", "email")]
                self._emit(p, later, channel, "review", review_ids, attributes={"rating": rating})
            if cfg.junk_events and rng.random() < cfg.junk_events:
                junk = [self._junk() for _ in range(rng.randint(1, 2))]
                self.counter += 1
                source = CHANNELS[channel][0]
                event_id = f"{source}-{self.counter:08d}"
                self.events.append(
                    {
                        "event_id": event_id,
                        "timestamp": timestamp(at + timedelta(seconds=1)),
                        "source": source,
                        "channel": channel,
                        "type": type_,
                        "identifiers": junk,
                    }
                )
                self.actors[event_id] = p.person_id
        # Every identifier a person owns is seen at least once with one of their
        # e-mails, as on a sign-up form, so that the true identity is connected.
        ids = (
            [("email", e, e) for e in p.emails]
            + [("phone", ph, ph) for ph in p.phones]
            + [("device", d, d) for d in p.devices]
        )
        at = joined + timedelta(minutes=1 + rng.randrange(self.half * 24 * 60))
        self._emit(p, at, "web", "profile_update", ids, source="accounts", noise=False)

    def _household_events(self, household: _Household) -> None:
        """Each member uses the family tablet, and calls from the landline, at least once."""
        rng = self.rng
        for p in household.members:
            ids = [self._cookie(p), ("device", household.tablet, household.tablet)]
            if rng.random() < 0.5:
                ids.append(self._email(rng.choice(p.emails)))
            self._emit(p, self._later(_joined(p)), "app", "page_view", ids)
            if household.landline:
                ids = [self._phone_id(household.landline), self._email(rng.choice(p.emails))]
                self._emit(p, self._later(_joined(p)), "call", "call", ids)

    def _ring(self, ring_id: str, members: list[Person]) -> None:
        """A burst of sign-ups sharing a few devices, phones and cards, then abuse."""
        cfg, rng = self.config, self.rng
        pool = max(1, len(members) // 2)  # every pooled value is used by 2+ members
        devices = [self._device() for _ in range(min(pool, rng.randint(1, 2)))]
        phones = [self._phone("67") for _ in range(min(pool, rng.randint(1, 2)))]
        cards = [self._card() for _ in range(min(pool, rng.randint(1, 3)))]
        for kind, values in (("device", devices), ("phone", phones), ("card", cards)):
            for value in values:
                self.shared_kinds[f"{kind}:{value}"] = "ring"
        leader = members[0]
        at = self.start + timedelta(
            days=rng.randrange(self.half), hours=rng.randrange(24), minutes=rng.randrange(60)
        )
        for i, m in enumerate(members):
            n = int(m.person_id[1:])
            m.ring = ring_id
            m.emails.append(
                f"{rng.choice(RING_WORDS)}.{n}{rng.randrange(10, 100)}@{rng.choice(RING_DOMAINS)}"
            )
            m.devices.append(devices[i % len(devices)])
            m.phones.append(phones[i % len(phones)])
            m.cards.append(cards[i % len(cards)])
            if i:
                at += timedelta(seconds=rng.randrange(20, 300))  # the burst
            m.joined = at
            referred_by = None
            if i and rng.random() < cfg.ring_referral:
                m.referred_by = leader.person_id
                referred_by = [{"type": "email", "value": leader.emails[0]}]
                self.referrals.append(Referral(leader.person_id, m.person_id, timestamp(at)))
            signup = [
                self._cookie(m),
                ("device", m.devices[0], m.devices[0].upper()),
                self._email(m.emails[0]),
                self._phone_id(m.phones[0]),
            ]
            channel = rng.choice(["web", "app"])
            self._emit(m, at, channel, "signup", signup, referred_by=referred_by)
            for type_ in ["payment_failed", "review"] + rng.choices(
                RING_TYPES, k=rng.randrange(0, 4)
            ):
                # Members mostly keep to their device, sometimes take another of the pool.
                device = rng.choice(devices) if rng.random() < 0.2 else m.devices[0]
                ids = [self._cookie(m), ("device", device, device), self._email(m.emails[0])]
                attributes: dict[str, Any] = {}
                if type_ in ("payment_failed", "purchase"):
                    card = rng.choice(cards) if rng.random() < 0.3 else m.cards[0]
                    ids.append(("card", card, card))
                    attributes["amount"] = round(rng.uniform(50, 900), 2)
                if type_ == "payment_failed":
                    attributes["reason"] = rng.choice(["card_declined", "insufficient_funds"])
                if type_ == "review":
                    attributes["rating"] = 1
                later = at + timedelta(hours=rng.randrange(1, 72), seconds=rng.randrange(3600))
                channel = rng.choice(["web", "app"])
                self._emit(m, later, channel, type_, ids, attributes=attributes)

    def _bot(self, n: int, p: Person) -> None:
        """One device, a fresh cookie per page view, every 2 or 3 seconds."""
        cfg, rng = self.config, self.rng
        device = self._device()
        p.devices.append(device)
        if rng.random() < cfg.bot_email:
            p.emails.append(f"user{n}@example.com")
        at = self.start + timedelta(
            days=rng.randrange(self.days), hours=rng.randrange(24), minutes=rng.randrange(60)
        )
        p.joined = at
        for i in range(rng.randint(*cfg.bot_events)):
            if i:
                at += timedelta(seconds=rng.choice((2, 3)))
            ids = [self._cookie(p), ("device", device, device)]
            type_ = "page_view"
            if i == 0 and p.emails:
                ids.append(("email", p.emails[0], p.emails[0]))
                type_ = "login"
            self._emit(p, at, "web", type_, ids, noise=False)


def _joined(p: Person) -> datetime:
    assert p.joined is not None, "people join before their events are generated"
    return p.joined


def simulate(
    people: int = 200, seed: int = 7, days: int = 90, *, config: WorldConfig | None = None
) -> World:
    """Generate ``people`` people and their events over about ``days`` days.

    Args:
        people: how many people, synthetic identities and bots included; expect
            9-12 events per person.
        seed: the world is the same for the same seed, size and config.
        days: the time span; people join in its first half.
        config: what the world holds; ``None`` is the realistic ``WorldConfig()``,
            ``WorldConfig.clean()`` a world where every identifier has one owner.
    """
    return _Builder(people, seed, days, config if config is not None else WorldConfig()).build()


def write_world(world: World, out_dir: Path) -> tuple[Path, Path]:
    """Write ``events.jsonl`` and ``truth.json`` (version 2, see :mod:`graph.lab.truth`)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    events = out_dir / "events.jsonl"
    with events.open("w", encoding="utf-8") as f:
        for e in world.events:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")
    truth = out_dir / "truth.json"
    truth.write_text(json.dumps(world.ground_truth().as_dict(), indent=0, sort_keys=True))
    return events, truth
