"""The project directory when -C is not given: found from any subdirectory, as uv and ruff
find theirs."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def project_directory(start: Path) -> Path:
    """`start` when it holds a pyproject.toml; else the nearest directory above it that does,
    never above the git work tree's top (a stray pyproject.toml in the home directory is no
    project of this repository); else `start`, whose missing pyproject.toml the command
    reports. In a repository of several packages the nearest is the package you are in, or
    the root, which is the rule the packages are chosen by anyway."""
    for directory in (start, *start.parents):
        if (directory / "pyproject.toml").is_file():
            return directory
        if (directory / ".git").exists():
            break
    return start
