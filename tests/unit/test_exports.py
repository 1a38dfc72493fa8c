"""The public surface of the core: every exported name resolves, and pure modules stay pure."""

from __future__ import annotations

import subprocess
import sys

import pytest

import graph
from graph.errors import ConfigurationError
from graph.settings import Settings, get_settings


def test_every_exported_name_resolves() -> None:
    for name in graph.__all__:
        assert getattr(graph, name) is not None


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        _ = graph.nothing_here  # type: ignore[attr-defined]


def test_pure_modules_do_not_load_the_driver_or_fastapi() -> None:
    code = (
        "import sys, graph.model.identifiers, graph.model.events, graph.lab.simulate;"
        "print('neo4j' in sys.modules, 'fastapi' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_bad_setting_is_a_clear_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IDGRAPH_BOLT_PORT", "not-a-port")
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigurationError, match="IDGRAPH_BOLT_PORT"):
            get_settings()
    finally:
        get_settings.cache_clear()


def test_custom_identifier_types_from_settings() -> None:
    settings = Settings.model_validate(
        {"identifier_types": {"loyalty": {"pattern": "L[0-9]{4}", "lower": False}}}
    )
    normaliser = settings.normaliser()
    assert normaliser.normalise("loyalty", " L1234 ").value == "L1234"
    assert "loyalty" in normaliser.types
