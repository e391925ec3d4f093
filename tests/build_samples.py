"""The sample projects built once per test session (a pytest plugin: `pytest_plugins`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from buildkit import SAMPLES, init_repo, isolated
from tagship.steps.build.build import BuildResult, build_artifacts
from tagship.workspace import open_workspace

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True)
class Sample:
    """A sample project built once per session."""

    backend: str
    root: Path
    result: BuildResult
    version: str
    generator: str

    @property
    def dist(self) -> Path:
        return self.result.directory


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> dict[str, Sample]:
    """Every sample project built with tagship (uv frontend), once per test session."""
    base = tmp_path_factory.mktemp("samples")
    built = {}
    with isolated(tmp_path_factory.mktemp("samples-home"), shared_cache):
        for backend, (files, version, generator) in SAMPLES.items():
            tag = None if version == "0.1.0" else f"v{version}"
            root = init_repo(base / backend, files, tag)
            workspace = open_workspace(root, env=dict(os.environ))
            result = build_artifacts(workspace, root / "dist")
            built[backend] = Sample(backend, root, result, version, generator)
    return built
