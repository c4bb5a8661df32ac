"""deploy/observability: the alert rules pass Prometheus' own checks and unit tests, each alert has
a runbook entry, and the provisioned dashboard's queries are valid PromQL on our datasource."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from velotest.observability import (
    ALERT_TESTS,
    ALERTS,
    RUNBOOK,
    alert_rules,
    dashboard_queries,
    dashboards,
    panels,
    promtool,
    run_promtool,
)

DATASOURCES = Path(__file__).resolve().parents[2] / "deploy/observability/grafana/provisioning"


@pytest.fixture(scope="module")
def tool() -> Path:
    return promtool()


@pytest.mark.timeout(3600)  # the first run builds promtool (make prepare does it beforehand)
def test_the_alert_rules_pass_promtool_check(tool: Path) -> None:
    done = run_promtool(tool, "check", "rules", ALERTS)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(alert_rules())} rules found" in done.stdout


def test_the_alert_rules_pass_their_unit_tests(tool: Path) -> None:
    done = run_promtool(tool, "test", "rules", ALERT_TESTS)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_alert_is_unit_tested_firing() -> None:
    tests = yaml.safe_load(ALERT_TESTS.read_text())["tests"]
    fired = {
        case["alertname"]
        for test in tests
        for case in test.get("alert_rule_test", [])
        if case["exp_alerts"]
    }
    assert {rule["alert"] for rule in alert_rules()} <= fired


def test_every_alert_says_how_bad_it_is_and_links_its_runbook_entry() -> None:
    headings = re.findall(r"^## (\S+)$", RUNBOOK.read_text(), flags=re.MULTILINE)
    anchors = {heading.lower() for heading in headings}
    for rule in alert_rules():
        assert rule["labels"]["severity"] in ("critical", "warning"), rule["alert"]
        annotations = rule["annotations"]
        assert annotations["summary"] and annotations["description"], rule["alert"]
        assert annotations["runbook"] == f"docs/runbook.md#{rule['alert'].lower()}"
        assert rule["alert"].lower() in anchors, f"no runbook entry for {rule['alert']}"


def test_dashboards_use_the_provisioned_prometheus_datasource() -> None:
    [source] = yaml.safe_load((DATASOURCES / "datasources/prometheus.yml").read_text())[
        "datasources"
    ]
    assert dashboards(), "no dashboard to provision"
    uids = [dashboard["uid"] for dashboard in dashboards().values()]
    assert len(set(uids)) == len(uids)
    for dashboard in dashboards().values():
        for panel in panels(dashboard):
            assert panel["targets"], panel["title"]
            used = [panel["datasource"], *(target["datasource"] for target in panel["targets"])]
            assert all(ds == {"type": "prometheus", "uid": source["uid"]} for ds in used)


def test_every_dashboard_query_is_valid_promql(tool: Path, tmp_path: Path) -> None:
    queries = dashboard_queries()
    rules = {
        "groups": [
            {
                "name": "dashboard-queries",
                "rules": [
                    {"record": f"panel:query_{i}", "expr": query.evaluable}
                    for i, query in enumerate(queries)
                ],
            }
        ]
    }
    path = tmp_path / "dashboard_queries.yml"
    path.write_text(yaml.safe_dump(rules))
    done = run_promtool(tool, "check", "rules", path)
    assert done.returncode == 0, done.stdout + done.stderr
