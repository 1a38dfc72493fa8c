"""The investigator web explorer, served at ``/ui`` from its build output.

The page is built from ``web/`` by ``make install`` (``npm ci && npm run build``) into
``api/static/ui/``, which is not in git. Until it is built, ``/ui`` answers a clear 503
saying so, never a 500. The page calls the same API with the same keys.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

__all__ = ["UI_DIR", "mount_ui"]

#: Where ``npm run build`` writes the page (see web/build.mjs).
UI_DIR = Path(__file__).resolve().parent / "static" / "ui"


class _Explorer:
    """The built files, or a 503 telling how to build them when they are missing."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.files = StaticFiles(directory=directory, html=True, check_dir=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not (self.directory / "index.html").is_file():
            missing = JSONResponse(
                status_code=503,
                content={
                    "error": "ExplorerNotBuilt",
                    "detail": "the web explorer is not built: run `make install` "
                    "(npm ci && npm run build in web/)",
                    "location": None,
                },
            )
            await missing(scope, receive, send)
            return
        await self.files(scope, receive, send)


def mount_ui(app: FastAPI, directory: Path = UI_DIR) -> None:
    """Serve the explorer at ``/ui/`` (``/ui`` redirects there, so relative assets load)."""

    @app.get("/ui", include_in_schema=False)
    def ui_root() -> RedirectResponse:
        return RedirectResponse("/ui/", status_code=307)

    app.mount("/ui", _Explorer(directory), name="ui")
