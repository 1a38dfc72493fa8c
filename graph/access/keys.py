"""API keys and roles: parsing the configuration, hashing, checking, and what each role sees.

No HTTP here: ``api.auth`` reads the headers and asks a :class:`KeyTable` who the
caller is.

Keys come from two places, which may be combined:

- ``IDGRAPH_API_KEYS``: comma-separated ``key=role`` pairs, e.g.
  ``IDGRAPH_API_KEYS="idg_Xy...=admin,idg_Ab...=resolver"``;
- ``IDGRAPH_API_KEYS_FILE``: a file of hashed keys, one per line,
  ``<hash>  <role>  [<name>]``; blank lines and lines starting with ``#`` are ignored.

Hashing: ``sha256:`` followed by the 64 lowercase hexadecimal characters of the
SHA-256 of the key (UTF-8). No salt and no slow hash, on purpose: keys are long random
tokens (:func:`new_key` draws 256 bits, and a clear key shorter than
:data:`MIN_KEY_LENGTH` is refused), so neither a dictionary nor precomputed tables
can find one from its hash, and a fast hash lets every request be checked against
every key in constant time. Both sources are hashed when read: the table in memory
holds no clear key.

Roles are ordered, each one allowing what the ones below it allow::

    admin ⊃ investigator ⊃ analyst ⊃ resolver

What a role sees of identifier values is :func:`show_for`: in clear, or masked by
:func:`graph.model.privacy.mask_identifier`.

Make a key and its file line with ``python -m graph.access.keys ROLE [NAME]`` or
:func:`key_file_line`. Error messages name the variable or the line, never a key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from graph.errors import ConfigurationError
from graph.model.privacy import ShowValue, in_clear, mask_identifier

__all__ = [
    "MIN_KEY_LENGTH",
    "ApiKey",
    "KeyTable",
    "Role",
    "hash_key",
    "key_file_line",
    "load_keys",
    "new_key",
    "parse_env_keys",
    "parse_key_file",
    "show_for",
]

ENV_KEYS = "IDGRAPH_API_KEYS"
ENV_KEYS_FILE = "IDGRAPH_API_KEYS_FILE"

#: Shortest clear key accepted in ``IDGRAPH_API_KEYS``: shorter ones could be guessed.
MIN_KEY_LENGTH = 16
#: Longest key a caller may present; longer ones are refused without hashing them.
MAX_KEY_LENGTH = 512

_HASH = re.compile(r"sha256:[0-9a-f]{64}")
#: What a key is made of: visible ASCII, no space, no comma (the ``IDGRAPH_API_KEYS`` separator).
_KEY_CHARS = re.compile(r"[\x21-\x2b\x2d-\x7e]+")
_NAME = re.compile(r"[\x20-\x7e]{1,100}")


class Role(StrEnum):
    """What a key may do; each role allows everything the roles below it allow."""

    RESOLVER = "resolver"
    """``POST /v1/resolve`` only, identifier values masked."""
    ANALYST = "analyst"
    """Read everything: resolve in clear, identity profiles, read endpoints."""
    INVESTIGATOR = "investigator"
    """Analyst, plus fraud and graph-exploration endpoints."""
    ADMIN = "admin"
    """Everything: ingest (``POST /v1/events``) and administration too."""

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def allows(self, needed: Role) -> bool:
        """Whether this role may do what ``needed`` may."""
        return self.rank >= needed.rank

    @property
    def sees_clear_values(self) -> bool:
        """Whether identifier values are shown in clear to this role."""
        return self.allows(Role.ANALYST)

    @classmethod
    def parse(cls, text: str) -> Role | None:
        """The role named ``text`` (case and surrounding spaces ignored), else None."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            return None


_RANKS = {role: n for n, role in enumerate(Role)}
_ROLE_NAMES = ", ".join(r.value for r in Role)


@dataclass(frozen=True)
class ApiKey:
    """One configured key, as kept in memory: its hash, never the key."""

    digest: bytes
    """The raw SHA-256 of the key (32 bytes)."""
    role: Role
    name: str
    """Who or what holds the key (for logs); never the key itself."""

    def __repr__(self) -> str:
        return f"ApiKey(role={self.role.value!r}, name={self.name!r})"


def hash_key(key: str) -> str:
    """The file form of a key's hash: ``sha256:<64 hex>``."""
    return "sha256:" + _digest(key).hex()


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()


def new_key() -> str:
    """A new random key: ``idg_`` and 256 random bits, URL-safe (43 characters)."""
    return "idg_" + secrets.token_urlsafe(32)


def key_file_line(key: str, role: Role | str, name: str = "") -> str:
    """The ``IDGRAPH_API_KEYS_FILE`` line of ``key``: ``<hash>  <role>  [<name>]``.

    Raises:
        ConfigurationError: the role is unknown, the name has characters a line cannot
            hold, or the key is too short.
    """
    found = role if isinstance(role, Role) else Role.parse(role)
    if found is None:
        raise ConfigurationError(f"unknown role: use one of {_ROLE_NAMES}")
    if name and not _NAME.fullmatch(name):
        raise ConfigurationError("a key's name is 1 to 100 printable ASCII characters")
    _check_key(key, "the key")
    return f"{hash_key(key)}  {found.value}" + (f"  {name}" if name else "")


def _check_key(key: str, where: str) -> None:
    if not key:
        raise ConfigurationError(f"{where}: the key is empty")
    if not _KEY_CHARS.fullmatch(key):
        raise ConfigurationError(
            f"{where}: a key is printable ASCII without spaces or commas (key not shown)"
        )
    if len(key) < MIN_KEY_LENGTH:
        raise ConfigurationError(
            f"{where}: the key is shorter than {MIN_KEY_LENGTH} characters "
            "(make one with: python -m graph.access.keys ROLE)"
        )


def parse_env_keys(text: str) -> list[ApiKey]:
    """Keys of ``IDGRAPH_API_KEYS``: comma-separated ``key=role`` pairs.

    Empty entries (a trailing comma) are skipped. Each key is named
    ``IDGRAPH_API_KEYS entry N`` (N from 1) for the logs.

    Raises:
        ConfigurationError: an entry has no ``=``, an empty or short key, an unknown
            role, or repeats a key; the message names the entry, never the key.
    """
    keys: list[ApiKey] = []
    for n, raw in enumerate(text.split(","), start=1):
        entry = raw.strip()
        if not entry:
            continue
        where = f"{ENV_KEYS}: entry {n}"
        key, sep, role_text = entry.rpartition("=")
        if not sep:
            raise ConfigurationError(f"{where}: write key=role (no '=' found)")
        key = key.strip()
        role = Role.parse(role_text)
        if role is None:
            hint = " (the key comes first: key=role)" if Role.parse(key) else ""
            raise ConfigurationError(
                f"{where}: the role after '=' is not one of {_ROLE_NAMES}{hint}"
            )
        _check_key(key, where)
        keys.append(ApiKey(digest=_digest(key), role=role, name=f"{ENV_KEYS} entry {n}"))
    _refuse_duplicates(keys)
    return keys


def parse_key_file(text: str, source: str = ENV_KEYS_FILE) -> list[ApiKey]:
    """Keys of a key file: ``<hash>  <role>  [<name>]`` per line.

    Blank lines and lines whose first non-blank character is ``#`` are ignored. A key
    without a name is named ``<source> line N``.

    Raises:
        ConfigurationError: a line has a malformed hash, an unknown role or no role,
            or repeats a hash; the message gives the line number, never the line.
    """
    keys: list[ApiKey] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{source}: line {n}"
        parts = line.split(maxsplit=2)
        if not _HASH.fullmatch(parts[0]):
            raise ConfigurationError(
                f"{where}: the hash must be 'sha256:' and 64 lowercase hexadecimal "
                "characters (line not shown; make one with: python -m graph.access.keys ROLE)"
            )
        if len(parts) < 2:
            raise ConfigurationError(f"{where}: a role must follow the hash")
        role = Role.parse(parts[1])
        if role is None:
            raise ConfigurationError(f"{where}: the role is not one of {_ROLE_NAMES}")
        name = parts[2].strip() if len(parts) > 2 else f"{source} line {n}"
        if not _NAME.fullmatch(name):
            raise ConfigurationError(f"{where}: a name is 1 to 100 printable ASCII characters")
        digest = bytes.fromhex(parts[0].removeprefix("sha256:"))
        keys.append(ApiKey(digest=digest, role=role, name=name))
    _refuse_duplicates(keys)
    return keys


def _refuse_duplicates(keys: Iterable[ApiKey]) -> None:
    seen: dict[bytes, str] = {}
    for k in keys:
        if k.digest in seen:
            raise ConfigurationError(f"{k.name} repeats the key of {seen[k.digest]}")
        seen[k.digest] = k.name


class KeyTable:
    """The configured keys, by hash; answers who presents a key."""

    def __init__(self, keys: Iterable[ApiKey]) -> None:
        self._keys = tuple(keys)
        _refuse_duplicates(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"KeyTable({len(self._keys)} keys)"

    def authenticate(self, presented: str) -> ApiKey | None:
        """The key ``presented`` is, or None.

        Its hash is compared with every configured hash by ``hmac.compare_digest``,
        without stopping at a match, so the time taken says nothing about which key
        matched or how much of it.
        """
        if not presented or len(presented) > MAX_KEY_LENGTH:
            return None
        digest = _digest(presented)
        found: ApiKey | None = None
        for key in self._keys:
            if hmac.compare_digest(digest, key.digest) and found is None:
                found = key
        return found


def load_keys(env_keys: str | None, key_file: Path | None) -> KeyTable | None:
    """The keys of ``IDGRAPH_API_KEYS`` and ``IDGRAPH_API_KEYS_FILE`` together.

    Returns None when neither is set (authentication off: the API's documented
    local default).

    Raises:
        ConfigurationError: either source is malformed, the file cannot be read or
            holds no key, or a key appears twice.
    """
    keys: list[ApiKey] = []
    if env_keys is not None and env_keys.strip():
        keys += parse_env_keys(env_keys)
    elif env_keys is not None and key_file is None:
        raise ConfigurationError(
            f"{ENV_KEYS} is set but holds no key (unset it to run without authentication)"
        )
    if key_file is not None:
        try:
            text = key_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigurationError(
                f"{ENV_KEYS_FILE}: cannot read {key_file} ({type(e).__name__})"
            ) from None
        from_file = parse_key_file(text)
        if not from_file:
            raise ConfigurationError(f"{ENV_KEYS_FILE}: {key_file} holds no key")
        keys += from_file
    if env_keys is None and key_file is None:
        return None
    return KeyTable(keys)


# --- what each role sees -------------------------------------------------------------------


def show_for(role: Role) -> ShowValue:
    """How identifier values are shown to ``role``: in clear, or masked."""
    return in_clear if role.sees_clear_values else mask_identifier


def _main(argv: list[str]) -> int:
    """``python -m graph.access.keys ROLE [NAME]``: a new key and its key-file line."""
    if not argv or argv[0] in {"-h", "--help"} or len(argv) > 2:
        print(
            f"usage: python -m graph.access.keys ROLE [NAME]   (ROLE: {_ROLE_NAMES})",
            file=sys.stderr,
        )
        return 0 if argv and argv[0] in {"-h", "--help"} else 2
    key = new_key()
    try:
        line = key_file_line(key, argv[0], argv[1] if len(argv) > 1 else "")
    except ConfigurationError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print("# the key: give it to its holder; it is shown once and stored nowhere", file=sys.stderr)
    print(key)
    print(f"# its line for {ENV_KEYS_FILE}:", file=sys.stderr)
    print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
