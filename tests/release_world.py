"""A sample project with two real local indexes, the test index and production, and the
maintainer's steps before a release."""

from __future__ import annotations

import hashlib
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from conftest import git
from tagship.adapters.local_index import LocalIndex, running_index
from tagship.adapters.process import run
from tagship.flows.sample import SampleIndex, SampleRepo, create_sample
from tagship.flows.stand_ins import ci_identity

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    import pytest

    from conftest import Cli, CliResult

PASS = f"{sys.executable} -c pass"
FAST_CHECKS = dict.fromkeys(
    ("lint", "typecheck", "tests", "package-build", "docs-validation", "build-validation"), PASS
)


@dataclass(frozen=True)
class World:
    sample: SampleRepo
    test_index: LocalIndex
    prod_index: LocalIndex

    @property
    def path(self) -> str:
        return str(self.sample.work)


@contextmanager
def release_world(base: Path, backend: str = "hatchling") -> Iterator[World]:
    """The sample (built by `backend`) publishing to two running pypiservers."""
    with (
        running_index(base / "test-index") as test,
        running_index(base / "prod-index") as prod,
    ):
        indexes = [
            SampleIndex("testpypi", test.upload_url, test.simple_url),
            SampleIndex("pypi", prod.upload_url, prod.simple_url),
        ]
        sample = create_sample(
            base / "sample", indexes=indexes, checks=FAST_CHECKS, runner=run, backend=backend
        )
        git(sample.work, "config", "user.name", "Test Maintainer")
        yield World(sample, test, prod)


def files_on(index: LocalIndex) -> dict[str, str]:
    """Each file the index holds, and its SHA-256."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in index.directory.iterdir()
        if p.is_file()
    }


def bump(world: World, cli: Cli) -> None:
    assert cli("-C", world.path, "bump", "minor", "--commit").code == 0
    git(world.sample.work, "push", "--quiet", "origin", "main")


def ok(result: CliResult) -> CliResult:
    assert result.code == 0, result.out + result.err
    return result


def as_ci(world: World, monkeypatch: pytest.MonkeyPatch, tag: str) -> None:
    """The environment of publish-pypi.yml's jobs on `tag`."""
    sha = git(world.sample.work, "rev-parse", "HEAD")
    for key, value in ci_identity({}, tag, sha).items():
        monkeypatch.setenv(key, value)


def tagged_in_ci(world: World, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """0.2.0 bumped, dry-run and tagged as a maintainer would; then the tag's CI job."""
    bump(world, cli)
    ok(cli("-C", world.path, "dry-run", "--checks", "local"))
    ok(cli("-C", world.path, "tag", "--checks", "local"))
    as_ci(world, monkeypatch, "v0.2.0")
