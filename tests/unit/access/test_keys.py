"""API keys and roles: configuration parsing, hashing, checking, who sees what (no database)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from graph.access.keys import (
    MIN_KEY_LENGTH,
    KeyTable,
    Role,
    hash_key,
    key_file_line,
    load_keys,
    new_key,
    parse_env_keys,
    parse_key_file,
    show_for,
)
from graph.errors import ConfigurationError

ADMIN_KEY = "admin-key-0123456789abcdef"
RESOLVER_KEY = "resolver-key-0123456789abcdef"


# --- roles -------------------------------------------------------------------------------------


def test_roles_are_ordered() -> None:
    order = [Role.RESOLVER, Role.ANALYST, Role.INVESTIGATOR, Role.ADMIN]
    for i, lower in enumerate(order):
        for j, higher in enumerate(order):
            assert higher.allows(lower) == (j >= i)


def test_role_parse_ignores_case_and_spaces() -> None:
    assert Role.parse(" Admin ") is Role.ADMIN
    assert Role.parse("boss") is None


def test_only_resolver_sees_masked_values() -> None:
    assert show_for(Role.RESOLVER)("email", "jean@example.fr") == "j***@example.fr"
    for role in (Role.ANALYST, Role.INVESTIGATOR, Role.ADMIN):
        assert show_for(role)("email", "jean@example.fr") == "jean@example.fr"


# --- IDGRAPH_API_KEYS ---------------------------------------------------------------------------


def test_env_keys_good() -> None:
    keys = parse_env_keys(f" {ADMIN_KEY}=admin , {RESOLVER_KEY} = Resolver,")
    assert [(k.role, k.name) for k in keys] == [
        (Role.ADMIN, "IDGRAPH_API_KEYS entry 1"),
        (Role.RESOLVER, "IDGRAPH_API_KEYS entry 2"),
    ]
    assert keys[0].digest == hashlib.sha256(ADMIN_KEY.encode()).digest()
    assert ADMIN_KEY not in repr(keys)


def test_env_key_may_contain_equals_signs() -> None:
    [key] = parse_env_keys("abc=def=ghijklmnopqrs=analyst")
    assert KeyTable([key]).authenticate("abc=def=ghijklmnopqrs") == key


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"{ADMIN_KEY}=boss", "entry 1: the role after '=' is not one of"),
        (f"{ADMIN_KEY}=admin,{RESOLVER_KEY}", "entry 2: write key=role"),
        ("=admin", "entry 1: the key is empty"),
        ("  =admin", "entry 1: the key is empty"),
        ("k3y-zq=admin", f"shorter than {MIN_KEY_LENGTH} characters"),
        (f"{ADMIN_KEY}=admin,{ADMIN_KEY}=resolver", "entry 2 repeats the key of"),
        ("with space in the key=admin", "printable ASCII without spaces"),
        (f"admin={ADMIN_KEY}", "the key comes first: key=role"),
    ],
)
def test_env_keys_bad(text: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match="IDGRAPH_API_KEYS") as caught:
        parse_env_keys(text)
    assert message in str(caught.value)
    for secret in (ADMIN_KEY, RESOLVER_KEY, "k3y-zq", "with space in the key"):
        assert secret not in str(caught.value)


# --- IDGRAPH_API_KEYS_FILE ----------------------------------------------------------------------


def test_key_file_good() -> None:
    text = "\n".join(
        [
            "# idgraph API keys",
            "",
            f"{hash_key(ADMIN_KEY)}  admin  ops team",
            "   # an indented comment",
            f"{hash_key(RESOLVER_KEY)}\tresolver",
            "   ",
        ]
    )
    keys = parse_key_file(text)
    assert [(k.role, k.name) for k in keys] == [
        (Role.ADMIN, "ops team"),
        (Role.RESOLVER, "IDGRAPH_API_KEYS_FILE line 5"),
    ]
    table = KeyTable(keys)
    assert table.authenticate(ADMIN_KEY) == keys[0]
    assert table.authenticate(RESOLVER_KEY) == keys[1]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (f"{ADMIN_KEY}  admin", "the hash must be 'sha256:'"),  # a clear key pasted by mistake
        ("sha256:abc  admin", "the hash must be 'sha256:'"),
        (f"{hash_key(ADMIN_KEY).upper()}  admin", "the hash must be 'sha256:'"),
        (f"md5:{'0' * 32}  admin", "the hash must be 'sha256:'"),
        (hash_key(ADMIN_KEY), "a role must follow the hash"),
        (f"{hash_key(ADMIN_KEY)}  root", "the role is not one of"),
    ],
)
def test_key_file_bad_line_is_reported_with_its_number(line: str, message: str) -> None:
    text = f"# keys\n\n{hash_key(RESOLVER_KEY)}  resolver\n{line}\n"
    with pytest.raises(ConfigurationError) as caught:
        parse_key_file(text)
    assert str(caught.value).startswith("IDGRAPH_API_KEYS_FILE: line 4: ")
    assert message in str(caught.value)
    assert ADMIN_KEY not in str(caught.value) and hash_key(ADMIN_KEY) not in str(caught.value)


def test_key_file_duplicates() -> None:
    text = f"{hash_key(ADMIN_KEY)} admin\n{hash_key(ADMIN_KEY)} resolver b\n"
    with pytest.raises(
        ConfigurationError, match="b repeats the key of IDGRAPH_API_KEYS_FILE line 1"
    ):
        parse_key_file(text)


def test_load_keys_from_both_sources(tmp_path: Path) -> None:
    path = tmp_path / "keys"
    path.write_text(key_file_line(RESOLVER_KEY, "resolver", "kiosk") + "\n")
    table = load_keys(f"{ADMIN_KEY}=admin", path)
    assert table is not None and len(table) == 2
    found = table.authenticate(RESOLVER_KEY)
    assert found is not None and found.name == "kiosk"
    assert ADMIN_KEY not in repr(table)


def test_load_keys_none_configured_is_none() -> None:
    assert load_keys(None, None) is None


def test_load_keys_refuses_a_key_in_both_sources(tmp_path: Path) -> None:
    path = tmp_path / "keys"
    path.write_text(key_file_line(ADMIN_KEY, "admin") + "\n")
    with pytest.raises(ConfigurationError, match="repeats the key"):
        load_keys(f"{ADMIN_KEY}=admin", path)


@pytest.mark.parametrize("content", ["", "# nothing yet\n\n"])
def test_load_keys_refuses_an_empty_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "keys"
    path.write_text(content)
    with pytest.raises(ConfigurationError, match="IDGRAPH_API_KEYS_FILE: .* holds no key"):
        load_keys(None, path)


def test_load_keys_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="IDGRAPH_API_KEYS_FILE: cannot read"):
        load_keys(None, tmp_path / "nope")


def test_load_keys_refuses_a_set_but_empty_variable() -> None:
    with pytest.raises(ConfigurationError, match="IDGRAPH_API_KEYS is set but holds no key"):
        load_keys("  ", None)


# --- hashing and checking ----------------------------------------------------------------------


def test_hash_format_and_verification() -> None:
    key = new_key()
    assert key.startswith("idg_") and len(key) == 47 and new_key() != key
    digest = hash_key(key)
    assert digest == "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    [parsed] = parse_key_file(key_file_line(key, Role.INVESTIGATOR))
    table = KeyTable([parsed])
    assert table.authenticate(key) == parsed and parsed.role is Role.INVESTIGATOR
    assert table.authenticate(key[:-1]) is None
    assert table.authenticate(key + "x") is None
    assert table.authenticate("") is None
    assert table.authenticate("x" * 10_000) is None
    assert table.authenticate("é\udcff\x00") is None  # anything a header may hold


def test_key_file_line_checks_its_arguments() -> None:
    with pytest.raises(ConfigurationError, match="unknown role"):
        key_file_line(new_key(), "root")
    with pytest.raises(ConfigurationError, match="name"):
        key_file_line(new_key(), "admin", "tab\tname")
    with pytest.raises(ConfigurationError, match="shorter"):
        key_file_line("short", "admin")


def test_the_command_prints_a_key_and_its_line() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "graph.access.keys", "analyst", "ops team"],
        capture_output=True,
        text=True,
        check=True,
    )
    key, line = proc.stdout.splitlines()
    [parsed] = parse_key_file(line)
    assert parsed.role is Role.ANALYST and parsed.name == "ops team"
    assert KeyTable([parsed]).authenticate(key) == parsed
    bad = subprocess.run(
        [sys.executable, "-m", "graph.access.keys", "root"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "unknown role" in bad.stderr and not bad.stdout


def test_keys_module_is_pure() -> None:
    code = "import sys, graph.access.keys; print('neo4j' in sys.modules, 'fastapi' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
