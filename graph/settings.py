"""Settings: one object, read from the environment on demand, never at import time.

Standard Neo4j names (``NEO4J_URI``, ``NEO4J_USERNAME``, ``NEO4J_PASSWORD``,
``NEO4J_DATABASE``) select an existing server; without ``NEO4J_URI`` idgraph uses the
local Neo4j it manages itself (``idgraph db start``). Everything else is prefixed
``IDGRAPH_``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.errors import ConfigurationError
from graph.model.event_types import EventTypeMap, load_event_types
from graph.model.identifiers import DEFAULT_BLOCKLIST, CustomType, NormalisationConfig, Normaliser

__all__ = ["IdentifierTypeSpec", "Settings", "get_settings"]


class IdentifierTypeSpec(BaseModel):
    """An identifier type declared in configuration (``IDGRAPH_IDENTIFIER_TYPES``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pattern: str = Field(description="regular expression the normalised value must match")
    lower: bool = Field(default=False, description="lower-case the value")
    strip: bool = Field(default=True, description="trim surrounding white space")


def _xdg(var: str, fallback: str) -> Path:
    base = os.environ.get(var)
    return Path(base) if base else Path.home() / fallback


def _default_cache_dir() -> Path:
    return _xdg("XDG_CACHE_HOME", ".cache") / "idgraph"


def _default_data_dir() -> Path:
    return _xdg("XDG_DATA_HOME", ".local/share") / "idgraph"


class Settings(BaseSettings):
    """All of idgraph's settings.

    The local-database defaults are sized for the reference machine (2 cores,
    24 GiB): 4 GiB of heap and 4 GiB of page cache leave room for the API, the
    networkx back end and a test instance beside it.
    """

    model_config = SettingsConfigDict(env_prefix="IDGRAPH_", extra="ignore")

    # An existing server (standard Neo4j variable names, no prefix).
    neo4j_uri: str | None = Field(default=None, validation_alias="NEO4J_URI")
    neo4j_username: str = Field(default="neo4j", validation_alias="NEO4J_USERNAME")
    neo4j_password: SecretStr | None = Field(default=None, validation_alias="NEO4J_PASSWORD")
    neo4j_database: str = Field(default="neo4j", validation_alias="NEO4J_DATABASE")

    # The local Neo4j managed by the project.
    cache_dir: Path = Field(default_factory=_default_cache_dir)
    """Where the Neo4j, GDS and Browser jars are assembled (shared by every instance)."""
    db_dir: Path = Field(default_factory=lambda: _default_data_dir() / "neo4j")
    """The local instance: configuration, data, logs, pid and password files."""
    bolt_port: int = Field(default=7687, ge=1, le=65535)
    http_port: int = Field(default=7474, ge=1, le=65535)
    heap: str = Field(default="4g", pattern=r"^\d+[kmgKMG]$")
    pagecache: str = Field(default="4g", pattern=r"^\d+[kmgKMG]$")
    start_timeout: float = Field(default=180.0, gt=0)
    java: str = "java"
    mvn: str = "mvn"

    # The API.
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    api_keys: SecretStr | None = None
    """API keys in clear, comma-separated ``key=role`` pairs (see ``graph.access.keys``)."""
    api_keys_file: Path | None = None
    """A file of hashed API keys, ``<hash>  <role>  [<name>]`` per line. With neither
    this nor ``api_keys``, the API runs without authentication (local use only)."""
    max_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    """Largest request body the API reads (bytes); a larger one is answered 413."""

    # Ingest and normalisation.
    default_region: str = Field(default="FR", min_length=2, max_length=2)
    batch_size: int = Field(default=5000, ge=1, le=100_000)
    ingest_writers: int = Field(default=2, ge=1, le=8)
    """Write transactions in flight during an ingest. With 2, the server writes one
    batch while it commits the other (Neo4j runs each transaction on one core); an
    event that sees an identifier a batch still in flight first sent waits for the
    next batch, and the rare deadlock between the two is retried at once."""
    email_drop_dots: bool = False
    """Provider rewrite: drop dots in Gmail local parts (off: a dot may be meaningful)."""
    email_drop_plus_tag: bool = False
    """Provider rewrite: drop ``+tag`` from local parts."""
    blocklist_defaults: bool = True
    """Use the built-in junk patterns (``null``, ``test@test.com``, all-zero phones...)."""
    blocklist_extra: list[str] = Field(default_factory=list)
    """More junk patterns, JSON list of regexes matched against ``type:value``."""
    identifier_types: dict[str, IdentifierTypeSpec] = Field(default_factory=dict)
    """More identifier types, JSON object: ``{"loyalty": {"pattern": "L[0-9]{8}"}}``."""
    event_types: Path | None = None
    """A YAML file mapping sources' event types and attribute names onto canonical ones,
    in the format of ``graph/model/event_types.yaml``: it extends and overrides those
    defaults entry by entry (read once per process)."""

    # Clustering back end: "auto" uses GDS when the server has it, else networkx.
    cluster_backend: str = Field(default="auto", pattern="^(auto|gds|networkx)$")
    cluster_interval: float = Field(default=60.0, ge=0)
    """Seconds between the API's incremental clustering runs (0: no periodic runs)."""
    anchor_types: frozenset[str] = frozenset({"account"})
    """Identifier types that name one account or person in a source system (JSON list,
    ``IDGRAPH_ANCHOR_TYPES='["account", "customer_id"]'``): never hubs, never shared."""

    @field_validator("default_region")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.upper()

    def normaliser(self) -> Normaliser:
        """The identifier normaliser these settings describe (shared by CLI and API).

        Raises:
            ConfigurationError: a pattern or region in the settings is invalid.
        """
        blocklist = (DEFAULT_BLOCKLIST if self.blocklist_defaults else ()) + tuple(
            self.blocklist_extra
        )
        return Normaliser(
            NormalisationConfig(
                default_region=self.default_region,
                email_drop_dots=self.email_drop_dots,
                email_drop_plus_tag=self.email_drop_plus_tag,
                blocklist=blocklist,
                extra_types={
                    name: CustomType(pattern=t.pattern, lower=t.lower, strip=t.strip)
                    for name, t in self.identifier_types.items()
                },
            )
        )

    def event_type_map(self) -> EventTypeMap:
        """The mapping onto canonical event types: the defaults and ``event_types``.

        Raises:
            ConfigurationError: the file cannot be read or is wrong (file and place named).
        """
        return load_event_types(self.event_types)

    @property
    def uses_local_db(self) -> bool:
        """True when no ``NEO4J_URI`` is given: the project's own Neo4j is used."""
        return not self.neo4j_uri

    @property
    def bolt_uri(self) -> str:
        """The Bolt URI to connect to: the given server, else the local one."""
        return self.neo4j_uri or f"bolt://127.0.0.1:{self.bolt_port}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once from the environment when first asked for.

    Raises:
        ConfigurationError: a variable has a wrong value (named, value not shown).
    """
    try:
        return Settings()
    except ValidationError as e:
        problems = []
        for err in e.errors(include_input=False, include_url=False):
            field = str(err["loc"][0]) if err["loc"] else "?"
            alias = _ALIASES.get(field, f"IDGRAPH_{field.upper()}")
            problems.append(f"{alias}: {err['msg']}")
        raise ConfigurationError("invalid settings: " + "; ".join(problems)) from e


_ALIASES = {
    "NEO4J_URI": "NEO4J_URI",
    "NEO4J_USERNAME": "NEO4J_USERNAME",
    "NEO4J_PASSWORD": "NEO4J_PASSWORD",
    "NEO4J_DATABASE": "NEO4J_DATABASE",
}
