"""Assignment's look-ups of extensions through sip-routing: kept briefly, asked again after."""

from __future__ import annotations

import asyncio

import httpx

from velo_assignment.targets import TargetChecker


async def test_answers_are_kept_briefly_so_one_agent_is_looked_up_once() -> None:
    asked: list[str] = []

    def directory(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        if request.url.path.endswith("/999"):
            return httpx.Response(404, json={"code": "target_not_found"})
        return httpx.Response(200, json={"type": "extension"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(directory), base_url="http://sr")
    checker = TargetChecker(http, kept_seconds=0.2)
    kinds = await asyncio.gather(*(checker.kind_of("acme", "101") for _ in range(5)))
    assert kinds == ["extension"] * 5 and len(asked) == 1
    assert await checker.kind_of("acme", "999") is None
    assert await checker.kind_of("globex", "101") == "extension"  # another tenant: its own answer
    assert len(asked) == 3
    await asyncio.sleep(0.25)
    await checker.kind_of("acme", "101")
    assert len(asked) == 4  # asked again once the answer is old
    await checker.aclose()
