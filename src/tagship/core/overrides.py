"""`--set KEY=VALUE`: a command line override as the nested table `[tool.tagship]` would hold."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tagship.core.errors import ConfigError
from tagship.core.pyproject import TOMLDecodeError, loads

if TYPE_CHECKING:
    from collections.abc import Mapping

_KEY_DEPTH = 3  # indexes.NAME.KEY: the deepest key of the schema


def merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """`over` merged into `base`, table by table."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _shortened(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def parse_override(text: str) -> dict[str, Any]:
    """`indexes.local.official=false` -> nested dict; values are TOML, else plain strings."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(
            f"--set expects KEY=VALUE, got {text!r}", hint="e.g. --set tag-format=v{version}"
        )
    parts = key.strip().split(".")
    if len(parts) > _KEY_DEPTH:
        raise ConfigError(
            f"--set key {_shortened(key.strip())} has {len(parts)} parts; "
            f"tagship's keys have at most {_KEY_DEPTH}",
            hint="e.g. --set indexes.NAME.upload-url=URL",
        )
    try:
        value: Any = loads(f"v = {raw.strip()}")["v"]
    except (TOMLDecodeError, RecursionError):  # RecursionError: nested hundreds deep
        value = raw.strip()
    node: dict[str, Any] = {}
    root = node
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return root
