"""Local Kafka (KRaft) and mongo-java-server started by the project itself: no Docker needed."""

from velo_devinfra.stack import InfraEndpoints, LocalInfra

__all__ = ["InfraEndpoints", "LocalInfra"]
