"""The `velo` command line against a fake gateway: output for people and scripts, exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

import httpx
from typer.testing import CliRunner, Result

from velo_cli.common import Seam
from velo_cli.main import app

URL = "http://gateway.test"
NUMBER = "+12122001970"
OFFER = "a7e1fdbc-9138-5f92-9a77-31ef8349f927"
REQUEST = "cfdb318e-ef92-4a5b-bf33-83ddbcdfabab"
COMMAND = "5b0e2f7a-4c1d-4e8b-9f3a-2d6c7b8e9f01"
Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


class FakeGateway:
    """Answers each route with its next canned answer (the last one repeats) and keeps requests."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Answer]] = {}
        self.requests: list[httpx.Request] = []

    def on(self, method: str, path: str, *answers: Answer) -> FakeGateway:
        self.routes[(method, path)] = list(answers)
        return self

    def sent(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if (r.method, r.url.path) == (method, path)]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answers = self.routes.get((request.method, request.url.path))
        if not answers:
            return problem(404, f"no route {request.method} {request.url.path}")
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        return answer(request) if callable(answer) else answer


def ok(body: Any, status: int = 200, location: str | None = None) -> httpx.Response:
    headers = {"Location": location} if location else {}
    return httpx.Response(status, json=body, headers=headers)


def problem(status: int, detail: str, code: str = "conflict") -> httpx.Response:
    body = {"type": "about:blank", "title": "Refused", "status": status, "detail": detail}
    headers = {"Content-Type": "application/problem+json"}
    return httpx.Response(status, content=json.dumps(body | {"code": code}), headers=headers)


def velo(
    gateway: Callable[[httpx.Request], httpx.Response], *args: str, **env: str | None
) -> Result:
    seam = Seam(transport=httpx.MockTransport(gateway), poll_seconds=0)
    environment = {"VELO_API_URL": URL, "VELO_TOKEN": "token"} | env
    return CliRunner().invoke(app, list(args), obj=seam, env=environment)


def request_state(status: str, **more: Any) -> httpx.Response:
    pick = {"kind": "specific", "country": "US", "number_type": "local", "number": NUMBER}
    body = {"id": REQUEST, "status": status, "number": NUMBER, "pick": pick}
    return ok(
        body | {"created_at": "2026-11-25T19:23:00Z", "updated_at": "2026-11-25T19:23:09Z"} | more
    )


def number_row(
    status: str = "active", changes: list[dict[str, Any]] | None = None, **more: Any
) -> httpx.Response:
    row = {
        "id": "acme:+12122001970",
        "number": NUMBER,
        "status": status,
        "country": "US",
        "number_type": "local",
        "area": "New York",
        "monthly_price": "0.50",
        "setup_price": "0.00",
        "currency": "USD",
        "outbound_agent": "101",
        "inbound_target": {"type": "queue", "id": "800"},
        "periods": [{"from": "2026-11-25T19:23:09Z", "until": None, "origin": "ordered"}],
        "changes": changes or [],
        "history": [
            {
                "at": "2026-11-25T19:23:09Z",
                "event": "NumberApproved",
                "actor": {"user_id": "admin@acme", "role": "admin"},
                "message_id": "m1",
            }
        ],
        "created_at": "2026-11-25T19:23:09Z",
    }
    return ok(row | more)


def change(outcome: str, routing: str | None = None, reason: str | None = None) -> dict[str, Any]:
    return {
        "command_id": COMMAND,
        "kind": "assign",
        "at": "2026-11-25T19:23:40Z",
        "by": "admin@acme",
        "outcome": outcome,
        "routing": routing,
        "reason": reason,
    }


def accepted_assignment() -> httpx.Response:
    body = {"id": COMMAND, "commands": [COMMAND], "status": "accepted"}
    return ok(body, 202, f"/v1/numbers/{NUMBER}")


def test_json_prints_the_apis_json_and_nothing_else() -> None:
    page = {"items": [json.loads(number_row().content)], "next_cursor": None}
    gateway = FakeGateway().on("GET", "/v1/numbers", ok(page))
    result = velo(gateway, "numbers", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == page


def test_numbers_status_all_passes_the_filter_on() -> None:
    gateway = FakeGateway().on("GET", "/v1/numbers", ok({"items": [], "next_cursor": None}))
    result = velo(gateway, "numbers", "--status", "all", "--country", "us", "--agent", "101")
    assert result.exit_code == 0, result.output
    params = gateway.requests[0].url.params
    assert (params["status"], params["country"], params["agent"]) == ("all", "US", "101")


def test_numbers_refuses_a_status_outside_the_allowed_ones() -> None:
    result = velo(FakeGateway(), "numbers", "--status", "gone")
    assert result.exit_code == 2
    assert "provisioning" in result.output and "released" in result.output


def test_request_follows_the_request_to_active_and_exits_0() -> None:
    earlier = [
        {"from": "2025-01-02T10:00:00Z", "until": "2025-06-30T12:00:00Z", "origin": "ordered"}
    ]
    accepted = ok(
        {"id": REQUEST, "status": "requested", "held_before": earlier},
        202,
        f"/v1/number-requests/{REQUEST}",
    )
    gateway = (
        FakeGateway()
        .on("POST", "/v1/number-requests", accepted)
        .on(
            "GET",
            f"/v1/number-requests/{REQUEST}",
            problem(404, "No such number request.", "not_found"),  # ordering has not seen it yet
            request_state("requested"),
            request_state("ordering"),
            request_state("ordering"),
            request_state("approved", routing_error="PortSIP timed out"),
            request_state("active"),
        )
    )
    result = velo(gateway, "request", "US", "local", "--number", "1 212 200 1970")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines == [
        f"request {REQUEST} accepted",
        f"  requested {NUMBER}",
        f"  ordering {NUMBER}",
        f"  approved {NUMBER}",
        f"  active {NUMBER}",
        f"{NUMBER} is Active",
    ]
    assert (
        "you held this number before: from 2025-01-02T10:00:00Z until 2025-06-30T12:00:00Z"
        in result.stderr
    )
    assert "PortSIP timed out" in result.stderr
    sent = json.loads(gateway.sent("POST", "/v1/number-requests")[0].content)
    assert sent == {"country": "US", "type": "local", "number": NUMBER}


def test_a_rejected_request_exits_1_with_the_reason() -> None:
    accepted = ok({"id": REQUEST, "status": "requested"}, 202, f"/v1/number-requests/{REQUEST}")
    why = "German mobile numbers need a verified personal or business identity."
    gateway = (
        FakeGateway()
        .on("POST", "/v1/number-requests", accepted)
        .on(
            "GET",
            f"/v1/number-requests/{REQUEST}",
            request_state("rejected", reason="kyc_required", detail=why),
        )
    )
    result = velo(gateway, "request", "DE", "mobile", "--number", "+4915212182620")
    assert result.exit_code == 1
    assert f"rejected: {why}" in result.stderr


def test_request_with_json_prints_only_the_final_request() -> None:
    accepted = ok({"id": REQUEST, "status": "requested"}, 202, f"/v1/number-requests/{REQUEST}")
    gateway = (
        FakeGateway()
        .on("POST", "/v1/number-requests", accepted)
        .on(
            "GET",
            f"/v1/number-requests/{REQUEST}",
            request_state("ordering"),
            request_state("active"),
        )
    )
    result = velo(gateway, "request", "--offer", OFFER, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "active"
    assert json.loads(gateway.sent("POST", "/v1/number-requests")[0].content) == {"offer_id": OFFER}


def test_assign_waits_until_applied_and_portsip_configured() -> None:
    gateway = (
        FakeGateway()
        .on("PUT", f"/v1/numbers/{NUMBER}/assignment", accepted_assignment())
        .on(
            "GET",
            f"/v1/numbers/{NUMBER}",
            number_row(),
            number_row(changes=[change("applied", "pending")]),
            number_row(changes=[change("applied", "failed: PortSIP answered 503")]),
            number_row(changes=[change("applied", "configured")]),
        )
    )
    result = velo(gateway, "assign", NUMBER, "--agent", "101", "--ring", "queue:800")
    assert result.exit_code == 0, result.output
    assert "assign applied; PortSIP configured" in result.stdout
    assert "failed: PortSIP answered 503" in result.stderr
    sent = json.loads(gateway.sent("PUT", f"/v1/numbers/{NUMBER}/assignment")[0].content)
    assert sent == {"outbound_agent": "101", "inbound_target": {"type": "queue", "id": "800"}}
    assert len(gateway.sent("GET", f"/v1/numbers/{NUMBER}")) == 4


def test_a_refused_assignment_exits_1_with_the_reason() -> None:
    refused = change("refused", reason="extension 999 does not exist")
    gateway = (
        FakeGateway()
        .on("PUT", f"/v1/numbers/{NUMBER}/assignment", accepted_assignment())
        .on("GET", f"/v1/numbers/{NUMBER}", number_row(), number_row(changes=[refused]))
    )
    result = velo(gateway, "assign", NUMBER, "--agent", "999")
    assert result.exit_code == 1
    assert "assign refused: extension 999 does not exist" in result.stderr


def test_assign_with_no_wait_returns_at_once() -> None:
    gateway = FakeGateway().on("PUT", f"/v1/numbers/{NUMBER}/assignment", accepted_assignment())
    result = velo(gateway, "assign", NUMBER, "--agent", "101", "--no-wait")
    assert result.exit_code == 0, result.output
    assert COMMAND in result.stdout
    assert gateway.sent("GET", f"/v1/numbers/{NUMBER}") == []


def test_assign_refuses_a_ring_kind_outside_the_allowed_ones() -> None:
    result = velo(FakeGateway(), "assign", NUMBER, "--ring", "voicemail:800")
    assert result.exit_code == 2
    assert "agent, extension, queue, ring_group" in result.output


def test_a_command_without_outcome_in_time_exits_3_and_says_it_may_still_complete() -> None:
    gateway = (
        FakeGateway()
        .on(
            "DELETE",
            f"/v1/numbers/{NUMBER}/assignment",
            ok({"id": COMMAND, "status": "accepted"}, 202),
        )
        .on("GET", f"/v1/numbers/{NUMBER}", number_row())
    )
    result = velo(gateway, "unassign", NUMBER, "--timeout", "0.05")
    assert result.exit_code == 3
    assert "may still complete" in result.stderr


def test_release_without_yes_and_without_a_tty_refuses() -> None:
    gateway = FakeGateway()
    result = velo(gateway, "release", NUMBER)
    assert result.exit_code == 2
    assert "--yes" in result.stderr
    assert gateway.requests == []


def test_release_with_yes_waits_until_billing_stopped() -> None:
    released = number_row("released", released_at="2026-11-25T19:24:03Z", outbound_agent=None)
    gateway = (
        FakeGateway()
        .on("POST", f"/v1/numbers/{NUMBER}/release", ok({"id": COMMAND, "status": "accepted"}, 202))
        .on("GET", f"/v1/numbers/{NUMBER}", number_row(), released)
    )
    result = velo(gateway, "release", "12122001970", "--yes", "--idempotency-key", "k1")
    assert result.exit_code == 0, result.output
    assert f"{NUMBER} released; billing stopped at 2026-11-25T19:24:03Z" in result.stdout
    assert (
        gateway.sent("POST", f"/v1/numbers/{NUMBER}/release")[0].headers["Idempotency-Key"] == "k1"
    )


def test_a_problem_prints_its_detail_and_exits_1() -> None:
    detail = f"{NUMBER} was released on 2026-11-25T19:24:03Z; it can't be assigned now"
    gateway = FakeGateway().on(
        "PUT", f"/v1/numbers/{NUMBER}/assignment", problem(409, detail, "already_released")
    )
    result = velo(gateway, "assign", NUMBER, "--agent", "101")
    assert result.exit_code == 1
    assert result.stderr == f"error: {detail}\n"


def test_a_gateway_that_is_down_prints_one_line_and_exits_2() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    result = velo(down, "numbers")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: the gateway at {URL} does not answer")
    assert "Traceback" not in result.output


def test_missing_variables_print_one_line_and_exit_2() -> None:
    result = velo(FakeGateway(), "numbers", VELO_API_URL=None, VELO_TOKEN=None)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "VELO_API_URL and VELO_TOKEN are not set" in result.stderr


def test_version_prints_the_package_version() -> None:
    result = velo(FakeGateway(), "--version")
    assert result.exit_code == 0
    assert result.stdout == f"velo {version('velo-cli')}\n"


def test_audit_csv_streams_the_csv_to_stdout() -> None:
    csv = "occurred_at,type,actor\n2026-11-25T19:23:40+00:00,NumberOrdered,admin@acme\n"
    gateway = FakeGateway().on(
        "GET", "/v1/audit.csv", httpx.Response(200, text=csv, headers={"Content-Type": "text/csv"})
    )
    result = velo(gateway, "audit", "--csv", "--type", "NumberOrdered", "--from", "2026-11-01")
    assert result.exit_code == 0, result.output
    assert result.stdout == csv
    params = gateway.requests[0].url.params
    assert (params["type"], params["from"]) == ("NumberOrdered", "2026-11-01")


def test_audit_refuses_a_time_that_is_not_iso() -> None:
    result = velo(FakeGateway(), "audit", "--from", "last tuesday")
    assert result.exit_code == 2
    assert "ISO-8601" in result.output


def test_search_prints_offer_ids_whole_and_which_numbers_take_sms() -> None:
    item = {
        "number": NUMBER,
        "country": "US",
        "type": "local",
        "area": "New York",
        "features": {"voice": True, "sms_inbound": True},
        "monthly_price": "0.50",
        "setup_price": "0.00",
        "currency": "USD",
        "kyc_required": False,
        "offer_id": OFFER,
    }
    voice_only = item | {"number": "+12125550199", "features": {"voice": True}, "offer_id": "o-2"}
    page = {"items": [item, voice_only], "next_available": [], "next_cursor": None}
    gateway = FakeGateway().on("GET", "/v1/inventory", ok(page))
    result = velo(gateway, "search", "us", "local")
    assert result.exit_code == 0, result.output
    assert OFFER in result.stdout
    [sms_line] = [line for line in result.stdout.splitlines() if NUMBER in line]
    [voice_line] = [line for line in result.stdout.splitlines() if "+12125550199" in line]
    assert "SMS" in sms_line and "SMS" not in voice_line


def test_areas_lists_stock_prices_and_ids_to_search_by() -> None:
    area = {
        "id": "city-ny",
        "name": "New York",
        "region": "New York",
        "prefixes": ["212"],
        "numbers_on_offer": 27,
        "monthly_price_from": "0.50",
        "monthly_price_to": "0.80",
        "setup_price_from": "0.00",
        "currency": "USD",
        "kyc_required": False,
    }
    gateway = FakeGateway().on(
        "GET", "/v1/countries/US/areas", ok({"country": "US", "type": "local", "items": [area]})
    )
    result = velo(gateway, "areas", "us", "local")
    assert result.exit_code == 0, result.output
    for shown in ("New York", "212", "27", "0.50 to 0.80 USD", "city-ny"):
        assert shown in result.stdout


def test_show_prints_periods_changes_and_history() -> None:
    gateway = FakeGateway().on(
        "GET",
        f"/v1/numbers/{NUMBER}",
        number_row(changes=[change("refused", reason="extension 999 does not exist")]),
    )
    result = velo(gateway, "show", NUMBER)
    assert result.exit_code == 0, result.output
    for shown in (
        "Ownership periods",
        "Recent changes",
        "extension 999",
        "NumberApproved",
        "queue:800",
    ):
        assert shown in result.stdout


def test_alerts_read_marks_the_alert_read() -> None:
    gateway = FakeGateway().on("POST", "/v1/alerts/al-1/read", httpx.Response(204))
    result = velo(gateway, "alerts", "read", "al-1")
    assert result.exit_code == 0, result.output
    assert len(gateway.sent("POST", "/v1/alerts/al-1/read")) == 1


def test_alerts_unread_asks_for_unread_only_and_shows_ids() -> None:
    alert = {
        "id": "al-1",
        "created_at": "2026-11-25T19:24:17Z",
        "title": "Documents required",
        "detail": "File them at DIDWW.",
        "read": False,
    }
    gateway = FakeGateway().on("GET", "/v1/alerts", ok({"items": [alert]}))
    result = velo(gateway, "alerts", "--unread")
    assert result.exit_code == 0, result.output
    assert gateway.requests[0].url.params["unread"] == "true"
    assert "al-1" in result.stdout and "● 2026-11-25T19:24:17Z" in result.stdout


def test_directory_lists_agents_queues_and_ring_groups() -> None:
    found = {
        "agents": [{"extension": "101", "name": "Ann", "type": "extension"}],
        "queues": [{"extension": "800", "name": "Sales", "type": "queue"}],
        "ring_groups": [{"extension": "900", "name": "Night", "type": "ring_group"}],
        "source": "live",
    }
    result = velo(FakeGateway().on("GET", "/v1/directory", ok(found)), "directory")
    assert result.exit_code == 0, result.output
    for shown in ("Ann", "Sales", "Night", "ring_group"):
        assert shown in result.stdout
