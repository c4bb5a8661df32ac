"""The composition of a service: broker, database, HTTP (health, readiness, metrics, read API).

Nothing here connects at import or construction time: the broker starts and the indexes are
created in the HTTP app's lifespan, and stopped in reverse order when it ends.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Response
from faststream.kafka import KafkaBroker, KafkaRouter
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from velo_contracts import ALL_TOPICS
from velo_runtime.kafka import Publisher, make_broker
from velo_runtime.logs import configure_logging, get_logger
from velo_runtime.metrics import ServiceMetrics
from velo_runtime.mongo import Document, IndexSpec, create_mongo_client, ensure_indexes, ping
from velo_runtime.queryplan import QueryAudit
from velo_runtime.settings import ServiceSettings
from velo_runtime.topics import ensure_topics

Hook = Callable[[], Awaitable[None]]
log = get_logger(__name__)


@dataclass
class Service:
    """One running service's parts, built by `build_service` and wired by its composition root."""

    settings: ServiceSettings
    metrics: ServiceMetrics
    broker: KafkaBroker
    publisher: Publisher
    http: FastAPI
    mongo: AsyncMongoClient[Document] | None = None
    indexes: list[IndexSpec] = field(default_factory=list)
    on_start: list[Hook] = field(default_factory=list)
    on_stop: list[Hook] = field(default_factory=list)

    @property
    def db(self) -> AsyncDatabase[Document]:
        """This service's own database."""
        if self.mongo is None:
            raise RuntimeError(f"{self.settings.service_name} has no database")
        return self.mongo[self.settings.mongo_database]

    def include(self, *routers: KafkaRouter) -> None:
        """Adds the service's subscribers (before start)."""
        for router in routers:
            self.broker.include_router(router)

    async def start(self) -> None:
        """Creates indexes, starts the broker, then runs the service's start hooks."""
        if self.mongo is not None:
            await ensure_indexes(self.db, self.indexes)
        await ensure_topics(self.settings.kafka_bootstrap, ALL_TOPICS)
        await self.broker.start()
        for hook in self.on_start:
            await hook()
        log.info("service_started", port=self.settings.http_port)

    async def stop(self) -> None:
        """Runs stop hooks, stops the broker and closes the database client."""
        for hook in reversed(self.on_stop):
            await hook()
        await self.broker.stop()
        if self.mongo is not None:
            await self.mongo.close()

    async def readiness(self) -> dict[str, bool]:
        """Checks each dependency once; True means it answered."""
        checks = {"kafka": await self.broker.ping(timeout=2.0)}
        if self.mongo is not None:
            try:
                await asyncio.wait_for(ping(self.mongo), timeout=2.0)
                checks["mongodb"] = True
            except Exception:
                checks["mongodb"] = False
        return checks


def build_service(
    settings: ServiceSettings,
    *,
    uses_mongo: bool = True,
    indexes: Sequence[IndexSpec] = (),
    title: str | None = None,
) -> Service:
    """Builds a service's broker, database client and HTTP app, all still unconnected."""
    metrics = ServiceMetrics()
    broker = make_broker(settings, metrics)
    http = FastAPI(title=title or f"velo {settings.service_name}", version="1")
    service = Service(
        settings=settings,
        metrics=metrics,
        broker=broker,
        publisher=Publisher(broker, settings.service_name, metrics),
        http=http,
        mongo=_mongo_client(settings, indexes) if uses_mongo else None,
        indexes=list(indexes),
    )
    http.router.lifespan_context = _lifespan(service)
    _add_operational_routes(service)
    return service


def _mongo_client(
    settings: ServiceSettings, indexes: Iterable[IndexSpec]
) -> AsyncMongoClient[Document]:
    audit = QueryAudit(settings.mongo_database, indexes)
    return create_mongo_client(settings.mongo_url, [audit])


def _lifespan(service: Service) -> Callable[[FastAPI], Any]:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await service.start()
        try:
            yield
        finally:
            await service.stop()

    return lifespan


def _add_operational_routes(service: Service) -> None:
    http = service.http

    @http.get("/health", tags=["operations"])
    async def health() -> dict[str, str]:
        """Tells that the process is alive."""
        return {"status": "ok", "service": service.settings.service_name}

    @http.get("/ready", tags=["operations"])
    async def ready(response: Response) -> dict[str, Any]:
        """Tells whether every dependency answers; 503 names the ones that don't."""
        checks = await service.readiness()
        response.status_code = 200 if all(checks.values()) else 503
        return {"status": "ready" if all(checks.values()) else "not_ready", "checks": checks}

    @http.get("/metrics", tags=["operations"])
    async def metrics() -> Response:
        """Prometheus metrics of this service."""
        return Response(generate_latest(service.metrics.registry), media_type=CONTENT_TYPE_LATEST)


def run_service(service: Service) -> None:
    """Serves the service until SIGINT/SIGTERM, with logs configured from its settings."""
    settings = service.settings
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    config = uvicorn.Config(
        service.http,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        lifespan="on",
    )
    uvicorn.Server(config).run()
