"""`/docs`: Swagger UI served from the service itself, so the API description works offline.

FastAPI's own `/docs` loads Swagger UI from a CDN (a blank page without internet). The assets here
come from the `swagger-ui-py` package, installed from the lockfile like any other dependency.
"""

from __future__ import annotations

from pathlib import Path

import swagger_ui
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"
ASSETS_DIR = Path(swagger_ui.__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Serves Swagger UI for app's OpenAPI document at /docs, every asset from app itself."""
    app.mount(ASSETS, StaticFiles(directory=ASSETS_DIR), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} — API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
            swagger_ui_parameters={"persistAuthorization": True},
        )
