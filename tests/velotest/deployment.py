"""What the deployment files (deploy/) must give each service, and the files read as data.

A service's needs are read from its own settings class, so a setting added later is checked too:
a field without a default must be set; a secret (a `SecretStr` without a value, or the platform
key VELO_SECRETS_KEY for a service that opens tenant secrets) must come from a secret; an address
whose default is this machine (Kafka, MongoDB, a peer, DIDWW's sandbox) must name another; the
HTTP host must be 0.0.0.0 so the service answers outside its container; a setting described
as "Development only" must not be set at all.
"""

from __future__ import annotations

import base64
import importlib
import re
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pydantic import AliasChoices, SecretStr

from velo_runtime import Service, ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
LOCAL_HOSTS = ("127.0.0.1", "localhost")
PLATFORM_KEY = "VELO_SECRETS_KEY"


@dataclass(frozen=True)
class Need:
    """One environment variable a service must be given, and how."""

    variable: str
    kind: str  # "set", "secret", "elsewhere" (not this machine), "bind-all" (0.0.0.0), "absent"


@dataclass(frozen=True)
class ServiceFacts:
    """A service as its own code describes it."""

    name: str  # as in services/<name>, compose and Kubernetes
    module: str
    settings: ServiceSettings
    uses_mongo: bool
    opens_tenant_secrets: bool


def service_names() -> list[str]:
    """Names of the services under services/ (cheap: for parametrizing tests)."""
    return sorted(project.parent.name for project in (ROOT / "services").glob("*/pyproject.toml"))


@cache
def services() -> dict[str, ServiceFacts]:
    """Every service under services/, built (unconnected) by its own composition root."""
    found = {}
    for project in sorted((ROOT / "services").glob("*/pyproject.toml")):
        scripts = tomllib.loads(project.read_text())["project"]["scripts"]
        (entry,) = scripts.values()
        module = entry.split(":")[0].rsplit(".", 1)[0]
        app: Service = importlib.import_module(f"{module}.app").create_app()
        package = project.parent / module
        sources = "".join(path.read_text() for path in package.rglob("*.py"))
        found[project.parent.name] = ServiceFacts(
            name=project.parent.name,
            module=module,
            settings=app.settings,
            uses_mongo=app.mongo is not None,
            opens_tenant_secrets="SecretBox" in sources,
        )
    return found


def variable_of(settings: type[ServiceSettings], field: str) -> str:
    """Returns the environment variable a settings field is read from."""
    info = settings.model_fields[field]
    if isinstance(info.validation_alias, AliasChoices):
        first = info.validation_alias.choices[0]
        assert isinstance(first, str)
        return first
    return f"{settings.model_config.get('env_prefix', '')}{field}".upper()


def needs(service: ServiceFacts) -> list[Need]:
    """Returns what the deployment must give the service."""
    settings = type(service.settings)
    found = []
    for field, info in settings.model_fields.items():
        variable = variable_of(settings, field)
        if (info.description or "").lower().startswith("development only"):
            found.append(Need(variable, "absent"))
        elif info.is_required():
            found.append(Need(variable, "set"))
        elif info.annotation is SecretStr and not info.default.get_secret_value():
            found.append(Need(variable, "secret"))
        elif field == "http_host":
            found.append(Need(variable, "bind-all"))
        elif _local(info.default) and (field != "mongo_url" or service.uses_mongo):
            found.append(Need(variable, "elsewhere"))
    if service.opens_tenant_secrets:
        found.append(Need(PLATFORM_KEY, "secret"))
    return found


def check(need: Need, env: dict[str, Setting]) -> str | None:
    """Returns what is wrong with how env meets the need, or None."""
    setting = env.get(need.variable)
    if need.kind == "absent":
        return f"{need.variable} is for development only" if setting else None
    if setting is None:
        return f"{need.variable} is not set"
    if need.kind == "secret" and not setting.secret:
        return f"{need.variable} must come from a secret"
    if need.kind == "bind-all" and setting.value != "0.0.0.0":
        return f"{need.variable}={setting.value}: must be 0.0.0.0"
    if need.kind == "elsewhere" and _local(setting.value):
        return f"{need.variable}={setting.value}: must not be this machine"
    return None


def _local(default: object) -> bool:
    return isinstance(default, str) and any(host in default for host in LOCAL_HOSTS)


def effective(service: ServiceFacts, env: dict[str, str], field: str) -> str:
    """Returns a setting's value in env, else its default."""
    settings = type(service.settings)
    variable = variable_of(settings, field)
    return env.get(variable, str(settings.model_fields[field].default))


def host_port(address: str) -> tuple[str, int]:
    """Returns host and port of `host:port` or of a URL."""
    parts = urlsplit(address if "//" in address else f"//{address}")
    assert parts.hostname and parts.port, f"no host and port in {address!r}"
    return parts.hostname, parts.port


def mongo_hosts(url: str) -> list[tuple[str, int]]:
    """Returns the hosts of a MongoDB connection string (a seed list may name several)."""
    netloc = urlsplit(url).netloc.rpartition("@")[2]
    return [host_port(host) for host in netloc.split(",")]


def env_file(path: Path) -> dict[str, str]:
    """Reads KEY=value lines (comments and blank lines skipped)."""
    pairs = (
        line.split("=", 1)
        for line in path.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )
    return {key.strip(): value.strip() for key, value in pairs}


# --- compose --------------------------------------------------------------------------------

COMPOSE = DEPLOY / "compose.yaml"
INTERPOLATION = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def compose() -> dict[str, Any]:
    """deploy/compose.yaml, its YAML merge keys resolved."""
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return document


def interpolate(value: str) -> str:
    """Resolves `${VAR:-default}` to its default and `${VAR:?why}` (given at deploy time) to
    `<VAR>`, as nothing is set while testing."""

    def one(match: re.Match[str]) -> str:
        return match["arg"] if match["op"] in (":-", "-") else f"<{match['name']}>"

    return INTERPOLATION.sub(one, value)


@dataclass(frozen=True)
class Setting:
    """A variable a container gets, and whether it comes from a secret."""

    value: str
    secret: bool


def compose_env(service: dict[str, Any]) -> dict[str, Setting]:
    """Returns what a compose service's container gets: `environment` and its env files (read
    from their committed `.example`, since the files themselves are never committed)."""
    env: dict[str, Setting] = {}
    for path in service.get("env_file", []):
        example = DEPLOY / f"{path}.example"
        env |= {key: Setting(value, True) for key, value in env_file(example).items()}
    for key, value in (service.get("environment") or {}).items():
        env[key] = Setting(interpolate(str(value)), False)
    return env


# --- kubernetes -----------------------------------------------------------------------------


def kustomize_command() -> list[str] | None:
    """Returns how to run Kustomize here (kustomize, or the one built into kubectl), or None."""
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    return None


def render(kustomization: str, workdir: Path) -> list[dict[str, Any]]:
    """Renders deploy/k8s/<kustomization> with Kustomize; the overlay's secret files (never
    committed) are made from their committed `.example` files, in a copy of deploy/k8s."""
    command = kustomize_command()
    assert command, "no kustomize"
    tree = workdir / "k8s"
    shutil.copytree(K8S, tree, ignore=shutil.ignore_patterns("*.env"))
    for example in tree.rglob("*.env.example"):
        shutil.copy(example, example.with_suffix(""))
    output = subprocess.run(
        [*command, str(tree / kustomization)], capture_output=True, text=True, check=True
    ).stdout
    return [doc for doc in yaml.safe_load_all(output) if doc]


def named(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    """Returns the resources of one kind by name."""
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def data_of(doc: dict[str, Any]) -> dict[str, str]:
    """Returns a ConfigMap's data or a Secret's, decoded."""
    if doc["kind"] == "Secret":
        return {k: base64.b64decode(v).decode() for k, v in doc.get("data", {}).items()}
    return dict(doc.get("data", {}))


def container_env(container: dict[str, Any], docs: list[dict[str, Any]]) -> dict[str, Setting]:
    """Returns what a container gets from envFrom and env, `$(VAR)` references expanded."""
    maps, secrets = named(docs, "ConfigMap"), named(docs, "Secret")
    env: dict[str, Setting] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            data = data_of(maps[source["configMapRef"]["name"]])
            env |= {key: Setting(value, False) for key, value in data.items()}
        else:
            data = data_of(secrets[source["secretRef"]["name"]])
            env |= {key: Setting(value, True) for key, value in data.items()}
    for item in container.get("env", []):
        if "value" in item:
            value = re.sub(r"\$\((\w+)\)", lambda m: env[m[1]].value, item["value"])
            env[item["name"]] = Setting(value, False)
        else:
            ref = item["valueFrom"]["secretKeyRef"]
            env[item["name"]] = Setting(data_of(secrets[ref["name"]])[ref["key"]], True)
    return env
