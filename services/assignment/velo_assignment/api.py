"""Read API of the Phone numbers list, every route scoped to the tenant in its path."""

from __future__ import annotations

import binascii
import json

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pymongo import DESCENDING

from velo_assignment.store import NumberBook
from velo_assignment.views import (
    after_cursor,
    encode_cursor,
    list_query,
    view_of,
)
from velo_contracts import ErrorCode
from velo_contracts.reads import NumberDetail, NumberPage
from velo_runtime import e164, problem


def read_api(book: NumberBook) -> APIRouter:
    """Returns the routes of the read API."""
    api = APIRouter(prefix="/v1/tenants/{tenant_id}", tags=["numbers"])

    @api.get("/numbers", response_model=NumberPage)
    async def list_numbers(
        tenant_id: str,
        status: str | None = None,
        country: str | None = None,
        type: str | None = None,
        agent: str | None = None,
        q: str | None = None,
        limit: int = Query(default=50, ge=1, le=200),
        cursor: str | None = None,
    ) -> NumberPage | JSONResponse:
        """Lists the numbers the tenant holds (`status=released|all` for others), newest first."""
        query = list_query(tenant_id, status, country, type, agent, q)
        if cursor:
            try:
                query = {"$and": [query, after_cursor(cursor)]}
            except (ValueError, binascii.Error, json.JSONDecodeError):
                return problem(400, ErrorCode.VALIDATION_FAILED, "cursor is not valid")
        found = book.rows.find(query).sort([("listed_at", DESCENDING), ("_id", DESCENDING)])
        rows = [row async for row in found.limit(limit + 1)]
        next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
        return NumberPage(items=[view_of(row) for row in rows[:limit]], next_cursor=next_cursor)

    @api.get("/numbers/{number}", response_model=NumberDetail)
    async def get_number(tenant_id: str, number: str) -> NumberDetail | JSONResponse:
        """Returns one number with its ownership periods, recent changes and history."""
        row = await book.current(tenant_id, e164(number))
        if row is None:
            return problem(404, ErrorCode.NUMBER_NOT_FOUND, f"no number {e164(number)}")
        detail: NumberDetail = view_of(row, NumberDetail)
        return detail

    @api.get("/agents/{agent}/numbers", response_model=NumberPage)
    async def agent_numbers(tenant_id: str, agent: str) -> NumberPage:
        """Lists the numbers an agent presents or that ring the agent (not released)."""
        query = list_query(tenant_id, None, None, None, agent, None)
        rows = [row async for row in book.rows.find(query).sort("listed_at", DESCENDING)]
        return NumberPage(items=[view_of(row) for row in rows])

    return api
