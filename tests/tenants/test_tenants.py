"""Tenant settings: secrets sealed on the wire and at rest, folded by each service, newest wins."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from velo_contracts import Actor
from velo_runtime import ServiceSettings, build_service
from velo_tenants import (
    SealingError,
    SecretBox,
    TenantDirectory,
    UnknownTenant,
    cli,
    follow_tenants,
)
from velo_tenants.demo import demo_tenants
from velo_tenants.registry import configured_event, register
from velotest import eventually, read_topic

OPERATOR = Actor.system("tenants")


@pytest.fixture
def box() -> SecretBox:
    return SecretBox(SecretBox.new_key())


def test_a_sealed_secret_opens_only_with_the_same_key(box: SecretBox) -> None:
    sealed = box.seal("sandbox-acme-key")
    assert "sandbox-acme-key" not in sealed
    assert box.open(sealed) == "sandbox-acme-key"
    with pytest.raises(SealingError, match="does not open"):
        SecretBox(SecretBox.new_key()).open(sealed)
    assert "key" not in repr(box).replace("<key hidden>", "")


def test_a_bad_key_is_refused_with_a_clear_message() -> None:
    with pytest.raises(SealingError, match="VELO_SECRETS_KEY is not a valid key"):
        SecretBox("too-short")


def test_a_tenant_spec_never_shows_its_secrets(box: SecretBox) -> None:
    acme = demo_tenants("http://pbx/api")[0]
    assert "acme-admin-pass" not in repr(acme) and "sandbox-acme-key" not in repr(acme)
    event = configured_event(acme, box, OPERATOR).model_dump_json()
    assert "acme-admin-pass" not in event and "sandbox-acme-key" not in event
    assert acme.didww_callback_secret and acme.didww_callback_secret not in event


def test_register_takes_the_callback_secret_from_a_variable_and_seals_it(
    box: SecretBox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIDWW_API_KEY", "k-123")
    monkeypatch.setenv("PORTSIP_PASSWORD", "p-123")
    monkeypatch.setenv("MY_CALLBACK_SECRET", "cb-123")
    args = cli._parser().parse_args(
        ["register", "t1", "--portsip-url", "http://pbx/api", "--portsip-domain", "t1.pbx",
         "--portsip-admin", "admin", "--portsip-trunk", "DIDWW", "--sip-host", "sip.t1",
         "--default-destination", "800", "--didww-callback-secret-env", "MY_CALLBACK_SECRET"]
    )  # fmt: skip
    event = configured_event(cli._spec(args), box, OPERATOR)
    assert event.didww.callback_secret and box.open(event.didww.callback_secret) == "cb-123"
    assert "cb-123" not in event.model_dump_json() and not event.didww.allow_back_ordering
    without = cli._parser().parse_args([*args_without_secret(), "--allow-back-ordering"])
    plain = configured_event(cli._spec(without), box, OPERATOR)
    assert plain.didww.callback_secret is None and plain.didww.allow_back_ordering


def args_without_secret() -> list[str]:
    return ["register", "t2", "--portsip-url", "http://pbx/api", "--portsip-domain", "t2.pbx",
            "--portsip-admin", "admin", "--portsip-trunk", "DIDWW", "--sip-host", "sip.t2",
            "--default-destination", "800"]  # fmt: skip


@pytest.mark.infra
async def test_the_newest_revision_wins_whatever_the_arrival_order(
    mongo_db: AsyncDatabase[dict[str, Any]], box: SecretBox
) -> None:
    directory = TenantDirectory(mongo_db)
    acme = demo_tenants("http://pbx/api")[0]
    older = configured_event(acme, box, OPERATOR)
    newer = older.model_copy(update={"revision": older.revision + 1, "name": "Acme Renamed"})

    assert await directory.apply(newer)
    assert not await directory.apply(older)
    assert not await directory.apply(newer)  # redelivery
    assert (await directory.get("acme")).name == "Acme Renamed"
    with pytest.raises(UnknownTenant):
        await directory.get("initech")


@pytest.mark.infra
async def test_a_registered_tenant_reaches_a_service_through_the_compacted_topic(
    kafka_bootstrap: str,
    mongo_url: str,
    mongo_db: AsyncDatabase[dict[str, Any]],
    box: SecretBox,
    unique: Callable[[str], str],
) -> None:
    spec = demo_tenants("http://pbx/api")[0]
    tenant = unique("acme")
    spec = type(spec)(**{**spec.__dict__, "tenant_id": tenant})
    await register(kafka_bootstrap, [configured_event(spec, box, OPERATOR)])

    settings = ServiceSettings(
        service_name=unique("svc"),
        kafka_bootstrap=kafka_bootstrap,
        mongo_url=mongo_url,
        mongo_database=mongo_db.name,
    )
    service = build_service(settings)
    directory = TenantDirectory(service.db)
    service.include(follow_tenants(directory, settings.group("tenants")))
    await service.start()
    try:
        config = await eventually(lambda: _known(directory, tenant))
    finally:
        await service.stop()

    assert box.open(config.didww.api_key) == "sandbox-acme-key"
    assert box.open(config.portsip.admin_password) == "acme-admin-pass"
    stored = await mongo_db.tenants.find_one({"_id": tenant})
    assert "acme-admin-pass" not in str(stored) and "sandbox-acme-key" not in str(stored)
    records = await read_topic(kafka_bootstrap, "velo.tenants.v1", 1)
    assert all(b"acme-admin-pass" not in r.value for r in records)


async def _known(directory: TenantDirectory, tenant: str) -> Any:
    try:
        return await directory.get(tenant)
    except UnknownTenant:
        return None
