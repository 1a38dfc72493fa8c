"""Privacy and ids of the model: how values are shown, what an identity id is (pure)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.model.ids import IDENTITY_ID_PATTERN, identity_id_for, is_identity_id
from graph.model.privacy import in_clear, mask_identifier

# --- masking -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "value", "masked"),
    [
        ("email", "jean.dupont@example.fr", "j***@example.fr"),
        ("email", "jo@example.fr", "***@example.fr"),
        ("phone", "+33612345678", "+33*******78"),
        ("cookie", "ck-123456789", "ck********89"),
        ("device", "dev-0001", "de****01"),
        ("ip", "192.168.1.10", "19********10"),
        ("cookie", "ck-1", "****"),
        ("account", "a", "*"),
        ("phone", "+3361", "*****"),
    ],
)
def test_masking(type_: str, value: str, masked: str) -> None:
    assert mask_identifier(type_, value) == masked


@given(st.sampled_from(["email", "phone", "cookie", "x"]), st.text(min_size=1, max_size=60))
def test_masking_never_shows_more_than_four_characters(type_: str, value: str) -> None:
    shown = mask_identifier(type_, value)
    if type_ == "email" and value.count("@") == 1:
        local, domain = value.split("@")
        assert shown in {f"{local[:1]}***@{domain}", f"***@{domain}"}
    else:
        assert sum(c != "*" for c in shown) <= 5  # "+" and 4 characters at most
        if len(value) < 8:
            assert set(shown) == {"*"}


def test_in_clear_shows_the_stored_value() -> None:
    assert in_clear("email", "jean@example.fr") == "jean@example.fr"


# --- ids ---------------------------------------------------------------------------------------


def test_identity_ids_are_derived_from_their_anchor_and_have_the_public_form() -> None:
    made = identity_id_for("email:jean@example.fr")
    assert made == identity_id_for("email:jean@example.fr") != identity_id_for("email:x@y.fr")
    assert is_identity_id(made) and IDENTITY_ID_PATTERN == r"^id_[0-9a-f]{20}$"
    assert "jean" not in made
    assert not is_identity_id(made.upper()) and not is_identity_id(made + "0")


def test_model_privacy_and_ids_are_pure() -> None:
    code = (
        "import sys, graph.model.privacy, graph.model.ids;"
        "print('neo4j' in sys.modules, 'fastapi' in sys.modules, 'graph.store' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]
