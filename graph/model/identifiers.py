"""Normalise and validate identifiers before they reach the graph.

Two events about the same person only link if their identifiers give the same key,
so every identifier goes through one :class:`Normaliser`: ``" Jean@Example.FR"`` and
``"jean@example.fr"`` must become one node, ``"06 12 34 56 78"`` and
``"+33 6 12 34 56 78"`` too. The module is pure (no database, no web framework) so
it is tested in microseconds and shared by the CLI and the API.

Identifier values are personal data: error messages give the reason and at most a
:func:`graph.errors.mask` hint, never the value in clear.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Generic, Literal, NoReturn, TypeVar

import phonenumbers

from graph.errors import ConfigurationError, InvalidIdentifier, mask

__all__ = [
    "BUILTIN_TYPES",
    "DEFAULT_BLOCKLIST",
    "MAX_LENGTH",
    "CustomType",
    "Identifier",
    "NormalisationConfig",
    "Normaliser",
]

MAX_LENGTH = 512
"""Longest accepted value: longer ones are payloads or mistakes, not identifiers."""
_CACHE_SIZE = 100_000  # memoised answers per normaliser and generation (see _Memo)
_LITERAL_TYPE_PREFIX = re.compile(r"[a-z][a-z0-9_]*:")

BUILTIN_TYPES: frozenset[str] = frozenset(
    {"email", "phone", "device", "cookie", "account", "card", "ip"}
)

# Every pattern is matched with re.fullmatch, case-insensitively, against
# "type:value": the normalised value (Normaliser.is_blocked) and the raw trimmed value
# (Normaliser.is_blocked_raw). Blocked values are junk shared by unrelated people:
# linking on them would merge thousands of profiles into one.
DEFAULT_BLOCKLIST: tuple[str, ...] = (
    # Placeholders that forms, exports and SDKs write when they have no value
    # ("null", "N/A", "undefined", pandas' "nan", C's "(null)"), for any type.
    r"[^:]+:(?:null|none|nil|nan|undefined|n/a|na|unknown|anonymous|test|-|0|\(null\)|<null>)",
    # Throw-away addresses typed by people who do not want to give theirs.
    r"email:(?:test@test\.com|a@a\.com|example@example\.com)",
    # No-reply senders, copied into contact fields by integrations; nobody reads them.
    r"email:(?:no-?reply|no_reply|do-?not-?reply)@.+",
    # One digit repeated, after an optional country code (+33111111111, "0000000000",
    # "+33 0 00 00 00 00"): filler typed to get past a required field. Some of it passes
    # phonenumbers' validation, most of it only shows raw (separators allowed).
    r"phone:(?:(?:\+|00)[0-9]{1,3})?[\s().-]*([0-9])(?:[\s().-]*\1){5,}[\s().-]*",
    # All-zero device ids: the advertising id (IDFA/GAID) of users who opted out of
    # tracking, and uninitialised UUIDs ("00000000-0000-0000-0000-000000000000").
    r"device:[0-]*0[0-]*",
    # The ANDROID_ID that a vendor bug gave to many Android 2.2 devices at once.
    r"device:9774d56d682e549c",
    # The MAC address iOS 7+ returns to every app instead of the real one.
    r"device:02:00:00:00:00:00",
    # Unspecified and loopback addresses: what proxies and local tools report.
    r"ip:(?:0\.0\.0\.0|127(?:\.[0-9]{1,3}){3}|::|::1)",
)

# Characters that have no business in an identifier: C0/C1 controls (NUL, newline,
# ESC...), lone surrogates (cannot be encoded to UTF-8 for the database) and the
# Unicode line/paragraph separators (they split log lines).
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_TYPE_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
_SHOWN_TYPE_LENGTH = 40
_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
_WHITESPACE = re.compile(r"\s")
# A phone written with digits, an optional leading "+" and, between digits, the
# separators people type.
_PLAIN_PHONE = re.compile(r"\+?[0-9](?:[0-9 .-]*[0-9])?")
_PHONE_SEPARATORS = re.compile(r"[ .-]")
_DOMAIN_LABELS = re.compile(r"[^.]+(?:\.[^.]+)+")
_CARD_SEPARATORS = re.compile(r"[\s-]")
_CARD_TOKEN = re.compile(r"[A-Za-z0-9_:]+")
_PAN = re.compile(r"[0-9]{13,19}")


@dataclass(frozen=True, slots=True)
class Identifier:
    """A normalised identifier: build it with :meth:`Normaliser.normalise`."""

    type: str
    value: str

    @property
    def key(self) -> str:
        """The unique key of the identifier's node in the graph."""
        return f"{self.type}:{self.value}"


@dataclass(frozen=True)
class CustomType:
    """An identifier type declared in configuration rather than in code.

    Attributes:
        pattern: regex the normalised value must fully match.
        lower: lower-case the value, for ids whose case carries no meaning.
        strip: trim surrounding whitespace (off only when it is significant).
    """

    pattern: str
    lower: bool = False
    strip: bool = True


@dataclass(frozen=True)
class NormalisationConfig:
    """How identifiers are normalised; the defaults suit French data.

    Attributes:
        default_region: phonenumbers region for numbers written without +country.
        email_drop_dots: drop dots in the local part of gmail.com/googlemail.com
            addresses, which Gmail ignores (off by default: it merges distinct
            addresses for every other purpose).
        email_drop_plus_tag: drop ``+tag`` from local parts (sub-addressing).
        blocklist: junk patterns, see :data:`DEFAULT_BLOCKLIST`.
        extra_types: identifier types declared in configuration, by name.
    """

    default_region: str = "FR"
    email_drop_dots: bool = False
    email_drop_plus_tag: bool = False
    blocklist: tuple[str, ...] = DEFAULT_BLOCKLIST
    extra_types: Mapping[str, CustomType] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Rule:
    strip: bool
    apply: Callable[[str, str], str]


def _reject(type_: str, value: str, reason: str) -> NoReturn:
    raise InvalidIdentifier(f"invalid {type_} identifier [{mask(value)}]: {reason}")


def _show_type(type_: str) -> str:
    name = str(type_)
    if len(name) > _SHOWN_TYPE_LENGTH:
        return repr(name[:_SHOWN_TYPE_LENGTH]) + "…"
    return repr(name)


def _has_forbidden_character(text: str) -> bool:
    if text.isprintable():  # the common case: printable text has none of these categories
        return False
    return any(unicodedata.category(char) in _FORBIDDEN_CATEGORIES for char in text)


def _passes_luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


Verdict = (
    tuple[Literal["junk"], None]
    | tuple[Literal["invalid"], str]
    | tuple[Literal["blocked", "valid"], Identifier]
)
"""What :meth:`Normaliser.classify` says of one raw value."""

K = TypeVar("K")
V = TypeVar("V")


class _Memo(Generic[K, V]):
    """A bounded memo that keeps what is asked for often.

    Two generations: when the newer one is full it becomes the older one, and an entry
    found in the older one moves to the newer. Unlike clearing a full cache whole, a
    customer's phone seen in every batch stays, while one-off values (most cookies)
    pass through.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._new: dict[K, V] = {}
        self._old: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        found = self._new.get(key)
        if found is None:
            found = self._old.get(key)
            if found is not None:
                self.put(key, found)
        return found

    def put(self, key: K, value: V) -> None:
        if len(self._new) >= self._size:
            self._old = self._new
            self._new = {}
        self._new[key] = value


class Normaliser:
    """Turns raw (type, value) pairs into :class:`Identifier` objects or rejects them.

    Built once from a :class:`NormalisationConfig`; configuration mistakes (unknown
    phone region, bad regex, custom type shadowing a built-in) raise
    :class:`~graph.errors.ConfigurationError` here rather than on the first event.
    """

    def __init__(self, config: NormalisationConfig | None = None) -> None:
        self._config = config if config is not None else NormalisationConfig()
        self._region = self._config.default_region.strip().upper()
        if self._region not in phonenumbers.SUPPORTED_REGIONS:
            raise ConfigurationError(
                f"unknown phone region {self._config.default_region!r}; "
                "use a two-letter region code such as 'FR'"
            )
        self._blocklist = tuple(
            self._compile(pattern, f"blocklist pattern #{index}")
            for index, pattern in enumerate(self._config.blocklist)
        )
        # Patterns that start with a literal "type:" only need trying on that type.
        self._blocklist_by_type: dict[str, tuple[re.Pattern[str], ...]] = {}
        self._blocklist_any = tuple(
            p for p in self._blocklist if not _LITERAL_TYPE_PREFIX.match(p.pattern)
        )
        rules: dict[str, _Rule] = {
            "email": _Rule(strip=True, apply=self._email),
            "phone": _Rule(strip=True, apply=self._phone),
            "device": _Rule(strip=True, apply=self._device),
            "cookie": _Rule(strip=True, apply=self._cookie),
            "account": _Rule(strip=True, apply=self._account),
            "card": _Rule(strip=True, apply=self._card),
            "ip": _Rule(strip=True, apply=self._ip),
        }
        for name, custom in self._config.extra_types.items():
            if not _TYPE_NAME.fullmatch(name):
                raise ConfigurationError(
                    f"custom identifier type {_show_type(name)}: names are lower-case letters, "
                    "digits and '_', starting with a letter, at most 40 characters"
                )
            if name in rules:
                raise ConfigurationError(
                    f"custom identifier type {name!r} would replace the built-in type"
                )
            regex = self._compile(custom.pattern, f"pattern of custom type {name!r}", flags=0)
            rules[name] = _Rule(strip=custom.strip, apply=self._custom(custom, regex))
        self._rules: Mapping[str, _Rule] = MappingProxyType(rules)
        self._types = frozenset(rules)
        # Raw values repeat (a customer's phone in every call): remember recent answers.
        self._cache = _Memo[tuple[str, str], Identifier](_CACHE_SIZE)
        self._verdicts = _Memo[tuple[str, str], Verdict](_CACHE_SIZE)
        self._phones = _Memo[str, str](_CACHE_SIZE)  # bare digits -> E.164 (see _phone)

    @property
    def types(self) -> frozenset[str]:
        """Every type name :meth:`normalise` accepts, built-in and custom."""
        return self._types

    def normalise(self, type_: str, value: str) -> Identifier:
        """Normalise a value so that equal identifiers get equal keys (memoised).

        The type name is trimmed and lower-cased (``"Email"`` is ``"email"``).

        Raises:
            InvalidIdentifier: the type is unknown, or the value is empty, longer
                than 512 characters, holds control characters or fails the type's
                validation. The message says why without the value in clear.
        """
        key = (type_, value)
        cached = self._cache.get(key) if isinstance(value, str) else None
        if cached is not None:
            return cached
        result = self._normalise(type_, value)
        self._cache.put(key, result)
        return result

    def _normalise(self, type_: str, value: str) -> Identifier:
        name = self._type_name(type_)
        rule = self._rules.get(name)
        if rule is None:
            known = ", ".join(sorted(self._types))
            raise InvalidIdentifier(
                f"unknown identifier type {_show_type(type_)}; known types: {known}"
            )
        if not isinstance(value, str):
            raise InvalidIdentifier(
                f"{name} identifier must be a string, not {type(value).__name__}"
            )
        candidate = value.strip() if rule.strip else value
        if not value.strip():
            raise InvalidIdentifier(f"{name} identifier is empty")
        if len(candidate) > MAX_LENGTH:
            raise InvalidIdentifier(
                f"{name} identifier is too long: {len(candidate)} characters, at most {MAX_LENGTH}"
            )
        if _has_forbidden_character(candidate):
            raise InvalidIdentifier(
                f"{name} identifier contains control characters (newline, tab, NUL...)"
            )
        normalised = rule.apply(name, candidate)
        if not normalised.strip():
            _reject(name, candidate, "nothing left after normalisation")
        if len(normalised) > MAX_LENGTH:
            _reject(name, candidate, f"longer than {MAX_LENGTH} characters once normalised")
        return Identifier(type=name, value=normalised)

    def classify(self, type_: str, value: str) -> Verdict:
        """What ingest does with one raw value, in one memoised step.

        Returns ``("junk", None)`` for junk before normalisation (:meth:`is_blocked_raw`),
        ``("invalid", reason)`` for a value :meth:`normalise` rejects, ``("blocked",
        identifier)`` for a valid but blocklisted one (:meth:`is_blocked`) and
        ``("valid", identifier)`` otherwise.
        """
        key = (type_, value)
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = self._classify(type_, value)
            self._verdicts.put(key, verdict)
        return verdict

    def _classify(self, type_: str, value: str) -> Verdict:
        try:
            if self.is_blocked_raw(type_, value):
                return ("junk", None)
            identifier = self._normalise(type_, value)
        except InvalidIdentifier as e:
            return ("invalid", str(e))
        return ("blocked" if self.is_blocked(identifier) else "valid", identifier)

    def is_blocked(self, identifier: Identifier) -> bool:
        """True for junk values that must not link anything (the caller still counts them)."""
        return self._matches_blocklist(identifier.key)

    def is_blocked_raw(self, type_: str, raw: str) -> bool:
        """True for values that are junk before normalisation ("null", "0000000000").

        Checked on the raw value because much junk does not normalise at all, and a
        rejection would hide that the field was deliberately filled with filler.
        """
        return self._matches_blocklist(f"{self._type_name(type_)}:{raw.strip()}")

    # -- built-in types -------------------------------------------------------

    def _email(self, type_: str, value: str) -> str:
        lowered = value.lower()
        if _WHITESPACE.search(lowered):
            _reject(type_, value, "an email address contains no spaces")
        if lowered.count("@") != 1:
            _reject(type_, value, "an email address contains exactly one '@'")
        local, domain = lowered.split("@")
        if not local:
            _reject(type_, value, "the part before '@' is empty")
        if not _DOMAIN_LABELS.fullmatch(domain):
            _reject(type_, value, "the part after '@' must look like domain.tld")
        if self._config.email_drop_plus_tag:
            # "+" alone (an empty local part once dropped) is kept: better a rare
            # address than an invalid one.
            untagged = local.split("+", 1)[0]
            local = untagged or local
        if self._config.email_drop_dots and domain in _GMAIL_DOMAINS:
            local = local.replace(".", "") or local
        return f"{local}@{domain}"

    def _phone(self, type_: str, value: str) -> str:
        # The same number comes written many ways ("06 12 34 56 78", "06.12.34.56.78"):
        # phonenumbers drops these separators itself, so a value made of digits and
        # them shares the answer of its bare digits. Only successes are kept, since a
        # rejection's message carries a hint of the value as written.
        bare = _PHONE_SEPARATORS.sub("", value) if _PLAIN_PHONE.fullmatch(value) else None
        if bare is not None:
            known = self._phones.get(bare)
            if known is not None:
                return known
        e164 = self._parse_phone(type_, value)
        if bare is not None:
            self._phones.put(bare, e164)
        return e164

    def _parse_phone(self, type_: str, value: str) -> str:
        try:
            number = phonenumbers.parse(value, self._region)
        except phonenumbers.NumberParseException:
            _reject(type_, value, "not a phone number")
        if not phonenumbers.is_possible_number(number):
            _reject(type_, value, "not a possible phone number (wrong length for its country)")
        if not phonenumbers.is_valid_number(number):
            region = phonenumbers.region_code_for_country_code(number.country_code or 0)
            _reject(type_, value, f"not a valid phone number for region {region}")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def _device(self, type_: str, value: str) -> str:
        if _WHITESPACE.search(value):
            _reject(type_, value, "a device id contains no spaces")
        return value.lower()

    def _cookie(self, type_: str, value: str) -> str:
        if _WHITESPACE.search(value):
            _reject(type_, value, "a cookie id contains no spaces")
        return value

    def _account(self, type_: str, value: str) -> str:
        # Internal spaces are kept: some systems use display names as account ids.
        return value

    def _card(self, type_: str, value: str) -> str:
        compact = _CARD_SEPARATORS.sub("", value)
        if not compact:
            _reject(type_, value, "nothing but spaces and dashes")
        if _PAN.fullmatch(compact) and _passes_luhn(compact):
            # Storing a PAN would bring the whole graph into PCI-DSS scope.
            _reject(type_, value, "looks like a raw card number; send a token or fingerprint")
        if not _CARD_TOKEN.fullmatch(compact):
            _reject(
                type_,
                value,
                "a card token holds only letters, digits, '_' and ':' "
                "(spaces and dashes are removed)",
            )
        return compact

    def _ip(self, type_: str, value: str) -> str:
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            _reject(type_, value, "not an IPv4 or IPv6 address")
        return str(address)

    @staticmethod
    def _custom(custom: CustomType, regex: re.Pattern[str]) -> Callable[[str, str], str]:
        def apply(type_: str, value: str) -> str:
            normalised = value.lower() if custom.lower else value
            if not regex.fullmatch(normalised):
                _reject(type_, value, "does not match the pattern configured for this type")
            return normalised

        return apply

    # -- helpers --------------------------------------------------------------

    @staticmethod
    def _type_name(type_: str) -> str:
        return type_.strip().lower() if isinstance(type_, str) else ""

    @staticmethod
    def _compile(pattern: str, what: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
        try:
            return re.compile(pattern, flags)
        except re.error as error:
            raise ConfigurationError(f"{what} is not a valid regex: {error}") from error

    def _patterns_for(self, type_: str) -> tuple[re.Pattern[str], ...]:
        patterns = self._blocklist_by_type.get(type_)
        if patterns is None:
            patterns = tuple(
                p
                for p in self._blocklist
                if p in self._blocklist_any or p.pattern.lower().startswith(type_ + ":")
            )
            self._blocklist_by_type[type_] = patterns
        return patterns

    def _matches_blocklist(self, text: str) -> bool:
        # Not memoised here: ingest asks through classify, whose memo holds the answer.
        patterns = self._patterns_for(text.split(":", 1)[0])
        return any(pattern.fullmatch(text) for pattern in patterns)
