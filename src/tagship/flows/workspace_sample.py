"""A uv workspace of several sample packages in one git repository with a bare `origin`: the
demo's second kind of repository, and the tests' monorepo.

The root is virtual (no `[project]`): it declares the members and the policy they share
(indexes, checks). Each member is a hatchling package tagged `NAME-v0.1.0`; a member may depend
on another (`depends`, with the range it pins). One merged pull request changes only the
first member, so the others have nothing to release.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.flows.sample import (
    MODULE_TEXT,
    TEST_TEXT,
    SampleIndex,
    SampleRepo,
    check_commands,
    check_lines,
    index_tables,
    merge_feature,
    new_repository,
    run_all,
    toml_string,
)

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.adapters.process import Runner

_MEMBER = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "{name}"
version = "{version}"
description = "A member of the tagship demo's workspace"
readme = "README.md"
requires-python = ">=3.10"
license = "MIT"
dependencies = [{dependencies}]

[tool.tagship]
smoke-command = "python -c 'import {module}; print({module}.greet())'"
"""
_FEATURE = """

def greet_twice() -> str:
    return greet() + " " + greet()
"""


@dataclass(frozen=True)
class Member:
    """A package of the workspace: its name, and the members it depends on (name, range)."""

    name: str
    depends: tuple[tuple[str, str], ...] = ()

    @property
    def module(self) -> str:
        return self.name.replace("-", "_")


def _root(indexes: list[SampleIndex], checks: dict[str, str]) -> str:
    # the members' dependencies on each other come from the production index
    production = toml_string(indexes[-1].simple_url)
    return (
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n\n'
        f"[tool.tagship]\ndependency-index = {production}\n\n"
        f"[tool.tagship.checks]\n{check_lines(checks)}\n{index_tables(indexes)}"
    )


def _member_files(member: Member, version: str) -> dict[str, str]:
    base = f"packages/{member.name}"
    dependencies = ", ".join(toml_string(f"{name}{spec}") for name, spec in member.depends)
    pyproject = _MEMBER.format(
        name=member.name, version=version, module=member.module, dependencies=dependencies
    )
    return {
        f"{base}/pyproject.toml": pyproject,
        f"{base}/README.md": f"# {member.name}\n\nA member of the tagship demo's workspace.\n",
        f"{base}/src/{member.module}/__init__.py": MODULE_TEXT,
        f"{base}/tests/__init__.py": "",
        f"{base}/tests/test_greet.py": TEST_TEXT.format(module=member.module),
        f"{base}/docs/usage.md": f"Install it with `pip install {member.name}`.\n",
    }


def create_workspace_sample(
    base: Path,
    *,
    members: tuple[Member, ...],
    indexes: list[SampleIndex],
    checks: dict[str, str] | None = None,
    runner: Runner,
    version: str = "0.1.0",
) -> SampleRepo:
    """The workspace with every member at `version` and tagged, plus one merged pull request
    changing the first member, pushed to origin (`module` is the first member's). The last
    of `indexes` is production: the members' dependency index."""
    work, origin = base / "work", base / "origin.git"
    files = {
        "pyproject.toml": _root(indexes, checks or check_commands(base / "checks")),
        ".gitignore": "dist/\n__pycache__/\n*.egg-info/\nbuild/\n",
    }
    for member in members:
        files.update(_member_files(member, version))
    git = ["git", "-C", str(work)]
    tags = [
        [*git, "tag", "--annotate", f"{m.name}-v{version}", "-m", f"Release {m.name} {version}"]
        for m in members
    ]
    run_all(
        runner,
        [
            *new_repository(work, origin, files),
            [*git, "commit", "--quiet", "-m", "Release every package at " + version],
            *tags,
            [*git, "switch", "--quiet", "--create", "feature/twice"],
        ],
    )
    first = members[0]
    module_file = work / "packages" / first.name / "src" / first.module / "__init__.py"
    with module_file.open("a", encoding="utf-8") as handle:
        handle.write(_FEATURE)
    merge_feature(runner, work, "feature/twice", f"Add greet_twice to {first.name}")
    return SampleRepo(work, origin, first.module)
