"""A small sample package in a git repository with a bare `origin`: the demo's project."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.adapters.process import Runner, run
from tagship.core.errors import ServiceError

if TYPE_CHECKING:
    from pathlib import Path

_PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "{name}"
version = "{version}"
description = "A sample package released by the tagship demo"
readme = "README.md"
requires-python = ">=3.10"
license = "MIT"

[tool.tagship]
tag-format = "v{{version}}"
"""


@dataclass(frozen=True)
class SampleRepo:
    """A work tree and its bare remote."""

    work: Path
    origin: Path


def create_sample(
    base: Path, name: str = "demo-pkg", version: str = "0.1.0", runner: Runner = run
) -> SampleRepo:
    """Create the package, commit it on `main` and push it to a bare `origin`."""
    module = name.replace("-", "_")
    work, origin = base / "work", base / "origin.git"
    (work / "src" / module).mkdir(parents=True)
    (work / "pyproject.toml").write_text(_PYPROJECT.format(name=name, version=version))
    (work / "README.md").write_text(f"# {name}\n\nA sample package for the tagship demo.\n")
    (work / "src" / module / "__init__.py").write_text('"""Sample."""\n\nGREETING = "hello"\n')
    identity = ["-c", "user.name=tagship demo", "-c", "user.email=demo@tagship.invalid"]
    for args in (
        ["git", "init", "--quiet", "--bare", "--initial-branch=main", str(origin)],
        ["git", "init", "--quiet", "--initial-branch=main", str(work)],
        ["git", "-C", str(work), "config", "user.name", "tagship demo"],
        ["git", "-C", str(work), "config", "user.email", "demo@tagship.invalid"],
        ["git", "-C", str(work), "remote", "add", "origin", str(origin)],
        ["git", "-C", str(work), "add", "--all"],
        ["git", "-C", str(work), *identity, "commit", "--quiet", "-m", "Initial sample package"],
        ["git", "-C", str(work), "push", "--quiet", "origin", "main"],
    ):
        done = runner(args)
        if not done.ok:
            raise ServiceError(f"setting up the sample repository failed: {done.tail(1)}")
    return SampleRepo(work, origin)
