"""deploy/Dockerfile and .dockerignore: a non-root image of our packages, nothing local inside."""

from __future__ import annotations

import re
import subprocess
from importlib.metadata import requires

import pytest

from velotest.deployment import DEPLOY, ROOT, compose, service_names, services

DOCKERFILE = DEPLOY / "Dockerfile"
EXCLUDED_FROM_IMAGE = {"velo-devinfra", "velo-sandbox"}


def instructions() -> list[tuple[str, str]]:
    """Returns the Dockerfile's instructions as (KEYWORD, arguments), continuations joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = (line.strip() for line in text.splitlines())
    found = []
    for line in lines:
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), " ".join(rest.split())))
    return found


def stages() -> dict[str, list[tuple[str, str]]]:
    """Returns each build stage's instructions by stage name; the last one is the image."""
    found: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] = []
    for keyword, rest in instructions():
        if keyword == "FROM":
            current = []
            found[rest.split(" AS ")[-1] if " AS " in rest else rest] = current
        current.append((keyword, rest))
    return found


def image_stage() -> list[tuple[str, str]]:
    return list(stages().values())[-1]


def test_the_image_runs_as_a_fixed_unprivileged_user():
    stage = image_stage()
    users = [rest for keyword, rest in stage if keyword == "USER"]
    uid, _, gid = users[-1].partition(":")
    assert uid.isdigit() and int(uid) > 0, "numeric, so Kubernetes can verify runAsNonRoot"
    created = " ".join(rest for keyword, rest in stage if keyword == "RUN")
    assert f"useradd --system --uid {uid} " in created
    assert not gid or f"--gid {gid} " in created


def test_the_kubernetes_pods_run_as_the_images_user():
    users = [rest for keyword, rest in image_stage() if keyword == "USER"]
    uid = users[-1].partition(":")[0]
    manifests = "".join(path.read_text() for path in (DEPLOY / "k8s/base").glob("*.yaml"))
    assert set(re.findall(r"runAsUser: (\d+)", manifests)) == {uid, "999"}  # 999: mongo's


def test_the_image_is_built_with_the_makefiles_uv_from_the_lockfile_without_dev_tools():
    pin = re.search(r'"uv==([\d.]+)"', (ROOT / "Makefile").read_text())
    assert pin
    build = " ".join(f"{k} {rest}" for k, rest in instructions())
    assert f'"uv=={pin[1]}"' in build
    syncs = [rest for keyword, rest in instructions() if "uv sync" in rest]
    assert syncs and all("--frozen" in sync and "--no-dev" in sync for sync in syncs)
    assert "UV_PYTHON_DOWNLOADS=never" in build
    for package in EXCLUDED_FROM_IMAGE:
        assert f"--no-install-package {package}" in syncs[-1]


def test_the_image_holds_only_the_virtual_environment_not_the_source_tree():
    copies = [rest for keyword, rest in image_stage() if keyword == "COPY"]
    assert copies == ["--from=build /app/.venv /app/.venv"]
    assert "--no-editable" in [rest for _, rest in stages()["build"] if "uv sync" in rest][-1]


@pytest.mark.parametrize("name", service_names())
def test_no_service_depends_on_what_the_image_leaves_out(name):
    distribution = f"velo-{name}"
    seen, todo = set(), [distribution]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for requirement in requires(current) or []:
            dependency = re.split(r"[\s;<>=!~\[]", requirement, maxsplit=1)[0].lower()
            if dependency.startswith("velo-"):
                todo.append(dependency)
    assert not seen & EXCLUDED_FROM_IMAGE


def test_compose_runs_every_service_from_the_one_image():
    everything = compose()["services"]
    images = {everything[name]["image"] for name in services()}
    builds = {str(everything[name]["build"]) for name in services()}
    assert len(images) == len(builds) == 1
    assert everything["gateway"]["build"]["dockerfile"] == "deploy/Dockerfile"


# --- .dockerignore, read as Docker reads it --------------------------------------------------


def ignore_patterns() -> list[tuple[bool, re.Pattern[str]]]:
    """Returns (excludes, regex) per .dockerignore line, in order (Docker: the last match wins;
    a pattern also matches everything under a directory it matches)."""
    found = []
    for raw in (ROOT / ".dockerignore").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        found.append((not negated, re.compile(_regex(line.lstrip("!").strip("/")))))
    return found


def _regex(pattern: str) -> str:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out, i = out + pattern[i : end + 1], end + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return out + "(?:/.*)?"


def excluded(path: str) -> bool:
    """Tells whether Docker leaves path out of the build context."""
    verdict = False
    for excludes, regex in ignore_patterns():
        if regex.fullmatch(path):
            verdict = excludes
    return verdict


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        "services/gateway/.venv/lib/site.py",
        ".git/HEAD",
        ".var/run/dev-secrets.env",
        ".cache/kafka/kafka.jar",
        ".tools/bin/uv",
        "deploy/secrets/platform.env",
        "deploy/k8s/overlays/production/secrets/mongo.env",
        "some/where/.env",
        "libs/runtime/velo_runtime/__pycache__/service.cpython-311.pyc",
        ".pytest_cache/v/cache/lastfailed",
        ".mypy_cache/3.11/x.json",
        ".ruff_cache/content",
        ".hypothesis/examples/x",
        "tests/conftest.py",
        "test-results/trace.zip",
    ],
)
def test_the_build_context_leaves_out_local_secret_and_generated_files(path):
    assert excluded(path)


def test_the_build_context_keeps_every_file_of_the_packages_it_installs():
    tracked = subprocess.run(
        ["git", "ls-files", "pyproject.toml", "uv.lock", "contracts", "libs", "services"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert len(tracked) > 100
    assert [path for path in tracked if excluded(path)] == []


def test_the_ignore_reading_follows_dockers_rules():
    assert not excluded("libs/runtime/velo_runtime/service.py")
    assert excluded("deploy") and excluded("deploy/compose.yaml")
    assert not excluded("deployed.txt"), "a pattern matches whole path segments"
