"""`velo request --count`: the price first, a progress bar while waiting, exit codes, --json."""

from __future__ import annotations

import json
from typing import Any

import httpx
from cli.test_cli import FakeGateway, ok, problem, velo

BULK = "5d1f3a2e-8b4c-4f6a-9e21-7c0b1d2e3f40"
LOCATION = f"/v1/number-requests/bulk/{BULK}"
COST = {
    "currency": "USD",
    "monthly_each": "0.50",
    "setup_each": "0.00",
    "monthly_total": "1.50",
    "setup_total": "0.00",
    "exact": True,
    "max_monthly_total": "2.00",
}


def accepted(total: int = 3) -> httpx.Response:
    body = {"id": BULK, "kind": "bulk", "status": "requested", "total": total, "cost": COST}
    return ok(body, 202, LOCATION)


def progress(done: int, failed: int = 0, total: int = 3, **more: Any) -> httpx.Response:
    requests = [
        {"id": f"{BULK}-{i}", "index": i, "status": "active", "number": f"+1312555010{i}"}
        for i in range(done)
    ] + [
        {
            "id": f"{BULK}-{done + i}",
            "index": done + i,
            "status": "rejected",
            "number": None,
            "reason": "unavailable",
            "detail": "DIDWW has no Chicago numbers in stock.",
        }
        for i in range(failed)
    ]
    pending = total - done - failed
    body = {
        "id": BULK,
        "kind": "bulk",
        "status": "in_progress" if pending else "done",
        "total": total,
        "done": done,
        "failed": failed,
        "pending": pending,
        "requests": requests,
    }
    return ok(body | more)


def test_count_shows_the_price_then_a_progress_bar_until_every_number_is_active() -> None:
    gateway = (
        FakeGateway()
        .on("POST", "/v1/number-requests", accepted())
        .on("GET", LOCATION, progress(0), progress(1), progress(1), progress(3))
    )
    result = velo(
        gateway,
        "request",
        "us",
        "local",
        "--count",
        "3",
        "--area",
        "Chicago",
        "--max-monthly-total",
        "2.00",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"bulk {BULK} accepted: 3 numbers",
        "  cost 1.50 USD/month + 0.00 USD setup (0.50/month + 0.00 setup each)",
        "  [..............................] 0/3 active, 0 failed, 3 pending",
        "  [##########....................] 1/3 active, 0 failed, 2 pending",
        "  [##############################] 3/3 active, 0 failed, 0 pending",
        "3 of 3 numbers are Active",
    ]
    sent = json.loads(gateway.sent("POST", "/v1/number-requests")[0].content)
    assert sent == {
        "country": "US",
        "type": "local",
        "quantity": 3,
        "area": "Chicago",
        "max_monthly_total": "2.00",
    }


def test_a_bulk_with_numbers_that_failed_lists_them_and_exits_1() -> None:
    gateway = (
        FakeGateway()
        .on("POST", "/v1/number-requests", accepted())
        .on("GET", LOCATION, progress(2, failed=1))
    )
    result = velo(gateway, "request", "US", "local", "--count", "3")
    assert result.exit_code == 1
    assert "rejected: DIDWW has no Chicago numbers in stock." in result.stderr
    assert "1 of 3 numbers were not obtained" in result.stderr


def test_a_bulk_above_the_guard_is_refused_with_the_gateways_words() -> None:
    refused = problem(422, "max_monthly_total: the 3 numbers cost 1.50 USD a month", "over_budget")
    gateway = FakeGateway().on("POST", "/v1/number-requests", refused)
    result = velo(gateway, "request", "US", "local", "--count", "3", "--max-monthly-total", "1")
    assert result.exit_code == 1
    assert "error: max_monthly_total: the 3 numbers cost 1.50 USD a month" in result.stderr


def test_repeated_numbers_make_a_bulk_of_picked_numbers_and_json_prints_only_the_end() -> None:
    gateway = (
        FakeGateway()
        .on("POST", "/v1/number-requests", accepted(2))
        .on("GET", LOCATION, progress(1, total=2), progress(2, total=2))
    )
    args = ["request", "US", "local", "--number", "1 312 555 0100", "--number", "+13125550101"]
    result = velo(gateway, *args, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["done"] == 2
    sent = json.loads(gateway.sent("POST", "/v1/number-requests")[0].content)
    assert sent["numbers"] == ["+13125550100", "+13125550101"]


def test_a_bulk_without_its_outcome_in_time_exits_3() -> None:
    gateway = (
        FakeGateway().on("POST", "/v1/number-requests", accepted()).on("GET", LOCATION, progress(1))
    )
    result = velo(gateway, "request", "US", "local", "--count", "3", "--timeout", "0")
    assert result.exit_code == 3
    assert "2 numbers still on their way" in result.stderr


def test_count_with_number_or_a_guard_without_a_bulk_is_a_usage_error() -> None:
    both = velo(FakeGateway(), "request", "US", "local", "--count", "2", "--number", "+13125550100")
    guard = velo(FakeGateway(), "request", "US", "local", "--max-monthly-total", "5")
    too_many = velo(FakeGateway(), "request", "US", "local", "--count", "201")
    assert both.exit_code == guard.exit_code == too_many.exit_code == 2
    assert "not both" in both.stderr and "guards a bulk" in guard.stderr
