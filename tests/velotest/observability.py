"""The alert rules and the dashboard as data, the metric names their queries use, and promtool:
Prometheus' own engine, to test the rules and to evaluate queries on scraped samples."""

from __future__ import annotations

import json
import math
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from velo_devinfra.process import ProcessFailed
from velo_devinfra.promtool import ensure_promtool, missing_go

ROOT = Path(__file__).resolve().parents[2]
OBSERVABILITY = ROOT / "deploy" / "observability"
ALERTS = OBSERVABILITY / "alerts.yml"
ALERT_TESTS = OBSERVABILITY / "alerts_test.yml"
DASHBOARDS = OBSERVABILITY / "grafana" / "dashboards"
RUNBOOK = ROOT / "docs" / "runbook.md"
SYNTHETIC = frozenset({"up"})
"""Series Prometheus makes itself when it scrapes, found in no /metrics."""
RATE_INTERVAL = "1m"
"""What Grafana's `$__rate_interval` stands for when a query is evaluated here."""
_NOT_METRICS = frozenset(
    {
        "sum",
        "min",
        "max",
        "avg",
        "group",
        "stddev",
        "stdvar",
        "count",
        "count_values",
        "bottomk",
        "topk",
        "quantile",
        "limitk",
        "limit_ratio",
        "by",
        "without",
        "on",
        "ignoring",
        "group_left",
        "group_right",
        "and",
        "or",
        "unless",
        "bool",
        "offset",
        "atan2",
        "inf",
        "nan",
    }
)
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_GROUPINGS = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENTIFIER = re.compile(r"(?<![\w:.$])([a-zA-Z_:][\w:]*)(?![\w:])(?!\s*\()")


@dataclass(frozen=True)
class Query:
    """One query of the dashboard: its panel and the PromQL."""

    panel: str
    ref: str
    expr: str

    @property
    def evaluable(self) -> str:
        """The query with Grafana's variables replaced, as Prometheus can run it."""
        return self.expr.replace("$__rate_interval", RATE_INTERVAL)


def alert_rules() -> list[dict[str, Any]]:
    """Every alerting rule of alerts.yml."""
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def dashboards() -> dict[str, dict[str, Any]]:
    """Every provisioned dashboard, by file name."""
    return {path.name: json.loads(path.read_text()) for path in sorted(DASHBOARDS.glob("*.json"))}


def panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """The dashboard's panels, rows left out (and panels inside collapsed rows included)."""
    found = []
    for panel in dashboard["panels"]:
        found += panel.get("panels", []) if panel["type"] == "row" else [panel]
    return found


def dashboard_queries() -> list[Query]:
    """Every query of every dashboard."""
    return [
        Query(panel["title"], target["refId"], target["expr"])
        for dashboard in dashboards().values()
        for panel in panels(dashboard)
        for target in panel.get("targets", [])
    ]


def metric_names(expr: str) -> set[str]:
    """Returns the metric names a PromQL expression selects."""
    bare = _STRINGS.sub('""', expr)
    bare = re.sub(r"\{[^}]*\}", " ", bare)
    bare = re.sub(r"\[[^\]]*\]", " ", bare)
    bare = _GROUPINGS.sub(" ", bare)
    return {name for name in _IDENTIFIER.findall(bare) if name.lower() not in _NOT_METRICS}


def used_metrics() -> dict[str, set[str]]:
    """Every metric name the alert rules and dashboards use, with who uses it."""
    users: dict[str, set[str]] = {}
    sources = [(f"alert {r['alert']}", r["expr"]) for r in alert_rules()]
    sources += [(f"panel {q.panel!r}", q.expr) for q in dashboard_queries()]
    for who, expr in sources:
        for name in metric_names(expr):
            users.setdefault(name, set()).add(who)
    return users


def exposed_names(text: str) -> set[str]:
    """Returns the sample names (`_bucket`, `_count`, `_total` …) of a /metrics answer."""
    return {
        sample.name for family in text_string_to_metric_families(text) for sample in family.samples
    }


def promtool() -> Path:
    """Returns promtool, built once from the Go proxy (skips the test without Go)."""
    if why := missing_go():
        pytest.skip(why)
    try:
        return ensure_promtool()
    except ProcessFailed as error:
        pytest.fail(f"promtool could not be built: {error}")


def run_promtool(binary: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """Runs promtool with args; returns what it did."""
    return subprocess.run(
        [str(binary), *map(str, args)], capture_output=True, text=True, timeout=120, check=False
    )


_SAMPLE = re.compile(r'(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\}) ([^\s,]+)')


def _value(value: float | None) -> str:
    if value is None:
        return "_"  # no sample at this step
    if math.isnan(value):
        return "NaN"
    return ("-Inf" if value < 0 else "Inf") if math.isinf(value) else repr(value)


def evaluate(
    binary: Path,
    queries: list[str],
    series: dict[str, list[float | None]],
    step: float,
    folder: Path,
) -> dict[str, list[tuple[str, float]]]:
    """Evaluates queries with Prometheus' engine (promtool's unit tester) on series sampled
    every step seconds (None: no sample), at the last sample; returns each query's result."""
    samples = len(next(iter(series.values())))
    test = {
        "rule_files": [],
        "evaluation_interval": f"{step:g}s",
        "tests": [
            {
                "interval": f"{step:g}s",
                "input_series": [
                    {"series": name, "values": " ".join(map(_value, values))}
                    for name, values in series.items()
                ],
                "promql_expr_test": [
                    {"expr": q, "eval_time": f"{step * (samples - 1):g}s", "exp_samples": []}
                    for q in queries
                ],
            }
        ],
    }
    path = folder / "panels_test.yml"
    path.write_text(yaml.safe_dump(test, sort_keys=False))
    done = run_promtool(binary, "test", "rules", path)
    results: dict[str, list[tuple[str, float]]] = {q: [] for q in queries}
    for block in done.stdout.split("    expr: ")[1:] + done.stderr.split("    expr: ")[1:]:
        quoted, _, rest = block.partition(", time: ")
        if "err: " in rest.split("\n")[0]:
            raise AssertionError(f"promtool could not evaluate {quoted}: {rest.strip()}")
        got = rest.split("got: ", 1)[1].split("\n")[0]
        results[json.loads(quoted)] = [(labels, float(v)) for labels, v in _SAMPLE.findall(got)]
    return results
