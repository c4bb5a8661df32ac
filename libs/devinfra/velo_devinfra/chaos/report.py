"""One table (check | expected | found | ok), then the evidence behind every line that is not ok."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from velo_devinfra.chaos.checks import Check

DETAILS_SHOWN = 25


@dataclass(frozen=True)
class Report:
    """The outcome of a chaos run."""

    checks: list[Check]
    seconds: float
    data_dir: str

    @property
    def ok(self) -> bool:
        """Tells whether every required check holds."""
        return all(c.ok for c in self.checks if c.required)

    def failed(self) -> list[Check]:
        """The required checks that do not hold."""
        return [c for c in self.checks if c.required and not c.ok]

    def found(self, name: str) -> str:
        """What a check found, by its name."""
        return next(c.found for c in self.checks if c.name == name)


def table(checks: Sequence[Check]) -> str:
    """Renders the checks as one Markdown table."""
    rows = [("check", "expected", "found", "ok")]
    rows += [(c.name, c.expected, c.found, _mark(c)) for c in checks]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |"
        for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _mark(check: Check) -> str:
    if not check.required:
        return ""
    return "yes" if check.ok else "NO"


def render(report: Report) -> str:
    """Returns the table, the evidence of what failed, and the dead letters with their reasons."""
    parts = [table(report.checks), f"\nwall time {report.seconds:.0f} s; data in {report.data_dir}"]
    for check in report.checks:
        if check.details and (not check.ok or not check.required):
            parts.append(f"\n{check.name}:")
            parts += [f"  - {line}" for line in check.details[:DETAILS_SHOWN]]
            if len(check.details) > DETAILS_SHOWN:
                parts.append(f"  … and {len(check.details) - DETAILS_SHOWN} more")
    parts.append(f"\nverdict: {'PASS' if report.ok else 'FAIL'}")
    return "\n".join(parts)
