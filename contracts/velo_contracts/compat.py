"""JSON-schema snapshots of every message, and the check that a change to them is additive only.

`python -m velo_contracts.compat --write` refreshes the committed snapshot after an additive change;
the snapshot test fails on anything else (a removed or retyped field, a new required field, …).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from velo_contracts.topics import message_models

SNAPSHOT = Path(__file__).resolve().parent.parent / "schemas" / "v1.json"
_STRICT_KEYWORDS = ("type", "const", "pattern", "format", "$ref", "discriminator")


def current_schemas() -> dict[str, Any]:
    """Returns the JSON schema of every v1 message, by type name."""
    return {name: model.model_json_schema() for name, model in sorted(message_models().items())}


def load_snapshot(path: Path = SNAPSHOT) -> dict[str, Any]:
    """Reads the committed snapshot."""
    return dict(json.loads(path.read_text()))


def write_snapshot(path: Path = SNAPSHOT) -> None:
    """Writes the current schemas as the snapshot."""
    path.write_text(json.dumps(current_schemas(), indent=2, sort_keys=True) + "\n")


def incompatibilities(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Lists every way new breaks a producer or consumer written against old."""
    problems: list[str] = []
    for name, old_schema in old.items():
        if name not in new:
            problems.append(f"{name}: message type removed")
            continue
        _compare(old_schema, new[name], old_schema, new[name], name, problems)
    return problems


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    if ref.startswith("#/$defs/"):
        return dict(root.get("$defs", {})[ref.removeprefix("#/$defs/")])
    return schema


def _compare(
    old: dict[str, Any],
    new: dict[str, Any],
    old_root: dict[str, Any],
    new_root: dict[str, Any],
    path: str,
    problems: list[str],
) -> None:
    _compare_keywords(old, new, path, problems)
    if "$ref" in old:
        old, new = _resolve(old, old_root), _resolve(new, new_root)
        _compare_keywords(old, new, path, problems)
    _compare_objects(old, new, old_root, new_root, path, problems)
    for keyword in ("anyOf", "oneOf"):
        for index, (a, b) in enumerate(
            zip(old.get(keyword, []), new.get(keyword, []), strict=False)
        ):
            _compare(a, b, old_root, new_root, f"{path}.{keyword}[{index}]", problems)
        if len(new.get(keyword, [])) < len(old.get(keyword, [])):
            problems.append(f"{path}: `{keyword}` alternatives removed")
    if "items" in old and "items" in new:
        _compare(old["items"], new["items"], old_root, new_root, f"{path}[]", problems)


def _compare_keywords(
    old: dict[str, Any], new: dict[str, Any], path: str, problems: list[str]
) -> None:
    for keyword in _STRICT_KEYWORDS:
        if old.get(keyword) != new.get(keyword):
            problems.append(
                f"{path}: `{keyword}` changed from {old.get(keyword)!r} to {new.get(keyword)!r}"
            )
    removed = set(old.get("enum", [])) - set(new.get("enum", old.get("enum", [])))
    if removed:
        problems.append(f"{path}: enum values removed: {sorted(removed)}")


def _compare_objects(
    old: dict[str, Any],
    new: dict[str, Any],
    old_root: dict[str, Any],
    new_root: dict[str, Any],
    path: str,
    problems: list[str],
) -> None:
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    for prop, old_prop in old_props.items():
        if prop not in new_props:
            problems.append(f"{path}.{prop}: field removed")
            continue
        if (prop in old_required) != (prop in new_required):
            problems.append(f"{path}.{prop}: required changed")
        _compare(old_prop, new_props[prop], old_root, new_root, f"{path}.{prop}", problems)
    for prop in sorted(new_required - set(old_props)):
        problems.append(f"{path}.{prop}: new field is required (new fields must be optional)")


def main() -> None:
    """Checks the current schemas against the snapshot, or rewrites it with --write."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="refresh the snapshot (additive only)")
    args = parser.parse_args()
    problems = incompatibilities(load_snapshot(), current_schemas()) if SNAPSHOT.exists() else []
    if problems:
        raise SystemExit("incompatible change:\n  " + "\n  ".join(problems))
    if args.write:
        write_snapshot()
        print(f"wrote {SNAPSHOT}")


if __name__ == "__main__":
    main()
