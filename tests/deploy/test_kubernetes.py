"""deploy/k8s: rendered by Kustomize, valid Kubernetes, every service wired, topics as declared."""

from __future__ import annotations

import copy
import re
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from velo_contracts.topics import ALL_TOPICS
from velo_offers.budget import DATABASE as BUDGET_DATABASE
from velo_ops.settings import OpsSettings
from velo_runtime.topics import _new_topics
from velotest.deployment import (
    K8S,
    ROOT,
    check,
    container_env,
    data_of,
    effective,
    env_file,
    host_port,
    kustomize_command,
    mongo_hosts,
    named,
    needs,
    render,
    service_names,
    services,
)

pytestmark = pytest.mark.skipif(kustomize_command() is None, reason="needs kustomize or kubectl")

SERVICES = service_names()
KUBERNETES_VERSIONS = ("1.33.0", kubernetes_validate.latest_version())
"""The oldest cluster version we claim to support, and the newest the schemas know."""
STRIMZI_API = "kafka.strimzi.io/v1"
IMAGE_UID = 10001  # deploy/Dockerfile's USER (tests/deploy/test_image.py reads it there)


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    return render("overlays/production", tmp_path_factory.mktemp("production"))


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    return render("base", tmp_path_factory.mktemp("base"))


def deployment(docs: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return named(docs, "Deployment")[name]


def main_container(docs: list[dict[str, Any]], name: str) -> dict[str, Any]:
    (container,) = deployment(docs, name)["spec"]["template"]["spec"]["containers"]
    return dict(container)


def schema_errors(doc: dict[str, Any]) -> list[str]:
    found = []
    for version in KUBERNETES_VERSIONS:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            found.append(f"{version} {doc['kind']}/{doc['metadata']['name']}: {error.message}")
    return found


@pytest.mark.parametrize("kustomization", ["base", "production"])
def test_every_kubernetes_object_follows_the_kubernetes_schemas(kustomization, base, production):
    docs = base if kustomization == "base" else production
    ordinary = [doc for doc in docs if not doc["apiVersion"].startswith("kafka.strimzi.io/")]
    assert len(ordinary) > 20
    assert [error for doc in ordinary for error in schema_errors(doc)] == []


def test_the_schema_check_refuses_a_misspelt_field(production):
    broken = copy.deepcopy(deployment(production, "gateway"))
    broken["spec"]["template"]["spec"]["containers"][0]["readynessProbe"] = {}
    assert schema_errors(broken)


def test_every_service_of_the_repository_is_deployed(production):
    assert set(SERVICES) <= set(named(production, "Deployment"))


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_gets_every_setting_it_needs(name, production):
    env = container_env(main_container(production, name), production)
    problems = [check(need, env) for need in needs(services()[name])]
    assert [problem for problem in problems if problem] == []


def test_each_service_is_given_only_the_secrets_it_needs(production):
    for name in SERVICES:
        env = container_env(main_container(production, name), production)
        given = {key for key, setting in env.items() if setting.secret and key.startswith("VELO")}
        wanted = {n.variable for n in needs(services()[name]) if n.kind == "secret"}
        assert given == wanted, name


def test_peer_addresses_name_a_service_that_reaches_the_peers_port(production):
    for name in SERVICES:
        env = container_env(main_container(production, name), production)
        for variable, setting in env.items():
            if re.fullmatch(r"VELO_\w+_URL", variable) and setting.value.startswith("http://"):
                host, port = host_port(setting.value)
                assert _pod_port(production, host, port) is not None, f"{name}: {variable}"


def test_each_service_listens_where_its_service_and_probes_point(production):
    for name in SERVICES:
        container = main_container(production, name)
        env = {k: s.value for k, s in container_env(container, production).items()}
        listens = int(effective(services()[name], env, "http_port"))
        assert {p["containerPort"] for p in container["ports"] if p["name"] == "http"} == {listens}
        (service_port,) = named(production, "Service")[name]["spec"]["ports"]
        assert _pod_port(production, name, service_port["port"]) == listens


def test_services_find_kafka_at_the_strimzi_clusters_bootstrap(production):
    (kafka,) = named(production, "Kafka").values()
    (plain,) = [each for each in kafka["spec"]["kafka"]["listeners"] if not each["tls"]]
    bootstrap = f"{kafka['metadata']['name']}-kafka-bootstrap:{plain['port']}"
    for name in SERVICES:
        env = container_env(main_container(production, name), production)
        assert env["VELO_KAFKA_BOOTSTRAP"].value == bootstrap


def test_services_using_mongo_connect_to_every_member_of_the_replica_set(production):
    (mongo,) = named(production, "StatefulSet").values()
    spec = mongo["spec"]
    (port,) = named(production, "Service")[spec["serviceName"]]["spec"]["ports"]
    members = [
        (f"{mongo['metadata']['name']}-{i}.{spec['serviceName']}", port["port"])
        for i in range(spec["replicas"])
    ]
    args = spec["template"]["spec"]["containers"][0]["args"]
    for name in SERVICES:
        env = container_env(main_container(production, name), production)
        if not services()[name].uses_mongo:
            assert "VELO_MONGO_URL" not in env
            continue
        url = env["VELO_MONGO_URL"].value
        assert mongo_hosts(url) == members
        assert f"replicaSet={args[args.index('--replSet') + 1]}" in url
        assert "authSource=admin" in url


def test_the_mongo_replica_set_is_headless_and_survives_one_member_down(production):
    (mongo,) = named(production, "StatefulSet").values()
    headless = named(production, "Service")[mongo["spec"]["serviceName"]]["spec"]
    assert headless["clusterIP"] == "None" and headless["publishNotReadyAddresses"]
    assert mongo["spec"]["replicas"] >= 3 and mongo["spec"]["replicas"] % 2 == 1
    budget = _budget_of(production, mongo)
    assert budget["spec"]["maxUnavailable"] == 1


def test_the_services_mongo_user_may_write_every_database_they_use(production):
    script = data_of(_config_map_mounted_by(production, "Job", "velo-mongo-init"))["mongo-init.js"]
    granted = set(re.findall(r"'(velo_\w+)'", script.split("];")[0]))
    used = {facts.settings.mongo_database for facts in services().values() if facts.uses_mongo}
    used |= {BUDGET_DATABASE, OpsSettings().mongo_database}
    assert granted == used


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_is_probed_limited_and_unprivileged(name, production):
    pod = deployment(production, name)["spec"]["template"]["spec"]
    container = main_container(production, name)
    assert container["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    for each in pod["initContainers"] + pod["containers"]:
        assert {"cpu", "memory"} <= set(each["resources"]["requests"])
        assert "memory" in each["resources"]["limits"]
        assert each["securityContext"]["allowPrivilegeEscalation"] is False
        assert each["image"] == container["image"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == IMAGE_UID


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_runs_two_or_more_replicas_kept_by_a_disruption_budget(name, production):
    # Every service is built to run as several instances (make run INSTANCES=2, make chaos).
    target = deployment(production, name)
    assert target["spec"]["replicas"] >= 2
    budget = _budget_of(production, target)
    assert 1 <= budget["spec"]["minAvailable"] < target["spec"]["replicas"]


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_announces_its_metrics_to_prometheus(name, production):
    annotations = deployment(production, name)["spec"]["template"]["metadata"]["annotations"]
    (http,) = [p for p in main_container(production, name)["ports"] if p["name"] == "http"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == str(http["containerPort"])
    assert annotations["prometheus.io/path"] == "/metrics"


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_starts_only_once_the_topics_exist(name, production):
    (wait,) = deployment(production, name)["spec"]["template"]["spec"]["initContainers"]
    assert wait["command"] == ["python", "-m", "velo_runtime.wait_for_topics"]
    main_env = container_env(main_container(production, name), production)
    wait_env = container_env(wait, production)
    assert wait_env["VELO_KAFKA_BOOTSTRAP"] == main_env["VELO_KAFKA_BOOTSTRAP"]


def test_service_commands_name_the_services_own_modules(production):
    for name, facts in services().items():
        assert main_container(production, name)["command"] == [
            "python",
            "-m",
            f"{facts.module}.app",
        ]


def test_the_ingress_sends_didww_callbacks_to_ordering_and_the_rest_to_the_gateway(production):
    (ingress,) = named(production, "Ingress").values()
    (rule,) = ingress["spec"]["rules"]
    routes = {p["path"]: (p["pathType"], p["backend"]["service"]) for p in rule["http"]["paths"]}
    assert routes["/didww/callbacks"] == ("Exact", {"name": "ordering", "port": {"name": "http"}})
    assert routes["/"] == ("Prefix", {"name": "gateway", "port": {"name": "http"}})
    assert len(routes) == 2, "ordering's other routes are internal and unauthenticated"


def test_didww_calls_back_through_the_ingress_host_over_tls(production):
    (ingress,) = named(production, "Ingress").values()
    (rule,) = ingress["spec"]["rules"]
    assert any(rule["host"] in tls["hosts"] for tls in ingress["spec"]["tls"])
    env = container_env(main_container(production, "ordering"), production)
    assert env["VELO_ORDERING_PUBLIC_BASE_URL"].value == f"https://{rule['host']}"


def test_kafka_runs_in_kraft_with_three_voters_and_durable_defaults(production):
    (kafka,) = named(production, "Kafka").values()
    pools = named(production, "KafkaNodePool").values()
    assert kafka["apiVersion"] == STRIMZI_API
    assert all(pool["apiVersion"] == STRIMZI_API for pool in pools)
    assert all(
        p["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"] for p in pools
    )
    assert all(set(p["spec"]["roles"]) <= {"controller", "broker"} for p in pools)
    controllers = sum(p["spec"]["replicas"] for p in pools if "controller" in p["spec"]["roles"])
    brokers = sum(p["spec"]["replicas"] for p in pools if "broker" in p["spec"]["roles"])
    assert controllers >= 3 and controllers % 2 == 1
    assert all(p["spec"]["storage"]["type"] in {"jbod", "persistent-claim"} for p in pools)
    config = kafka["spec"]["kafka"]["config"]
    assert brokers >= config["default.replication.factor"] == 3
    assert config["min.insync.replicas"] == 2
    assert config["auto.create.topics.enable"] is False
    assert "topicOperator" in kafka["spec"]["entityOperator"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", kafka["spec"]["kafka"]["version"])


def test_kafka_topics_are_exactly_the_registrys_topics_and_dlqs(production):
    expected = {
        new.name: (new.num_partitions, new.topic_configs.get("cleanup.policy", "delete"))
        for topic in ALL_TOPICS
        for new in _new_topics(topic)
    }
    topics = named(production, "KafkaTopic").values()
    declared = {
        t["spec"]["topicName"]: (
            t["spec"]["partitions"],
            t["spec"].get("config", {}).get("cleanup.policy", "delete"),
        )
        for t in topics
    }
    assert declared == expected
    assert len(declared) == len(topics)
    (kafka,) = named(production, "Kafka").values()
    for topic in topics:
        assert topic["apiVersion"] == STRIMZI_API
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
        assert topic["spec"]["replicas"] == 3


def test_the_tenants_topic_is_compacted_on_the_cluster(production):
    topics = {t["spec"]["topicName"]: t["spec"] for t in named(production, "KafkaTopic").values()}
    compacted = {t.name for t in ALL_TOPICS if t.compacted}
    assert "velo.tenants.v1" in compacted
    assert {name for name, s in topics.items() if s.get("config")} == compacted


def test_secrets_come_only_from_files_git_ignores(production):
    overlay = K8S / "overlays/production"
    kustomization = (overlay / "kustomization.yaml").read_text()
    files = re.findall(r"envs: \[(\S+)\]", kustomization)
    assert len(files) == len(named(production, "Secret")) == 3
    for path in files:
        assert _ignored(overlay / path), f"{path} could be committed"
        assert env_file(overlay / f"{path}.example")
    assert not any(doc["kind"] == "Secret" for doc in _committed_manifests())


def test_the_overlay_does_not_render_without_its_secret_files(tmp_path):
    command = kustomize_command()
    assert command
    tree = tmp_path / "k8s"
    subprocess.run(["cp", "-r", str(K8S), str(tree)], check=True)
    for secret in tree.rglob("*.env"):
        secret.unlink()
    result = subprocess.run(
        [*command, str(tree / "overlays/production")], capture_output=True, text=True
    )
    assert result.returncode != 0 and ".env" in result.stderr


def _pod_port(docs: list[dict[str, Any]], service: str, port: int) -> int | None:
    """Returns the container port a Service's port leads to, or None."""
    target = named(docs, "Service").get(service)
    if target is None:
        return None
    selector = target["spec"]["selector"]
    ports = [p for p in target["spec"]["ports"] if p["port"] == port]
    if not ports:
        return None
    for workload in named(docs, "Deployment").values():
        labels = workload["spec"]["template"]["metadata"]["labels"]
        if selector.items() <= labels.items():
            for container in workload["spec"]["template"]["spec"]["containers"]:
                for candidate in container["ports"]:
                    if candidate["name"] == ports[0]["targetPort"]:
                        return int(candidate["containerPort"])
    return None


def _budget_of(docs: list[dict[str, Any]], workload: dict[str, Any]) -> dict[str, Any]:
    labels = workload["spec"]["template"]["metadata"]["labels"]
    (budget,) = [
        pdb
        for pdb in named(docs, "PodDisruptionBudget").values()
        if pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    ]
    return budget


def _config_map_mounted_by(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    volumes = named(docs, kind)[name]["spec"]["template"]["spec"]["volumes"]
    (volume,) = [v for v in volumes if "configMap" in v]
    return named(docs, "ConfigMap")[volume["configMap"]["name"]]


def _committed_manifests() -> list[dict[str, Any]]:
    listed = subprocess.run(
        ["git", "ls-files", "*.yaml"], cwd=K8S, capture_output=True, text=True, check=True
    ).stdout.split()
    return [
        doc
        for path in listed
        for doc in yaml.safe_load_all((K8S / path).read_text())
        if doc and "kind" in doc
    ]


def _ignored(path: Path) -> bool:
    result = subprocess.run(["git", "check-ignore", "-q", str(path)], cwd=ROOT, check=False)
    return result.returncode == 0
