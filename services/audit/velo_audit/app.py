"""Composition root of the audit service."""

from __future__ import annotations

from velo_audit.settings import AuditSettings
from velo_runtime import Service, build_service, run_service


def create_app(settings: AuditSettings | None = None) -> Service:
    """Builds the audit service, unconnected until its HTTP app starts."""
    return build_service(settings or AuditSettings(), title="VeloConnect Numbers — audit")


def main() -> None:
    """Runs the audit service until interrupted."""
    run_service(create_app())


if __name__ == "__main__":
    main()
