"""Every metric the alert rules and the dashboard read is exported by the running services, and
every dashboard query, evaluated by Prometheus' engine on two scrapes of the running system,
answers (the table is left in .var/test-output/observability/panel-queries.md)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from velotest.observability import (
    SYNTHETIC,
    dashboard_queries,
    evaluate,
    exposed_names,
    promtool,
    used_metrics,
)

from .conftest import RunningSystem
from .flows import active_number

pytestmark = pytest.mark.infra
SERVICES = ("inventory", "ordering", "sip-routing", "assignment", "audit", "gateway")
REPORT = Path(__file__).resolve().parents[2] / ".var/test-output/observability"
Series = dict[str, list[float | None]]


def _scrape(running: RunningSystem, service: str) -> str:
    return httpx.get(f"{running.url(service)}/metrics", timeout=10).text


async def test_every_metric_the_alerts_and_dashboard_read_is_exported(
    running: RunningSystem,
) -> None:
    async with running.api() as api:
        await active_number(api)  # every kind of work has happened at least once
    exported = {name for s in SERVICES for name in exposed_names(_scrape(running, s))}
    missing = {
        name: sorted(users)
        for name, users in used_metrics().items()
        if name not in exported and name not in SYNTHETIC
    }
    assert missing == {}


def _samples(running: RunningSystem, wanted: set[str]) -> dict[str, float]:
    """One scrape of every service: Prometheus' series name (with the scrape's labels) → value."""
    found: dict[str, float] = {}
    for service in SERVICES:
        instance = running.url(service).removeprefix("http://")
        target = f'job="velo",service="{service}",instance="{instance}"'
        found[f"up{{{target}}}"] = 1.0
        for family in text_string_to_metric_families(_scrape(running, service)):
            for sample in family.samples:
                if sample.name in wanted:
                    labels = "".join(f',{k}="{_escaped(v)}"' for k, v in sample.labels.items())
                    found[f"{sample.name}{{{target}{labels}}}"] = sample.value
    return found


def _escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


async def test_every_dashboard_query_answers_on_the_running_system(
    running: RunningSystem, tmp_path: Path
) -> None:
    tool = promtool()
    wanted = set(used_metrics())
    before, started = _samples(running, wanted), time.monotonic()
    async with running.api() as api:
        await active_number(api)
    after, step = _samples(running, wanted), round(time.monotonic() - started) or 1
    series: Series = {name: [before.get(name), value] for name, value in after.items()}
    queries = dashboard_queries()
    results = evaluate(tool, [q.evaluable for q in queries], series, step, tmp_path)

    REPORT.mkdir(parents=True, exist_ok=True)
    lines = [
        f"Two scrapes of every service {step}s apart, around one number request to Active; "
        "queries evaluated by promtool (Prometheus' engine) at the second scrape, "
        "`$__rate_interval` = 1m.",
        "",
        "| panel | query | result |",
        "|---|---|---|",
    ]
    for query in queries:
        answer = results[query.evaluable]
        shown = "<br>".join(f"`{labels}` {value:.6g}" for labels, value in answer) or "(empty)"
        lines.append(f"| {query.panel} ({query.ref}) | `{query.expr}` | {shown} |")
    (REPORT / "panel-queries.md").write_text("\n".join(lines) + "\n")

    by_panel = {(q.panel, q.ref): results[q.evaluable] for q in queries}
    assert by_panel[("Numbers becoming Active", "A")][0][1] > 0
    assert by_panel[("Open requests by status", "A")]
    assert by_panel[("Consumer lag by group and topic", "A")]
    assert by_panel[("DLQ depth", "A")]
    outcomes = {labels for labels, _ in by_panel[("Vendor calls by outcome", "A")]}
    assert any('vendor="didww"' in o and 'outcome="2xx"' in o for o in outcomes)
    assert any('vendor="portsip"' in o and 'outcome="2xx"' in o for o in outcomes)
    routes = {labels for labels, _ in by_panel[("Gateway requests by route", "A")]}
    assert any('route="/v1/number-requests"' in r and 'status_class="2xx"' in r for r in routes)
    assert [v for _, v in by_panel[("Services up", "A")]] == [1.0] * len(SERVICES)
