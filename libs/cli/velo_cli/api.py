"""A small client of the gateway: bearer token, JSON, Problem+JSON errors shown as sentences."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx


class SetupError(Exception):
    """The gateway cannot be used: a variable is missing or it does not answer (exit code 2)."""


class ApiError(Exception):
    """The gateway refused or failed a call; the message is its problem's detail (exit code 1)."""

    def __init__(self, detail: str, status: int, problem: dict[str, Any] | None = None):
        super().__init__(detail)
        self.detail, self.status, self.problem = detail, status, problem or {}


@dataclass(frozen=True)
class Reply:
    """A write's answer: its JSON body and where to follow it."""

    body: Any
    location: str | None


def segment(value: str) -> str:
    """Return value encoded as one path segment (a `+` stays as it is)."""
    return quote(value, safe="+")


class Api:
    """Calls the gateway at url as the user whose token is given."""

    def __init__(self, url: str, token: str, transport: httpx.BaseTransport | None = None):
        self.url = url
        self.http = httpx.Client(
            base_url=url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
            transport=transport,
        )

    @classmethod
    def from_env(cls, transport: httpx.BaseTransport | None = None) -> Api:
        """Return the client of VELO_API_URL with VELO_TOKEN; SetupError names what is missing."""
        url, token = os.environ.get("VELO_API_URL", ""), os.environ.get("VELO_TOKEN", "")
        missing = [
            name for name, value in (("VELO_API_URL", url), ("VELO_TOKEN", token)) if not value
        ]
        if missing:
            verb = "is" if len(missing) == 1 else "are"
            raise SetupError(
                f"{' and '.join(missing)} {verb} not set: export VELO_API_URL (make run prints "
                "it) and VELO_TOKEN=$(velo dev token)"
            )
        return cls(url, token, transport)

    def get(self, path: str, **params: Any) -> Any:
        """GET path; return the JSON body."""
        return self._call("GET", path, params=_clean(params)).json()

    def write(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Reply:
        """Send a write; return its JSON body (None when empty) and Location."""
        response = self._call(method, path, json=body, headers=headers or {})
        content = response.json() if response.content else None
        return Reply(content, response.headers.get("Location"))

    def upload(self, path: str, data: dict[str, str], files: dict[str, Any]) -> Reply:
        """POST a multipart form (a document); return its JSON body."""
        response = self._call("POST", path, data=data, files=files)
        return Reply(response.json() if response.content else None, None)

    def stream(self, path: str, sink: Callable[[str], None], **params: Any) -> None:
        """GET path and hand its body to sink piece by piece, as it arrives."""
        with self._streaming("GET", path, params=_clean(params)) as response:
            for piece in response.iter_text():
                sink(piece)

    def _call(self, method: str, path: str, **options: Any) -> httpx.Response:
        with self._streaming(method, path, **options) as response:
            response.read()
            return response

    @contextmanager
    def _streaming(self, method: str, path: str, **options: Any) -> Iterator[httpx.Response]:
        try:
            with self.http.stream(method, path, **options) as response:
                if not response.is_success:
                    response.read()
                    raise _problem(response)
                yield response
        except httpx.TransportError as exc:
            reason = str(exc) or type(exc).__name__
            raise SetupError(f"the gateway at {self.url} does not answer ({reason})") from None


def _problem(response: httpx.Response) -> ApiError:
    try:
        problem = response.json()
    except ValueError:
        problem = None
    if not isinstance(problem, dict):
        return ApiError(
            f"HTTP {response.status_code} {response.reason_phrase}", response.status_code
        )
    detail = problem.get("detail") or problem.get("title") or f"HTTP {response.status_code}"
    return ApiError(str(detail), response.status_code, problem)


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in params.items() if value is not None}
