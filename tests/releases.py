"""A project in a real git repo with built files and a manifest, ready to publish."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from servers import make_sdist, make_wheel
from tagship.core.manifest import Manifest
from tagship.steps.build.artifacts import dist_files, manifest_entry, write_manifest

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import MakeRepo, Repo


def pyproject(name: str, version: str, upload_url: str, simple_url: str, extra: str = "") -> str:
    return (
        f'[project]\nname = "{name}"\nversion = "{version}"\n\n'
        f"[tool.tagship]\n{extra}\n"
        f'[tool.tagship.indexes.local]\nupload-url = "{upload_url}"\nsimple-url = "{simple_url}"\n'
    )


def seal(directory: Path, project: str, version: str) -> Manifest:
    """The manifest of whatever `directory` holds, written there: every hash matches."""
    manifest = Manifest(
        project=project,
        version=version,
        tag=f"v{version}",
        commit="0" * 40,
        dirty=False,
        source_date_epoch=1_700_000_000,
        builder="tests",
        build_backend="tests",
        backend_version="tests",
        files=tuple(manifest_entry(d) for d in dist_files(directory)),
    )
    write_manifest(directory, manifest)
    return manifest


def write_release(directory: Path, name: str, version: str, payload: str = "") -> Manifest:
    """A wheel and an sdist of `name` `version` in `directory`, with their manifest."""
    make_wheel(directory, name, version, payload)
    make_sdist(directory, name, version, payload)
    return seal(directory, name, version)


@dataclass(frozen=True)
class Release:
    repo: Repo
    manifest: Manifest

    @property
    def dist(self) -> Path:
        return self.repo.path / "dist"


def make_release(
    make_repo: MakeRepo,
    upload_url: str,
    simple_url: str,
    *,
    name: str = "pub-pkg",
    version: str = "1.0.0",
    extra: str = "",
) -> Release:
    repo = make_repo({"pyproject.toml": pyproject(name, version, upload_url, simple_url, extra)})
    return Release(repo, write_release(repo.path / "dist", name, version))
