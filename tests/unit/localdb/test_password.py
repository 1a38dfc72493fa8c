"""Generated passwords are safe to pass to neo4j-admin on its command line."""

from __future__ import annotations

from graph.localdb.server import new_password


def test_generated_passwords_never_look_like_an_option() -> None:
    seen = {new_password() for _ in range(2000)}
    assert len(seen) == 2000
    for pw in seen:
        assert len(pw) == 48 and not pw.startswith("-")
        assert set(pw) <= set("0123456789abcdef")
