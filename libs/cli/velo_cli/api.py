"""A small client of the gateway: bearer token, JSON, Problem+JSON errors shown as sentences."""

from __future__ import annotations

import os
from typing import Any

import httpx

DEFAULT_URL = "http://127.0.0.1:8080"


class ApiError(Exception):
    """The gateway refused or failed a call; the message is its problem's detail."""


class Api:
    """Calls the gateway as the user whose token is in VELO_TOKEN."""

    def __init__(self, url: str | None = None, token: str | None = None):
        token = token or os.environ.get("VELO_TOKEN", "")
        if not token:
            raise ApiError("no token: run `export VELO_TOKEN=$(velo dev token)` first")
        self.http = httpx.Client(
            base_url=url or os.environ.get("VELO_API_URL", DEFAULT_URL),
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )

    def get(self, path: str, **params: Any) -> Any:
        """GETs path; returns the JSON body."""
        return self._check(self.http.get(path, params=_clean(params))).json()

    def text(self, path: str, **params: Any) -> str:
        """GETs path; returns the body as text."""
        return self._check(self.http.get(path, params=_clean(params))).text

    def send(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        """Sends a write; returns the JSON body, if any."""
        response = self._check(self.http.request(method, path, json=body, headers=headers))
        return response.json() if response.content else None

    @staticmethod
    def _check(response: httpx.Response) -> httpx.Response:
        if response.is_success:
            return response
        try:
            problem = response.json()
            message = f"{problem.get('title', 'Error')}: {problem.get('detail', '')}"
        except ValueError:
            message = f"HTTP {response.status_code}"
        raise ApiError(f"{message} ({response.status_code})")


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in params.items() if value is not None}
