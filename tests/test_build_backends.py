"""`build_artifacts` on real sample projects of every supported build backend."""

from __future__ import annotations

import calendar
import zipfile
from typing import TYPE_CHECKING

import pytest
from packaging.version import Version

from conftest import git
from tagship.core.manifest import MANIFEST_NAME
from tagship.steps.build.artifacts import check_manifest, hash_file, load_manifest
from tagship.steps.verify.verify import verify_artifacts

if TYPE_CHECKING:
    from build_samples import Sample

pytest_plugins = ["build_samples"]
pytestmark = pytest.mark.integration

BACKENDS = ("hatchling", "setuptools", "flit_core", "pdm-backend", "hatch-vcs")
BACKEND_ENTRY = {
    "hatchling": "hatchling.build",
    "setuptools": "setuptools.build_meta",
    "flit_core": "flit_core.buildapi",
    "pdm-backend": "pdm.backend",
    "hatch-vcs": "hatchling.build",
}


@pytest.mark.parametrize("backend", BACKENDS)
def test_build_writes_a_manifest_of_verified_files(
    samples: dict[str, Sample], backend: str
) -> None:
    sample = samples[backend]
    manifest = sample.result.manifest
    assert load_manifest(sample.dist) == manifest
    assert manifest.version == sample.version
    assert manifest.tag == f"v{sample.version}"
    assert manifest.commit == git(sample.root, "rev-parse", "HEAD")
    assert manifest.source_date_epoch == int(git(sample.root, "log", "-1", "--format=%ct"))
    assert not manifest.dirty
    assert manifest.builder.startswith("uv ")
    assert manifest.builder.endswith(", reused build environment")  # no extra requirements
    assert manifest.build_backend == BACKEND_ENTRY[backend]
    assert manifest.backend_version.split()[0] == sample.generator
    assert sorted(f.kind for f in manifest.files) == ["sdist", "wheel"]
    on_disk = sorted(p.name for p in sample.dist.iterdir() if not p.name.startswith("."))
    assert on_disk == sorted([MANIFEST_NAME, *(f.name for f in manifest.files)])
    for entry in manifest.files:
        digest = hash_file(sample.dist / entry.name)
        assert (digest.size, digest.sha256, digest.blake2b_256) == (
            entry.size,
            entry.sha256,
            entry.blake2b_256,
        )
    check_manifest(sample.dist, manifest)
    assert sample.result.report.ok
    assert sample.result.reproducible is None


@pytest.mark.parametrize("backend", BACKENDS)
def test_built_files_pass_verification_again(samples: dict[str, Sample], backend: str) -> None:
    sample = samples[backend]
    report = verify_artifacts(sample.dist, sample.result.manifest.project, Version(sample.version))
    assert report.ok, report.problems
    assert {f.kind for f in report.files} == {"sdist", "wheel"}


def test_dynamic_version_comes_from_the_git_tag(samples: dict[str, Sample]) -> None:
    sample = samples["hatch-vcs"]
    assert git(sample.root, "describe", "--tags") == "v1.2.3"
    names = {f.name for f in sample.result.manifest.files}
    assert "sample_vcs-1.2.3.tar.gz" in names
    assert "sample_vcs-1.2.3-py3-none-any.whl" in names


@pytest.mark.parametrize("backend", ["hatchling", "flit_core"])
def test_wheel_timestamps_are_the_commit_time(samples: dict[str, Sample], backend: str) -> None:
    """SOURCE_DATE_EPOCH reaches the backend: wheel members carry HEAD's commit time."""
    sample = samples[backend]
    wheel = sample.dist / sample.result.manifest.wheels[0].name
    epoch = sample.result.manifest.source_date_epoch
    with zipfile.ZipFile(wheel) as archive:
        stamps = {calendar.timegm((*info.date_time, 0, 0, 0)) for info in archive.infolist()}
    assert all(abs(stamp - epoch) <= 2 for stamp in stamps), (stamps, epoch)  # 2 s resolution
