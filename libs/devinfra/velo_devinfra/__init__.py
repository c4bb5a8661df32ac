"""Local Kafka (KRaft) and FerretDB started by the project itself: no Docker, no manual installs."""

from velo_devinfra.stack import InfraEndpoints, LocalInfra

__all__ = ["InfraEndpoints", "LocalInfra"]
