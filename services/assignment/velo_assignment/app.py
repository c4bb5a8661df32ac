"""Composition root of the assignment service."""

from __future__ import annotations

from velo_assignment.settings import AssignmentSettings
from velo_runtime import Service, build_service, run_service


def create_app(settings: AssignmentSettings | None = None) -> Service:
    """Builds the assignment service, unconnected until its HTTP app starts."""
    return build_service(settings or AssignmentSettings(), title="VeloConnect Numbers — assignment")


def main() -> None:
    """Runs the assignment service until interrupted."""
    run_service(create_app())


if __name__ == "__main__":
    main()
