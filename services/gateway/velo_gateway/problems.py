"""Problem Details (RFC 9457) for every error the gateway returns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from velo_contracts import ErrorCode
from velo_runtime import problem

_CODES = {
    400: ErrorCode.VALIDATION_FAILED,
    401: ErrorCode.UNAUTHORIZED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    409: ErrorCode.CONFLICT,
    422: ErrorCode.VALIDATION_FAILED,
    429: ErrorCode.RATE_LIMITED,
    503: ErrorCode.VENDOR_UNAVAILABLE,
}


class Problem(Exception):
    """An error answered as application/problem+json."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        code: ErrorCode | str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail
        self.code = str(code or _CODES.get(status, ErrorCode.INTERNAL))
        self.extra = extra

    def response(self, headers: Mapping[str, str] | None = None) -> JSONResponse:
        """Renders the problem."""
        return problem(
            self.status, self.code, self.detail, title=self.title, headers=headers, **self.extra
        )


def install(app: FastAPI) -> None:
    """Makes every error of app a Problem Details document."""

    @app.exception_handler(Problem)
    async def problem(_: Request, exc: Problem) -> JSONResponse:
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"] if part not in ("body", "query"))
        detail = f"{field}: {first['msg']}" if field else first["msg"]
        if isinstance(first.get("input"), str | int | float):
            detail += f" (got {first['input']!r})"
        return Problem(422, "Invalid request", detail, field=field).response()

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "Error")
        return Problem(exc.status_code, title, str(exc.detail)).response(headers=exc.headers)
