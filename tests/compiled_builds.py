"""The samples of compiled_samples.py built once per session (a pytest plugin:
`pytest_plugins`): each a git repository with a bare `origin`, built by `build_artifacts` with
the default builder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from buildkit import README_MD, init_repo, isolated
from compiled_samples import SPECS, Spec
from conftest import git
from tagship.steps.build import build_artifacts
from tagship.workspace import open_workspace

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.steps.build import BuildResult


@dataclass(frozen=True)
class Built:
    """A sample built once per session: its repository and the build's result."""

    spec: Spec
    root: Path
    result: BuildResult

    @property
    def wheel(self) -> Path:
        return self.result.directory / self.result.manifest.wheels[0].name


@pytest.fixture(scope="session")
def compiled_samples(
    tmp_path_factory: pytest.TempPathFactory, shared_cache: Path
) -> dict[str, Built]:
    """Every sample of compiled_samples.py built with tagship's default builder, once per
    test session."""
    base = tmp_path_factory.mktemp("compiled")
    built = {}
    with isolated(tmp_path_factory.mktemp("compiled-home"), shared_cache):
        for key, spec in SPECS.items():
            root = init_repo(base / key, {**spec.files, "README.md": README_MD})
            origin = base / f"{key}-origin.git"
            git(base, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
            git(root, "remote", "add", "origin", str(origin))
            git(root, "push", "--quiet", "origin", "main")
            workspace = open_workspace(root, env=dict(os.environ))
            built[key] = Built(spec, root, build_artifacts(workspace, root / "dist"))
    return built
