"""Problem Details (RFC 9457) for every error the gateway returns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from velo_contracts import ErrorCode, reads
from velo_runtime import get_logger, problem

log = get_logger(__name__)

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


FIELD_RULES = {
    "country": "a two-letter ISO country code like DE or US",
    "type": "one of local, mobile, toll_free",
    "inbound_target.type": "one of agent, extension, queue, ring_group",
}
"""What a field accepts, in the admin's words, where the validator's own words say less."""


def in_words(error: Mapping[str, Any], field: str) -> str:
    """Returns a validation error as a sentence naming the field, the value and what is allowed."""
    value = error.get("input")
    got = f" {value!r}" if isinstance(value, str | int | float | bool) else ""
    kind = error["type"]
    if kind == "missing":
        return f"{field} is required"
    if kind == "extra_forbidden":
        return f"{field} is not a field of this request"
    if field in FIELD_RULES:
        return f"{field}:{got} is not {FIELD_RULES[field]}"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{field}: {message}" + (f" (got{got})" if got else "") if field else message


_MEANINGS = {
    400: "Malformed: the body is not JSON, or an id or header is not one we give",
    401: "No valid bearer token, or its tenant is not registered",
    403: "The caller's role may not do this",
    404: "Not one of the tenant's (never says whether another tenant has it)",
    409: "The number's state forbids it (already yours, not active, already released)",
    422: "A field's value is wrong; `field` names it",
    429: "Too many writes; `Retry-After` says when to try again",
    503: "A service or the broker cannot answer now; `Retry-After` says when to try again",
}


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Returns the OpenAPI responses of errors a route may answer, as Problem Details."""
    return {
        status: {"model": reads.Problem, "description": _MEANINGS[status]} for status in statuses
    }


def answers(model: Any, status: int = 200) -> dict[int | str, dict[str, Any]]:
    """Returns the OpenAPI response of a route's success, for the documentation."""
    return {status: {"model": model}}


def _as_problem_json(app: FastAPI) -> None:
    """Documents every 4xx/5xx body as `application/problem+json`, as it is served."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            for path in document.get("paths", {}).values():
                for operation in path.values():
                    for status, response in operation.get("responses", {}).items():
                        content = response.get("content", {})
                        if status[0] in "45" and "application/json" in content:
                            content["application/problem+json"] = content.pop("application/json")
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI) -> None:
    """Makes every error of app a Problem Details document."""
    _as_problem_json(app)

    @app.exception_handler(Problem)
    async def problem(_: Request, exc: Problem) -> JSONResponse:
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        if first["type"] == "json_invalid":
            reason = first.get("ctx", {}).get("error", "it does not parse")
            detail = f"the request body is not valid JSON ({reason})"
            return Problem(400, "Body is not JSON", detail).response()
        field = ".".join(str(part) for part in first["loc"] if part not in ("body", "query"))
        detail = in_words(first, field)
        return Problem(422, "Invalid request", detail, field=field).response()

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected_error", error=type(exc).__name__)
        detail = "something went wrong on our side; it was logged"
        return Problem(500, "Internal error", detail, ErrorCode.INTERNAL).response()

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "Error")
        return Problem(exc.status_code, title, str(exc.detail)).response(headers=exc.headers)
