"""What real data does that the base world did not: the phenomena of the P2P payments data.

The base world (:mod:`graph.lab.simulate`) lives 90 days, and every person's links are
seen again and again inside them. Real data is not like that. Measured on the P2P
payments data (``../shared/data/p2p/``: 33,567 accounts, 2016-2019; figures computed
from its ``events.jsonl.gz``), and added here, each sized by a :class:`WorldConfig`
field that is 0 by default and in ``WorldConfig.clean()``:

* **long-standing customers** (``long_standing_share``, ``history_years``): in P2P an
  account's events span 358 days at the median and 767 days for the top tenth, and
  every account-card and account-device link is seen *once*: the median link was last
  seen 490 days before the newest event, a quarter more than 600 days before. Here a
  long-standing customer gets 2-4 years of events before the world starts, with their
  own identifiers, plus a device retired at least a year before it (still theirs:
  nobody else ever used it).
* **several e-mails** (``second_email_share``): a work address whose local part
  usually carries the person's name tokens, never in one event with the personal
  addresses, but used with the person's own phone and device at the same days and
  hours as them (interleaved, no handover). Not in P2P (it has no e-mails): it is the
  held-out world of the issue, where splitting on "a phone is the only tie" split
  one person.
* **anchors with many cards and devices** (``account_share``): an ``account``
  identifier to which cards are added (``card_added``, account and card only, each
  link seen once as in P2P) and on which devices log in. The number of cards follows
  P2P's accounts (1: 20%, 2: 19%, 3: 16%, 4: 13%, 5: 9%, 6-9: 17%, 10 or more: 6%; 30%
  of the accounts hold more than 4), the devices too (1: 57%, 2: 26%, 3: 10%, 4 or
  more: 7%), and the days between two new cards follow P2P's deciles (0, 2, 13, 30,
  54, 85, 128, 189, 295 days).
* **card replacements** (``card_replacement_share``): a card used for purchases until
  a day, then a ``card_added`` of its replacement on the same e-mail (and account), and
  purchases with the new card only.
* **recycled phone numbers** (``recycled_phone_share``): a long-standing customer's old
  number, given up at least a month before the world starts, is another customer's
  line during the world: two holders, never at once. **Resold devices**
  (``resold_device_share``): likewise a long-standing customer's retired device. In
  P2P 5% of the devices and 7% of the cards are seen with two accounts or more; which
  of those are handovers the data does not say (each link has one date), so the
  shares here are small.
* **couples sharing one e-mail** (``couple_share``): two people, each with their own
  phone and device, who both use one joint address.

Everything here runs after the base world is generated, so a world whose config
leaves these fields at 0 is event for event the world it was before they existed.
The ground truth records each phenomenon: a person's ``traits``, the handovers with
their tenures, the card replacements, the couples' e-mails (shared, kind ``couple``).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from graph.lab.truth import Replacement
from graph.lab.vocabulary import DOMAINS, Id, timestamp

if TYPE_CHECKING:
    from graph.lab.simulate import Person, _Builder

__all__ = ["REAL_LIFE_SHARES", "RealLife"]

#: The WorldConfig fields that switch a phenomenon on (all 0: none of this runs).
REAL_LIFE_SHARES = (
    "long_standing_share",
    "second_email_share",
    "account_share",
    "card_replacement_share",
    "recycled_phone_share",
    "resold_device_share",
    "couple_share",
)

# P2P: accounts holding 1, 2, ..., 9 and 10 or more cards, in per mille (see above).
_CARDS_PER_ACCOUNT = (195, 193, 160, 127, 94, 61, 48, 34, 23, 64)
_MOST_CARDS = 15
# P2P: accounts using 1, 2, ..., 9 and 10 or more devices, per mille.
_DEVICES_PER_ACCOUNT = (566, 257, 101, 40, 17, 8, 4, 3, 1, 4)
_MOST_DEVICES = 12
# P2P: deciles of the days between an account's successive new cards, then a tail.
_CARD_GAP_DAYS = (0, 2, 13, 30, 54, 85, 128, 189, 295, 420)
_WORK_DOMAINS = ("corp.example.com", "entreprise.example.fr", "work.example.org")
_OLD_DOMAINS = ("vieux.example.fr", "old.example.net")
_OPAQUE_WORDS = ("contact", "compta", "achats", "support", "rh")
_MIN_GAP = timedelta(days=30)
"""A recycled number or a resold device rests at least this long between holders."""


def _count(weights: tuple[int, ...], most: int, rng: random.Random) -> int:
    """A count drawn from per-mille weights of 1..n-1 and "n or more" (up to ``most``)."""
    n = rng.choices(range(1, len(weights) + 1), weights=weights)[0]
    return rng.randint(n, most) if n == len(weights) else n


class RealLife:
    """Adds the phenomena to a world being built; all randomness is the builder's."""

    def __init__(self, builder: _Builder) -> None:
        self.b = builder
        self.rng = builder.rng
        self.cfg = builder.config
        self.end = builder.start + timedelta(days=builder.days)
        self.history: dict[str, tuple[datetime, datetime]] = {}
        self.retired: dict[str, str] = {}  # person -> their device retired in the history

    def add(self, ordinary: list[Person], by_id: dict[str, Person]) -> None:
        """Pick the people of each phenomenon among ``ordinary`` and write their events."""
        cfg, rng = self.cfg, self.rng
        n = len(ordinary)
        # History goes before a person's first event: never for a referee, whose
        # first event is their sign-up.
        unreferred = [p for p in ordinary if p.referred_by is None]
        wanted = min(len(unreferred), round(cfg.long_standing_share * n))
        long_standing = rng.sample(unreferred, wanted)
        recycled = round(cfg.recycled_phone_share * n)
        resold = round(cfg.resold_device_share * n)
        # The former holders of recycled numbers and resold devices are long-standing.
        missing = max(recycled, resold) - len(long_standing)
        if missing > 0:
            others = [p for p in unreferred if p not in set(long_standing)]
            long_standing += rng.sample(others, min(len(others), missing))
        for p in sorted(long_standing, key=lambda p: p.person_id):
            self._history(p)
        for p in self._pick(ordinary, cfg.second_email_share):
            self._second_email(p)
        for p in self._pick(ordinary, cfg.account_share):
            self._account(p)
        for p in self._pick(ordinary, cfg.card_replacement_share):
            self._card_replacement(p)
        holders = sorted(long_standing, key=lambda p: p.person_id)
        self._handovers(holders[:recycled], ordinary, "phone")
        self._handovers(holders[:resold], ordinary, "device")
        self._couples(ordinary)

    def _pick(self, people: list[Person], share: float) -> list[Person]:
        chosen = self.rng.sample(people, min(len(people), round(share * len(people))))
        return sorted(chosen, key=lambda p: p.person_id)

    # -- events ------------------------------------------------------------------

    def _contact(
        self,
        p: Person,
        at: datetime,
        *,
        email: str | None = None,
        phone: str | None = None,
        device: str | None = None,
        type_: str | None = None,
        attributes: dict[str, Any] | None = None,
    ) -> None:
        """One contact through the channel its identifiers imply (a call with a phone)."""
        b = self.b
        ids: list[Id] = []
        if phone is not None:
            channel = "call" if device is None else "store"
            ids.append(b._phone_id(phone))
        else:
            channel = self.rng.choice(["web", "app"]) if device is not None else "email"
        if device is not None:
            if phone is None:
                ids.append(b._cookie(p))
            ids.append(("device", device, device))
        if email is not None:
            ids.append(b._email(email))
        default = {"call": "call", "store": "purchase", "email": "email_open"}
        b._emit(p, at, channel, type_ or default.get(channel, "login"), ids, attributes=attributes)

    def _between(self, low: datetime, high: datetime) -> datetime:
        """A time in [low, high] (low when the span is empty), to the second."""
        span = max(0, int((high - low).total_seconds()))
        return low + timedelta(seconds=self.rng.randrange(span + 1))

    def _own_times(self, p: Person) -> list[datetime]:
        """When the person's events so far happened, in order."""
        times = [
            datetime.fromisoformat(e["timestamp"])
            for e in self.b.events
            if self.b.actors.get(e["event_id"]) == p.person_id
        ]
        return sorted(times)

    # -- phenomena -----------------------------------------------------------------

    def _history(self, p: Person) -> None:
        """Years of events before the world, and a device retired at least a year before it."""
        b, rng = self.b, self.rng
        years = rng.uniform(*self.cfg.history_years)
        since = b.start - timedelta(days=round(365 * years), seconds=rng.randrange(86_400))
        until = b.start - timedelta(days=rng.randrange(1, 30))
        retired = b._device()
        retired_at = self._between(since + timedelta(days=90), b.start - timedelta(days=365))
        p.devices.append(retired)
        self.retired[p.person_id] = retired
        p.traits.add("long_standing")
        self.history[p.person_id] = (since, until)
        self._contact(p, since, email=p.emails[0], device=retired, type_="signup")
        self._contact(p, self._between(since, retired_at), email=p.emails[0], phone=p.phones[0])
        self._contact(p, retired_at, email=rng.choice(p.emails), device=retired)
        for _ in range(rng.randint(4, 10)):
            at = self._between(since, until)
            kind = rng.randrange(3)
            if kind == 0:
                self._contact(p, at, email=rng.choice(p.emails), phone=rng.choice(p.phones))
            elif kind == 1:
                device = retired if at < retired_at else rng.choice(p.devices[:-1] or p.devices)
                self._contact(p, at, email=rng.choice(p.emails), device=device)
            else:
                self._contact(p, at, phone=rng.choice(p.phones))
        if rng.random() < 0.3:  # an address at an old provider, given up with the device
            old = f"{p.first_name}.{p.last_name}{p.person_id[1:]}@{rng.choice(_OLD_DOMAINS)}"
            p.emails.append(old)
            self._contact(p, self._between(since, retired_at), email=old, device=retired)
        p.joined = min(p.joined or since, since)

    def _work_email(self, p: Person) -> str:
        rng, n = self.rng, int(p.person_id[1:])
        domain = rng.choice(_WORK_DOMAINS)
        style = rng.random()
        if style < 0.6:
            return f"{p.first_name}.{p.last_name}.{n}@{domain}"
        if style < 0.85:
            return f"{p.first_name[0]}{p.last_name}{n}@{domain}"
        return f"{rng.choice(_OPAQUE_WORDS)}{n}@{domain}"

    def _second_email(self, p: Person) -> None:
        """A work address, used with the person's phone and device, between their own uses."""
        rng = self.rng
        work = self._work_email(p)
        p.emails.append(work)
        p.traits.add("second_email")
        times = self._own_times(p)
        phone, device = p.phones[0], p.devices[0]
        for k in range(rng.randint(3, 8)):
            near = rng.choice(times)
            at = near + timedelta(minutes=rng.randrange(-180, 181), seconds=rng.randrange(60))
            if k == 0 or (k > 1 and rng.random() < 0.5):
                self._contact(p, at, email=work, phone=phone)
            else:
                self._contact(p, at, email=work, device=device)

    def _account(self, p: Person) -> None:
        """An account with cards added over time and devices logging in, as in P2P."""
        b, rng = self.b, self.rng
        account = f"acct-{rng.getrandbits(64):016x}"
        p.traits.add("account")
        opened = self.history.get(p.person_id, (p.joined or b.start, b.start))[0]
        device = p.devices[0]
        self._account_event(p, opened, "signup", account, ("device", device, device), p.emails[0])
        cards = _count(_CARDS_PER_ACCOUNT, _MOST_CARDS, rng)
        offsets = [0.0]
        for _ in range(cards - 1):
            k = rng.randrange(len(_CARD_GAP_DAYS) - 1)
            offsets.append(offsets[-1] + rng.uniform(_CARD_GAP_DAYS[k], _CARD_GAP_DAYS[k + 1]))
        room = (self.end - opened).total_seconds() / 86_400
        scale = min(1.0, room / offsets[-1]) if offsets[-1] else 1.0
        for offset in offsets:
            card = b._card()
            p.cards.append(card)
            at = opened + timedelta(days=offset * scale, hours=rng.randrange(24))
            self._account_event(p, min(at, self.end), "card_added", account, ("card", card, card))
        devices = _count(_DEVICES_PER_ACCOUNT, _MOST_DEVICES, rng)
        retired = self.retired.get(p.person_id)
        while len([d for d in p.devices if d != retired]) < devices:
            p.devices.append(b._device())
        for device in [d for d in p.devices if d != retired][:devices]:
            at = self._between(opened, self.end)
            self._account_event(p, at, "login", account, ("device", device, device))

    def _account_event(
        self, p: Person, at: datetime, type_: str, account: str, other: Id, email: str | None = None
    ) -> None:
        ids: list[Id] = [("account", account, account), other]
        if email is not None:
            ids.append(self.b._email(email))
        self.b._emit(p, at, "app", type_, ids, source="payments")

    def _card_replacement(self, p: Person) -> None:
        """Purchases with a card until a day, its replacement added, then the new card only."""
        b, rng = self.b, self.rng
        first = self.history.get(p.person_id, (p.joined or b.start, b.start))[0]
        old, new = b._card(), b._card()
        p.cards += [old, new]
        p.traits.add("card_replaced")
        replaced = first + (self.end - first) * rng.uniform(0.3, 0.7)
        for low, high, card in ((first, replaced, old), (replaced, self.end, new)):
            for k in range(rng.randint(2, 4)):
                at = replaced if card == new and k == 0 else self._between(low, high)
                if card == old:
                    at = min(at, replaced - timedelta(days=1))
                amount = {"amount": round(rng.uniform(5, 400), 2)}
                email = rng.choice(p.emails)
                ids: list[Id] = [b._email(email), ("card", card, card)]
                if card == new and k == 0:
                    b._emit(p, at, "web", "card_added", ids, attributes={"reason": "replacement"})
                    b.replacements.append(
                        Replacement(p.person_id, f"card:{old}", f"card:{new}", timestamp(at))
                    )
                else:
                    ids.insert(0, ("device", p.devices[0], p.devices[0]))
                    b._emit(p, at, "web", "purchase", [b._cookie(p), *ids], attributes=amount)

    def _handovers(self, holders: list[Person], ordinary: list[Person], kind: str) -> None:
        """Each holder's old phone (or retired device) becomes another customer's, later."""
        b, rng = self.b, self.rng
        taken = {p.person_id for p in holders}
        for a in holders:
            since, until = self.history[a.person_id]
            if kind == "phone":
                value = b._phone("67")
                key = f"phone:{value}"
                b.handed_over.add(key)
                a.phones.append(value)
                last = self._between(since, min(until, b.start - _MIN_GAP))
                for at in sorted(self._between(since, last) for _ in range(rng.randint(2, 4))):
                    self._contact(a, at, email=rng.choice(a.emails[:1]), phone=value)
                self._contact(a, last, email=a.emails[0], phone=value)
                a.traits.add("phone_recycled")
            else:
                value = self.retired[a.person_id]
                key = f"device:{value}"
                b.handed_over.add(key)
                a.traits.add("device_resold")
            others = [p for p in ordinary if p.person_id not in taken and p.household is None]
            if not others:
                return
            newcomer = rng.choice(others)
            taken.add(newcomer.person_id)
            begins = max(newcomer.joined or b.start, b.start) + timedelta(days=1)
            times = sorted(self._between(begins, self.end) for _ in range(rng.randint(3, 6)))
            if kind == "phone":
                newcomer.phones.append(value)
                newcomer.traits.add("phone_reassigned")
                for at in times:
                    self._contact(newcomer, at, email=rng.choice(newcomer.emails), phone=value)
            else:
                newcomer.devices.append(value)
                newcomer.traits.add("device_bought")
                for at in times:
                    self._contact(newcomer, at, email=rng.choice(newcomer.emails), device=value)

    def _couples(self, ordinary: list[Person]) -> None:
        """Pairs who share one joint address, each with their own phone and device."""
        rng = self.rng
        newcomers = {"phone_reassigned", "device_bought"}
        single = [p for p in ordinary if p.household is None and not p.traits & newcomers]
        chosen = self._pick(single, self.cfg.couple_share)
        rng.shuffle(chosen)
        for k in range(0, len(chosen) - 1, 2):
            pair = sorted(chosen[k : k + 2], key=lambda p: p.person_id)
            one, two = pair
            local = f"{one.first_name}.et.{two.first_name}.{one.last_name}{one.person_id[1:]}"
            joint = f"{local}@{rng.choice(DOMAINS)}"
            self.b.shared_kinds[f"email:{joint}"] = "couple"
            begins = max(max(p.joined or self.b.start for p in pair), self.b.start)
            times = sorted(self._between(begins, self.end) for _ in range(8))
            for n, at in enumerate(times):
                p = pair[n % 2]
                p.traits.add("couple")
                if n < 2 or rng.random() < 0.5:
                    self._contact(p, at, email=joint, phone=p.phones[0])
                else:
                    self._contact(p, at, email=joint, device=p.devices[0])
