"""deploy/compose.yaml: valid Compose; every service given what it needs and wired to its peers."""

from __future__ import annotations

import copy
import json
import re
import subprocess
from importlib.resources import files
from typing import Any

import jsonschema
import pytest
import yaml

from velotest.deployment import (
    DEPLOY,
    ROOT,
    check,
    compose,
    compose_env,
    effective,
    env_file,
    host_port,
    mongo_hosts,
    needs,
    service_names,
    services,
)

SERVICES = service_names()


@pytest.fixture(scope="module")
def spec_validator() -> jsonschema.protocols.Validator:
    """The Compose specification's schema, as check-jsonschema ships it (no network)."""
    text = files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json")
    schema = json.loads(text.read_text())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def errors(validator: jsonschema.protocols.Validator, document: dict[str, Any]) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(document)]


def test_compose_file_follows_the_compose_specification(spec_validator):
    assert errors(spec_validator, compose()) == []


def test_the_specification_check_refuses_a_misspelt_key(spec_validator):
    document = copy.deepcopy(compose())
    document["services"]["gateway"]["healthcheck"]["intervall"] = "10s"
    assert any("intervall" in error for error in errors(spec_validator, document))


def test_every_service_of_the_repository_runs_in_compose():
    assert set(SERVICES) <= set(compose()["services"])


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_gets_every_setting_it_needs(name):
    env = compose_env(compose()["services"][name])
    problems = [check(need, env) for need in needs(services()[name])]
    assert [problem for problem in problems if problem] == []


@pytest.mark.parametrize("name", SERVICES)
def test_secrets_are_never_written_into_compose_itself(name):
    environment = compose()["services"][name].get("environment") or {}
    secret_needs = {n.variable for n in needs(services()[name]) if n.kind == "secret"}
    assert not secret_needs & set(environment)


def test_each_service_is_given_only_the_secrets_it_needs():
    for name in SERVICES:
        given = {key for key, s in compose_env(compose()["services"][name]).items() if s.secret}
        wanted = {n.variable for n in needs(services()[name]) if n.kind == "secret"}
        assert given == wanted, name


def test_peer_addresses_name_a_compose_service_at_the_port_it_listens_on():
    everything = compose()["services"]
    ports = {
        name: int(effective(services()[name], _plain(everything[name]), "http_port"))
        for name in SERVICES
    }
    for name in SERVICES:
        for variable, setting in compose_env(everything[name]).items():
            if re.fullmatch(r"VELO_\w+_URL", variable) and setting.value.startswith("http://"):
                host, port = host_port(setting.value)
                assert ports.get(host) == port, f"{name}: {variable}={setting.value}"


def test_services_find_kafka_and_mongo_where_compose_runs_them():
    everything = compose()["services"]
    kafka = everything["kafka"]["environment"]
    mongod = everything["mongo"]["command"]
    for name in SERVICES:
        env = _plain(everything[name])
        assert f"PLAINTEXT://{env['VELO_KAFKA_BOOTSTRAP']}" == kafka["KAFKA_ADVERTISED_LISTENERS"]
        if services()[name].uses_mongo:
            assert mongo_hosts(env["VELO_MONGO_URL"]) == [("mongo", 27017)]
            replica_set = mongod[mongod.index("--replSet") + 1]
            assert f"replicaSet={replica_set}" in env["VELO_MONGO_URL"]


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_is_healthy_only_when_its_ready_route_answers(name):
    service = compose()["services"][name]
    port = effective(services()[name], _plain(service), "http_port")
    test = service["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"], "slim images have no curl: python's urllib"
    assert f"urlopen('http://127.0.0.1:{port}/ready'" in test[3]


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_starts_once_the_infrastructure_it_uses_is_healthy(name):
    depends = compose()["services"][name]["depends_on"]
    wanted = {"kafka"} | ({"mongo"} if services()[name].uses_mongo else set())
    assert set(depends) == wanted
    assert all(depends[dep]["condition"] == "service_healthy" for dep in wanted)
    assert all("healthcheck" in compose()["services"][dep] for dep in wanted)


def test_prometheus_scrapes_every_service_where_it_listens():
    config = yaml.safe_load((DEPLOY / "observability/prometheus.yml").read_text())
    targets = {
        target
        for job in config["scrape_configs"]
        if job.get("metrics_path", "/metrics") == "/metrics"
        for group in job["static_configs"]
        for target in group["targets"]
    }
    everything = compose()["services"]
    expected = {
        f"{name}:{effective(services()[name], _plain(everything[name]), 'http_port')}"
        for name in SERVICES
    }
    assert targets == expected


def test_prometheus_loads_the_alert_rules_file_it_is_given():
    config = yaml.safe_load((DEPLOY / "observability/prometheus.yml").read_text())
    mounts = _mounts(compose()["services"]["prometheus"])
    for rule_file in config["rule_files"]:
        source = next(src for src, target in mounts.items() if target == rule_file)
        rules = yaml.safe_load((DEPLOY / source).read_text())
        assert isinstance(rules["groups"], list)
    config_mount = next(t for s, t in mounts.items() if s.endswith("prometheus.yml"))
    assert f"--config.file={config_mount}" in compose()["services"]["prometheus"]["command"]


def test_grafana_is_provisioned_with_prometheus_and_the_dashboards_folder():
    grafana = compose()["services"]["grafana"]
    mounts = _mounts(grafana)
    provisioning = DEPLOY / "observability/grafana/provisioning"
    assert mounts["./observability/grafana/provisioning"] == "/etc/grafana/provisioning"
    (source,) = yaml.safe_load((provisioning / "datasources/prometheus.yml").read_text())[
        "datasources"
    ]
    prometheus_port = host_port(source["url"])
    assert prometheus_port[0] == "prometheus" and source["type"] == "prometheus"
    (provider,) = yaml.safe_load((provisioning / "dashboards/velo.yml").read_text())["providers"]
    assert mounts["./observability/grafana/dashboards"] == provider["options"]["path"]
    assert (DEPLOY / "observability/grafana/dashboards").is_dir()


def test_grafana_takes_its_admin_password_from_a_secrets_file():
    grafana = compose()["services"]["grafana"]
    assert "GF_SECURITY_ADMIN_PASSWORD" not in (grafana.get("environment") or {})
    (path,) = grafana["env_file"]
    assert "GF_SECURITY_ADMIN_PASSWORD" in env_file(DEPLOY / f"{path}.example")


def test_secrets_files_are_ignored_by_git_and_only_their_examples_committed():
    paths = {path for service in compose()["services"].values() for path in _env_files(service)}
    assert paths
    for path in paths:
        assert _ignored(DEPLOY / path), f"{path} could be committed"
        assert not _ignored(DEPLOY / f"{path}.example")
        assert (DEPLOY / f"{path}.example").is_file()


def _plain(service: dict[str, Any]) -> dict[str, str]:
    return {key: setting.value for key, setting in compose_env(service).items()}


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    pairs = (volume.split(":")[:2] for volume in service["volumes"])
    return {source: target for source, target in pairs if source.startswith(".")}


def _env_files(service: dict[str, Any]) -> list[str]:
    return list(service.get("env_file", []))


def _ignored(path: object) -> bool:
    result = subprocess.run(["git", "check-ignore", "-q", str(path)], cwd=ROOT, check=False)
    return result.returncode == 0
