"""A synthetic world of customers and their events, with the ground truth.

People have a few e-mails, phones, devices and churning cookies, and meet the
company on the web, in the app, by phone, by e-mail and in shops; raw values come
in the messy formats real systems send ("06 12 34 56 78", " Jean.Dupont@Example.fr").
Some people refer others. The ground truth maps every identifier to its person.

Deterministic for a given seed. Values are fictitious: e-mails at example domains,
phone numbers from the French mobile range.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from graph.errors import InvalidIdentifier
from graph.identifiers import Normaliser

__all__ = ["Person", "World", "simulate", "write_world"]

_FIRST = [
    "jean",
    "marie",
    "luc",
    "anne",
    "paul",
    "lea",
    "hugo",
    "emma",
    "louis",
    "chloe",
    "nina",
    "omar",
    "ines",
    "yann",
    "zoe",
    "theo",
    "sara",
    "adam",
    "lina",
    "noah",
]
_LAST = [
    "dupont",
    "martin",
    "bernard",
    "petit",
    "durand",
    "leroy",
    "moreau",
    "simon",
    "laurent",
    "michel",
    "garcia",
    "david",
    "bertrand",
    "roux",
    "vincent",
    "fournier",
]
_DOMAINS = ["example.fr", "example.com", "example.org", "mail.example.net"]
_CHANNELS = {
    "web": ("website", ["page_view", "login", "purchase"]),
    "app": ("mobile-app", ["login", "page_view", "purchase"]),
    "call": ("contact-center", ["call"]),
    "email": ("crm", ["email_open", "email_click"]),
    "store": ("pos", ["purchase"]),
}


@dataclass
class Person:
    """One simulated person and the identifiers they truly own (normalised forms)."""

    person_id: str
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    devices: list[str] = field(default_factory=list)
    cookies: list[str] = field(default_factory=list)
    referred_by: str | None = None


@dataclass
class World:
    people: list[Person]
    events: list[dict[str, Any]]

    def truth(self) -> dict[str, str]:
        """``type:normalised value`` -> person id."""
        out: dict[str, str] = {}
        for p in self.people:
            for kind, values in (
                ("email", p.emails),
                ("phone", p.phones),
                ("device", p.devices),
                ("cookie", p.cookies),
            ):
                for v in values:
                    out[f"{kind}:{v}"] = p.person_id
        return out


def _raw_phone(rng: random.Random, e164: str) -> str:
    national = "0" + e164[3:]
    style = rng.randrange(4)
    if style == 0:
        return " ".join(national[i : i + 2] for i in range(0, 10, 2))
    if style == 1:
        return national
    if style == 2:
        return "+33 " + e164[3] + " " + " ".join(e164[i : i + 2] for i in range(4, 12, 2))
    return e164


def _raw_email(rng: random.Random, email: str) -> str:
    local, domain = email.split("@")
    style = rng.randrange(3)
    if style == 0:
        return email
    if style == 1:
        return f"{local.title()}@{domain.title()}"
    return f" {email.upper()} "


def _usable(normaliser: Normaliser, kind: str, value: str) -> bool:
    """Valid and not junk: simulated people own real-looking identifiers only."""
    try:
        ident = normaliser.normalise(kind, value)
    except InvalidIdentifier:
        return False
    return not normaliser.is_blocked(ident)


def simulate(people: int = 200, seed: int = 7, days: int = 90) -> World:
    """Generate ``people`` persons and their events over ``days`` days."""
    rng = random.Random(seed)
    normaliser = Normaliser()
    start = datetime(2026, 3, 1, tzinfo=UTC)
    used_phones: set[str] = set()
    persons: list[Person] = []
    for n in range(people):
        p = Person(person_id=f"p{n:06d}")
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        for k in range(rng.choice([1, 1, 1, 2, 2, 3])):
            sep = rng.choice([".", "_", ""])
            p.emails.append(f"{first}{sep}{last}{n}{'' if k == 0 else k}@{rng.choice(_DOMAINS)}")
        for _ in range(rng.choice([1, 1, 1, 2])):
            while True:
                phone = f"+336{rng.randrange(10_000_000, 89_999_999)}"
                if phone not in used_phones and _usable(normaliser, "phone", phone):
                    used_phones.add(phone)
                    break
            p.phones.append(phone)
        for _ in range(rng.choice([1, 1, 2, 3])):
            p.devices.append(f"dev-{rng.getrandbits(64):016x}")
        if persons and rng.random() < 0.3:
            p.referred_by = rng.choice(persons).person_id
        persons.append(p)

    by_id = {p.person_id: p for p in persons}
    events: list[dict[str, Any]] = []
    counter = 0
    for p in persons:
        usual_hour = rng.choice([9, 11, 14, 16, 18, 20])
        joined = start + timedelta(days=rng.randrange(days // 2))
        for k in range(rng.randrange(4, 14)):
            channel = rng.choice(list(_CHANNELS))
            source, types = _CHANNELS[channel]
            hour = max(0, min(23, usual_hour + rng.randrange(-1, 2)))
            day = joined + timedelta(days=rng.randrange(days // 2))
            at = day.replace(hour=hour, minute=rng.randrange(60))
            ids: list[dict[str, str]] = []
            if channel in ("web", "app"):
                cookie = f"ck_{rng.getrandbits(48):012x}"
                p.cookies.append(cookie)
                ids.append({"type": "cookie", "value": cookie})
                ids.append({"type": "device", "value": rng.choice(p.devices).upper()})
                if rng.random() < 0.6:
                    ids.append({"type": "email", "value": _raw_email(rng, rng.choice(p.emails))})
            elif channel == "call":
                ids.append({"type": "phone", "value": _raw_phone(rng, rng.choice(p.phones))})
                if rng.random() < 0.5:
                    ids.append({"type": "email", "value": _raw_email(rng, rng.choice(p.emails))})
            elif channel == "email":
                ids.append({"type": "email", "value": _raw_email(rng, rng.choice(p.emails))})
                if rng.random() < 0.4:
                    ids.append({"type": "device", "value": rng.choice(p.devices)})
            else:
                ids.append({"type": "email", "value": _raw_email(rng, rng.choice(p.emails))})
                ids.append({"type": "phone", "value": _raw_phone(rng, rng.choice(p.phones))})
            counter += 1
            event: dict[str, Any] = {
                "event_id": f"{source}-{counter:08d}",
                "timestamp": at.isoformat().replace("+00:00", "Z"),
                "source": source,
                "channel": channel,
                "type": rng.choice(types),
                "identifiers": ids,
            }
            if k == 0 and p.referred_by is not None:
                referrer = by_id[p.referred_by]
                event["type"] = "signup"
                event["referred_by"] = [{"type": "email", "value": referrer.emails[0]}]
            if event["type"] == "purchase":
                event["attributes"] = {"amount": round(rng.uniform(5, 400), 2)}
            events.append(event)
    # Every identifier a person owns is seen at least once with one of their e-mails,
    # as on a sign-up form, so that the true identity is connected.
    for p in persons:
        counter += 1
        at = start + timedelta(days=rng.randrange(days), hours=rng.randrange(8, 20))
        events.append(
            {
                "event_id": f"signup-{counter:08d}",
                "timestamp": at.isoformat().replace("+00:00", "Z"),
                "source": "accounts",
                "channel": "web",
                "type": "profile_update",
                "identifiers": [{"type": "email", "value": e} for e in p.emails]
                + [{"type": "phone", "value": ph} for ph in p.phones]
                + [{"type": "device", "value": d} for d in p.devices],
            }
        )
    events.sort(key=lambda e: str(e["timestamp"]))
    return World(people=persons, events=events)


def write_world(world: World, out_dir: Path) -> tuple[Path, Path]:
    """Write ``events.jsonl`` and ``truth.json`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    events = out_dir / "events.jsonl"
    with events.open("w", encoding="utf-8") as f:
        for e in world.events:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")
    truth = out_dir / "truth.json"
    truth.write_text(json.dumps(world.truth(), indent=0, sort_keys=True))
    return events, truth
