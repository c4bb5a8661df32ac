"""The composition of a service: broker, database, HTTP (health, readiness, metrics, read API).

Nothing here connects at import or construction time. When the HTTP app starts it serves at once
and connects in the background — indexes, topics, broker, then the service's start hooks — each
step retried with backoff for as long as its dependency is down, so a service started while Kafka
or MongoDB is away becomes ready when they return (`/ready` names what it waits for meanwhile).
Once started, the clients reconnect by themselves after a broker or database restart.
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
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from velo_contracts import ALL_TOPICS
from velo_runtime import apidocs, tracing
from velo_runtime.background import being_cancelled
from velo_runtime.dlq import Backoff
from velo_runtime.httpmetrics import HttpMetrics, HttpMetricsMiddleware
from velo_runtime.kafka import Publisher, make_broker
from velo_runtime.lag import ConsumerLag, DlqDepth, Offsets, subscriptions
from velo_runtime.logs import configure_logging, get_logger
from velo_runtime.metrics import ServiceMetrics
from velo_runtime.mongo import Document, IndexSpec, create_mongo_client, ensure_indexes, ping
from velo_runtime.probes import OutboxBacklog, Probes
from velo_runtime.queryplan import QueryAudit
from velo_runtime.settings import ServiceSettings
from velo_runtime.topics import ensure_topics

Hook = Callable[[], Awaitable[None]]
START_RETRY = Backoff(1.0, 15.0)
"""Waits between start-up tries while a dependency is down: ~1 s, 2 s, 4 s … up to 15 s."""
log = get_logger(__name__)


@dataclass
class Service:
    """One running service's parts, built by `build_service` and wired by its composition root."""

    settings: ServiceSettings
    metrics: ServiceMetrics
    broker: KafkaBroker
    publisher: Publisher
    http: FastAPI
    probes: Probes
    offsets: Offsets
    mongo: AsyncMongoClient[Document] | None = None
    indexes: list[IndexSpec] = field(default_factory=list)
    on_start: list[Hook] = field(default_factory=list)
    on_stop: list[Hook] = field(default_factory=list)
    started: bool = False
    waiting_for: str | None = None
    _starting: asyncio.Task[None] | None = None
    _outboxes: OutboxBacklog | None = None

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

    def watch_outboxes(self, *collections: AsyncCollection[Document]) -> None:
        """Exports the backlog of the outboxes kept in these collections (before start)."""
        if self._outboxes is None:
            self._outboxes = OutboxBacklog(self.metrics)
        for collection in collections:
            self.probes.add(f"outbox:{collection.name}", self._outboxes.probe(collection))

    def watch_dlqs(self) -> None:
        """Exports the depth of every dead-letter topic (the one service that reports them)."""
        self.probes.add("dlq-depth", DlqDepth(self.offsets, self.metrics).measure)

    async def start(self, retry: Backoff = START_RETRY) -> None:
        """Creates indexes, ensures topics, starts the broker, runs the start hooks.

        Each step is retried (waiting per `retry`) until its dependency answers; `waiting_for`
        names the one it is waiting for meanwhile.
        """
        self._count_failures_from_zero()
        steps: list[tuple[str, str, Hook]] = []
        if self.mongo is not None:
            steps.append(("mongodb", "indexes", lambda: ensure_indexes(self.db, self.indexes)))
        steps += [
            ("kafka", "topics", lambda: ensure_topics(self.settings.kafka_bootstrap, ALL_TOPICS)),
            ("kafka", "broker", self._start_broker),
        ]
        for dependency, step, run in steps:
            await self._until_done(dependency, step, run, retry)
        self.waiting_for = None
        for hook in self.on_start:
            await hook()
        self.started = True
        log.info("service_started", port=self.settings.http_port)

    def _count_failures_from_zero(self) -> None:
        """Exports the retry and dead-letter counters of every consumed topic at 0 from the
        start, so a rate or an increase over them has a series before the first failure."""
        for subscription in subscriptions(self.broker):
            for topic in subscription.topics:
                self.metrics.retries.labels(topic)
                self.metrics.dead_lettered.labels(topic)

    def start_in_background(self) -> None:
        """Starts (as `start`) in a task, so HTTP answers — health, readiness — meanwhile."""
        self._starting = asyncio.create_task(self.start(), name="service-start")
        self._starting.add_done_callback(_report_failed_start)

    async def _until_done(self, dependency: str, step: str, run: Hook, retry: Backoff) -> None:
        attempt = 0
        while True:
            try:
                await run()
                return
            except Exception as error:  # every failure here means "not yet"
                if being_cancelled():
                    raise asyncio.CancelledError from error
                attempt += 1
                self.waiting_for = dependency
                delay = retry.delay(attempt)
                log.warning(
                    "waiting_for_dependency",
                    dependency=dependency,
                    step=step,
                    attempt=attempt,
                    retry_in=round(delay, 2),
                    error=repr(error)[:300],
                )
                await asyncio.sleep(delay)

    async def _start_broker(self) -> None:
        try:
            await self.broker.start()
        except Exception:
            await self.broker.stop()  # forget the half-made connection before the next try
            raise

    async def stop(self) -> None:
        """Stops starting (if still under way), runs stop hooks, stops broker and database."""
        if self._starting is not None:
            self._starting.cancel()
            await asyncio.gather(self._starting, return_exceptions=True)
        for hook in reversed(self.on_stop):
            await hook()
        await self.broker.stop()
        if self.mongo is not None:
            await self.mongo.close()
        self.started = False

    async def readiness(self) -> dict[str, bool]:
        """Checks each dependency once (True: it answered) and whether start-up has finished."""
        if self.started:
            checks = {"kafka": await self.broker.ping(timeout=2.0)}
        else:  # no broker connection yet: does any bootstrap server accept a connection?
            checks = {"kafka": await _accepts(self.settings.kafka_bootstrap, timeout=2.0)}
        if self.mongo is not None:
            try:
                await asyncio.wait_for(ping(self.mongo), timeout=2.0)
                checks["mongodb"] = True
            except Exception:
                checks["mongodb"] = False
        checks["started"] = self.started
        return checks


def _report_failed_start(task: asyncio.Task[None]) -> None:
    """Logs a start that failed past its retries (a start hook raised): `/ready` stays 503."""
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("service_start_failed", error=repr(error)[:300])


async def _accepts(bootstrap: str, timeout: float) -> bool:
    for server in bootstrap.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), timeout)
        except (OSError, ValueError, TimeoutError):
            continue
        writer.close()
        return True
    return False


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
    http = FastAPI(
        title=title or f"velo {settings.service_name}", version="1", docs_url=None, redoc_url=None
    )
    http.add_middleware(HttpMetricsMiddleware, metrics=HttpMetrics(metrics))
    apidocs.install(http)
    offsets = Offsets(settings.kafka_bootstrap)
    service = Service(
        settings=settings,
        metrics=metrics,
        broker=broker,
        publisher=Publisher(broker, settings.service_name, metrics),
        http=http,
        probes=Probes(settings.probe_interval_seconds),
        offsets=offsets,
        mongo=_mongo_client(settings, indexes) if uses_mongo else None,
        indexes=list(indexes),
    )
    service.probes.add("consumer-lag", ConsumerLag(broker, offsets, metrics).measure, offsets.close)
    service.on_start.append(service.probes.start)
    service.on_stop.append(service.probes.stop)
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
        service.start_in_background()
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
        ready = all(checks.values())
        response.status_code = 200 if ready else 503
        missing = [name for name, ok in checks.items() if not ok and name != "started"]
        body: dict[str, Any] = {"status": "ready" if ready else "not_ready", "checks": checks}
        if not ready:
            body["waiting_for"] = missing or [service.waiting_for or "start-up"]
        return body

    @http.get("/metrics", tags=["operations"])
    async def metrics() -> Response:
        """Prometheus metrics of this service."""
        return Response(generate_latest(service.metrics.registry), media_type=CONTENT_TYPE_LATEST)


def run_service(service: Service) -> None:
    """Serves the service until SIGINT/SIGTERM, with logs configured from its settings."""
    settings = service.settings
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    tracing.install(service)
    uvicorn.Server(server_config(service.http, settings)).run()


def server_config(app: Any, settings: ServiceSettings) -> uvicorn.Config:
    """Returns how a service's HTTP server runs (logs are the service's own, not uvicorn's)."""
    return uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        timeout_keep_alive=settings.http_keep_alive_seconds,
        log_config=None,
        access_log=False,
        lifespan="on",
    )
