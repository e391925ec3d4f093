"""A small sample package in a git repository with a bare `origin`: the demo's project.

Its required checks are real commands that need nothing beyond Python and tagship, and its
history holds a merged pull request with a release label, so every step of the flow has
something true to work on.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.core.errors import ServiceError

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.adapters.process import Runner

_PYPROJECT = """\
[build-system]
requires = [{requires}]
build-backend = "{backend}"

[project]
name = "{name}"
version = "{version}"
description = "A sample package released by the tagship demo"
readme = "README.md"
requires-python = ">=3.10"
license = "MIT"

[tool.tagship]
smoke-command = "python -c 'import {module}; print({module}.greet())'"
docs-files = ["docs/*.md"]

[tool.tagship.checks]
{checks}
{indexes}"""
# build backend -> its [build-system] requirement and entry point; setuptools and pdm-backend
# cannot build the same sdist twice (see steps/build/reproduce.py)
BACKENDS = {
    "hatchling": ('"hatchling"', "hatchling.build"),
    "setuptools": ('"setuptools>=77"', "setuptools.build_meta"),
    "pdm-backend": ('"pdm-backend"', "pdm.backend"),
}
MODULE_TEXT = '''"""A sample package."""


def greet() -> str:
    return "hello"
'''
TEST_TEXT = """import unittest

from {module} import greet


class GreetTest(unittest.TestCase):
    def test_greet(self) -> None:
        self.assertEqual(greet(), "hello")
"""
_FEATURE = """

def greet_loudly() -> str:
    return greet().upper() + "!"
"""


@dataclass(frozen=True)
class SampleIndex:
    """An index the sample publishes to: config name and its URLs."""

    name: str
    upload_url: str
    simple_url: str


@dataclass(frozen=True)
class SampleRepo:
    """A work tree and its bare remote."""

    work: Path
    origin: Path
    module: str


_DOCS_CHECK = "import pathlib; assert 'pip install' in pathlib.Path('docs/usage.md').read_text()"


def check_commands(check_dir: Path) -> dict[str, str]:
    """Real checks a fresh sample passes: compile, parse, unit tests, build and verify."""
    python = shlex.quote(sys.executable)
    out = shlex.quote(str(check_dir))
    return {
        "lint": f"{python} -m compileall -q src",
        "typecheck": f"{python} -m py_compile src/*/__init__.py",
        "tests": f"PYTHONPATH=src {python} -m unittest discover -s tests -t .",
        "package-build": f"{python} -m tagship build --out {out} --clean",
        "docs-validation": f"{python} -c {shlex.quote(_DOCS_CHECK)}",
        "build-validation": f"{python} -m tagship verify-artifacts --dir {out}",
    }


def toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check_lines(checks: dict[str, str]) -> str:
    """The body of a [tool.tagship.checks] table."""
    return "\n".join(f"{key} = {toml_string(value)}" for key, value in checks.items())


def index_tables(indexes: list[SampleIndex]) -> str:
    """A [tool.tagship.indexes.NAME] table for each index, none official."""
    return "".join(
        f"\n[tool.tagship.indexes.{i.name}]\nupload-url = {toml_string(i.upload_url)}\n"
        f"simple-url = {toml_string(i.simple_url)}\nofficial = false\n"
        for i in indexes
    )


def _pyproject(
    name: str, version: str, checks: dict[str, str], indexes: list[SampleIndex], backend: str
) -> str:
    lines = check_lines(checks)
    tables = index_tables(indexes)
    requires, entry = BACKENDS[backend]
    return _PYPROJECT.format(
        requires=requires,
        backend=entry,
        name=name,
        version=version,
        module=name.replace("-", "_"),
        checks=lines,
        indexes=tables,
    )


def create_sample(
    base: Path,
    *,
    indexes: list[SampleIndex],
    checks: dict[str, str] | None = None,
    runner: Runner,
    name: str = "demo-pkg",
    version: str = "0.1.0",
    backend: str = "hatchling",
) -> SampleRepo:
    """The package at `version`, built by `backend` (one of BACKENDS), tagged, plus one merged
    feature PR, pushed to origin."""
    module = name.replace("-", "_")
    work, origin = base / "work", base / "origin.git"
    files = {
        "pyproject.toml": _pyproject(
            name, version, checks or check_commands(base / "checks"), indexes, backend
        ),
        "README.md": f"# {name}\n\nA sample package for the tagship demo.\n",
        "docs/usage.md": f"Install it with `pip install {name}=={version}` (tag v{version}).\n",
        ".gitignore": "dist/\n__pycache__/\n*.egg-info/\nbuild/\n",
        f"src/{module}/__init__.py": MODULE_TEXT,
        "tests/__init__.py": "",
        "tests/test_greet.py": TEST_TEXT.format(module=module),
    }
    git = ["git", "-C", str(work)]
    steps = [
        *new_repository(work, origin, files),
        [*git, "commit", "--quiet", "-m", f"Release {version}"],
        [*git, "tag", "--annotate", f"v{version}", "-m", f"Release v{version}"],
        [*git, "switch", "--quiet", "--create", "feature/loud"],
    ]
    run_all(runner, steps)
    with (work / "src" / module / "__init__.py").open("a", encoding="utf-8") as handle:
        handle.write(_FEATURE)
    merge_feature(runner, work, "feature/loud", "Add greet_loudly")
    return SampleRepo(work, origin, module)


def new_repository(work: Path, origin: Path, files: dict[str, str]) -> list[list[str]]:
    """Write `files` into `work`; the git commands that make it a repository with them
    staged, a bare `origin` beside it (the demo's identity, as a maintainer's)."""
    for relative, text in files.items():
        target = work / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    git = ["git", "-C", str(work)]
    return [
        ["git", "init", "--quiet", "--bare", "--initial-branch=main", str(origin)],
        [*git, "init", "--quiet", "--initial-branch=main"],
        [*git, "config", "user.name", "tagship demo"],
        [*git, "config", "user.email", "demo@tagship.invalid"],
        [*git, "remote", "add", "origin", str(origin)],
        [*git, "add", "--all"],
    ]


def merge_feature(runner: Runner, work: Path, branch: str, subject: str) -> None:
    """Commit the work on `branch`, merge it into main as pull request #1 labelled
    release:minor, and push main and the tags."""
    git = ["git", "-C", str(work)]
    message = (
        f"Merge pull request #1 from demo/{branch}\n\n{subject}\n\nRelease-Label: release:minor"
    )
    run_all(
        runner,
        [
            [*git, "commit", "--quiet", "--all", "-m", subject],
            [*git, "switch", "--quiet", "main"],
            [*git, "merge", "--quiet", "--no-ff", branch, "-m", message],
            [*git, "push", "--quiet", "origin", "main", "--tags"],
        ],
    )


def run_all(runner: Runner, commands: list[list[str]]) -> None:
    for args in commands:
        done = runner(args)
        if not done.ok:
            raise ServiceError(f"setting up the sample repository failed: {done.tail(1)}")
