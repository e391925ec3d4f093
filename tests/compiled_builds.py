"""The samples of compiled_samples.py built once per session (a pytest plugin:
`pytest_plugins`): each a git repository with a bare `origin`, built by `build_artifacts` with
the default builder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from buildkit import README_MD, init_repo, isolated, rust_tools
from compiled_samples import SPECS, Spec
from conftest import git
from tagship.steps.build.build import build_artifacts
from tagship.workspace import open_workspace

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.steps.build.build import BuildResult


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
    test session (but one needing a program this machine lacks)."""
    base = tmp_path_factory.mktemp("compiled")
    built = {}
    rust = rust_tools()
    with (
        isolated(tmp_path_factory.mktemp("compiled-home"), shared_cache),
        pytest.MonkeyPatch.context() as patch,
    ):
        if rust is not None:  # cargo on PATH, rustup finding its toolchains, offline
            patch.setenv("PATH", f"{os.environ['PATH']}:{rust[0]}")
            for name, value in rust[1].items():
                patch.setenv(name, value)
        for key, spec in SPECS.items():
            if spec.needs == "cargo" and rust is None:
                continue  # its tests skip, naming what is missing
            root = init_repo(base / key, {**spec.files, "README.md": README_MD})
            origin = base / f"{key}-origin.git"
            git(base, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
            git(root, "remote", "add", "origin", str(origin))
            git(root, "push", "--quiet", "origin", "main")
            workspace = open_workspace(root, env=dict(os.environ))
            built[key] = Built(spec, root, build_artifacts(workspace, root / "dist"))
    return built
