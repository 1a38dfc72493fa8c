"""The simulator's vocabulary: names, domains, channels, junk, and how raw values look.

Shared by :mod:`graph.lab.simulate` (the base world) and :mod:`graph.lab.phenomena`
(what real data does that the base world did not): fictitious values only (e-mails at
example domains, phone numbers from the French ranges, card tokens rather than card
numbers), written the messy ways real systems send them.
"""

from __future__ import annotations

import random
from datetime import datetime

from graph.errors import InvalidIdentifier
from graph.model.identifiers import Normaliser

__all__ = [
    "CHANNELS",
    "CHANNEL_NAMES",
    "DOMAINS",
    "FIRST_NAMES",
    "INVALID",
    "JUNK",
    "LAST_NAMES",
    "RING_DOMAINS",
    "RING_TYPES",
    "RING_WORDS",
    "STAFF_EMAILS",
    "STORES",
    "Id",
    "raw_email",
    "raw_phone",
    "timestamp",
    "usable",
]

FIRST_NAMES = [
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
LAST_NAMES = [
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
DOMAINS = ["example.fr", "example.com", "example.org", "mail.example.net"]
CHANNELS = {
    "web": ("website", ["page_view", "login", "purchase"]),
    "app": ("mobile-app", ["login", "page_view", "purchase"]),
    "call": ("contact-center", ["call"]),
    "email": ("crm", ["email_open", "email_click"]),
    "store": ("pos", ["purchase"]),
}


CHANNEL_NAMES = list(CHANNELS)
STAFF_EMAILS = [
    "staff@shop.example.fr",
    "accueil@shop.example.fr",
    "caisse@shop.example.fr",
    "test.agent@shop.example.fr",
]
STORES = ["paris", "lyon", "lille", "nantes", "nice", "rennes", "bordeaux"]
RING_WORDS = ["promo", "bonplan", "deal", "cadeau", "gain", "offre", "vip", "bonus"]
RING_DOMAINS = ["mail.example.net", "example.org", "example.com"]
RING_TYPES = ["payment_failed", "purchase", "login", "review"]
# Placeholders that ingest blocks (graph.model.identifiers.DEFAULT_BLOCKLIST) ...
JUNK = [
    ("email", "null"),
    ("email", "N/A"),
    ("email", "test@test.com"),
    ("email", "noreply@shop.example.fr"),
    ("phone", "0000000000"),
    ("phone", "+33 0 00 00 00 00"),
    ("device", "00000000-0000-0000-0000-000000000000"),
    ("device", "02:00:00:00:00:00"),
    ("cookie", "undefined"),
]
# ... and values that do not validate at all, which ingest rejects.
INVALID = [
    ("phone", "12"),
    ("phone", "+33 6 12"),
    ("email", "jean.dupont@"),
    ("email", "pas un email"),
    ("device", "dev 42"),
]

Id = tuple[str, str, str]
"""(type, normalised value, raw value as sent in the event)."""


def timestamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def raw_phone(rng: random.Random, e164: str) -> str:
    national = "0" + e164[3:]
    style = rng.randrange(4)
    if style == 0:
        return " ".join(national[i : i + 2] for i in range(0, 10, 2))
    if style == 1:
        return national
    if style == 2:
        return "+33 " + e164[3] + " " + " ".join(e164[i : i + 2] for i in range(4, 12, 2))
    return e164


def raw_email(rng: random.Random, email: str) -> str:
    local, domain = email.split("@")
    style = rng.randrange(3)
    if style == 0:
        return email
    if style == 1:
        return f"{local.title()}@{domain.title()}"
    return f" {email.upper()} "


def usable(normaliser: Normaliser, kind: str, value: str) -> bool:
    """Valid and not junk: simulated people own real-looking identifiers only."""
    try:
        ident = normaliser.normalise(kind, value)
    except InvalidIdentifier:
        return False
    return not normaliser.is_blocked(ident)
