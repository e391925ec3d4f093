"""Parsing a project's pyproject.toml (read by adapters/project_files.py), with errors that
name the file and the line."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from tagship.core.errors import ConfigError

if TYPE_CHECKING:
    from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib


TOMLDecodeError = tomllib.TOMLDecodeError


def loads(text: str) -> dict[str, Any]:
    """Parse TOML text (tomllib, or tomli on Python 3.10)."""
    data: dict[str, Any] = tomllib.loads(text)
    return data


def parse_toml(text: str, path: Path) -> dict[str, Any]:
    """Parse the TOML text of the file at `path`; malformed TOML is a ConfigError naming it."""
    try:
        return loads(text)
    except TOMLDecodeError as exc:
        raise ConfigError(
            f"{path} is not valid TOML: {exc}", hint="fix the syntax at the line named"
        ) from None
    except RecursionError:  # tomllib recurses once per level of nested arrays and tables
        raise ConfigError(
            f"{path} nests arrays or tables too deeply to read",
            hint="no pyproject.toml needs hundreds of levels: remove the nesting",
        ) from None


def table(data: dict[str, Any], dotted: str, path: Path) -> dict[str, Any]:
    """The sub-table at a dotted key ({} when absent); a non-table value is a ConfigError."""
    node: Any = data
    for part in dotted.split("."):
        node = node.get(part, {}) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            raise ConfigError(f"`{dotted}` in {path} must be a table")
    result: dict[str, Any] = node
    return result
