"""idgraph's HTTP API (FastAPI), a thin layer over the core in ``graph``."""

from api.app import create_app

__all__ = ["create_app"]
