"""`tagship verify-artifacts` and `verify_artifacts` on real built files, then tampered ones."""

from __future__ import annotations

import io
import shutil
import tarfile
import zipfile
from typing import TYPE_CHECKING

import pytest
from packaging.version import Version

from buildkit import rewrite_wheel, write_sdist
from hostile_dists import RawMember, deflated, write_zip
from tagship.core.manifest import MANIFEST_NAME
from tagship.steps.verify.verify import verify_artifacts

if TYPE_CHECKING:
    from pathlib import Path

    from build_samples import Sample
    from conftest import Cli

pytest_plugins = ["build_samples"]
pytestmark = pytest.mark.integration

NAME, VERSION = "sample-hatch", Version("0.1.0")
WHEEL = "sample_hatch-0.1.0-py3-none-any.whl"
SDIST = "sample_hatch-0.1.0.tar.gz"


@pytest.fixture
def project(samples: dict[str, Sample], tmp_path: Path) -> Path:
    """A private copy of the built hatchling sample (work tree, dist/ and manifest)."""
    return shutil.copytree(samples["hatchling"].root, tmp_path / "project", symlinks=True)


def _problems(dist: Path, **kwargs: tuple[str, ...]) -> list[str]:
    return [str(p) for p in verify_artifacts(dist, NAME, VERSION, **kwargs).problems]


def test_verify_artifacts_passes_on_a_fresh_build(project: Path, cli: Cli) -> None:
    result = cli("-C", str(project), "verify-artifacts")
    assert result.code == 0, result.err
    assert f"ok\twheel\t{WHEEL}" in result.out
    assert f"ok\tsdist\t{SDIST}" in result.out
    assert "manifest\tmatches" in result.out


def test_a_file_changed_after_the_manifest_is_an_integrity_failure(project: Path, cli: Cli) -> None:
    with (project / "dist" / SDIST).open("ab") as handle:
        handle.write(b"\0")
    result = cli("-C", str(project), "verify-artifacts")
    assert result.code == 4
    assert f"{SDIST} no longer matches the manifest" in result.err


def test_a_file_the_manifest_does_not_list_is_an_integrity_failure(project: Path, cli: Cli) -> None:
    shutil.copy(project / "dist" / WHEEL, project / "dist" / "sample_hatch-0.1.0-py2-none-any.whl")
    result = cli("-C", str(project), "verify-artifacts")
    assert result.code == 4
    assert "which the manifest does not list" in result.err


def test_a_malformed_manifest_is_an_integrity_failure(project: Path, cli: Cli) -> None:
    (project / "dist" / MANIFEST_NAME).write_text('{"format": 1, "files": "nope"}')
    result = cli("-C", str(project), "verify-artifacts")
    assert result.code == 4
    assert "is malformed" in result.err


def test_a_wheel_edited_after_the_build_fails_its_record(project: Path, cli: Cli) -> None:
    dist = project / "dist"
    rewrite_wheel(
        dist / WHEEL, lambda name, data: data + b"x = 1\n" if name.endswith(".py") else data
    )
    assert cli("-C", str(project), "verify-artifacts").code == 4  # the manifest catches it first
    (dist / MANIFEST_NAME).unlink()
    result = cli("-C", str(project), "verify-artifacts")
    assert result.code == 1
    assert "RECORD does not match sample_hatch/__init__.py" in result.err
    assert "manifest" not in result.out


def test_record_must_list_every_member(project: Path) -> None:
    dist = project / "dist"
    rewrite_wheel(dist / WHEEL, lambda _, data: data, add={"sample_hatch/extra.py": b"x = 1\n"})
    assert f"{WHEEL}: sample_hatch/extra.py is in the wheel but not in RECORD" in _problems(dist)


def test_metadata_name_that_differs_from_the_file_name(project: Path, cli: Cli) -> None:
    dist = project / "dist"
    rewrite_wheel(
        dist / WHEEL,
        lambda name, data: (
            data.replace(b"Name: sample-hatch", b"Name: other-pkg")
            if name.endswith("METADATA")
            else data
        ),
        fix_record=True,
    )
    (dist / MANIFEST_NAME).unlink()
    result = cli("-C", str(project), "verify-artifacts")
    assert result.code == 1
    assert "METADATA names the project 'other-pkg', expected 'sample-hatch'" in result.err
    assert _problems(dist) == [
        f"{WHEEL}: METADATA names the project 'other-pkg', expected 'sample-hatch'"
    ]


def test_the_tag_of_a_ci_run_is_the_expected_version(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_REF_TYPE", "tag")
    monkeypatch.setenv("GITHUB_REF_NAME", "v0.2.0")
    result = cli("-C", str(project), "verify-artifacts")
    assert result.code == 1
    assert "manifest is for sample-hatch 0.1.0, expected sample-hatch 0.2.0" in result.err
    (project / "dist" / MANIFEST_NAME).unlink()
    result = cli("-C", str(project), "verify-artifacts")
    assert result.code == 1
    assert f"{SDIST}: the file name has version 0.1.0, expected 0.2.0" in result.err
    assert "PKG-INFO has version 0.1.0, expected 0.2.0" in result.err


def test_empty_and_missing_directories(project: Path, tmp_path: Path, cli: Cli) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / ".gitignore").write_text("*\n")
    result = cli("-C", str(project), "verify-artifacts", "--dir", str(empty))
    assert result.code == 1
    assert "holds no distribution files" in result.err
    result = cli("-C", str(project), "verify-artifacts", "--dir", str(tmp_path / "absent"))
    assert result.code == 1
    assert "does not exist" in result.err


def test_one_sdist_and_a_wheel_are_required(project: Path) -> None:
    dist = project / "dist"
    (dist / MANIFEST_NAME).unlink()
    (dist / WHEEL).unlink()
    (dist / "notes.txt").write_text("x")
    assert _problems(dist) == [
        f"{dist}: expected at least one wheel, found none",
        "notes.txt: is neither a wheel nor a .tar.gz sdist",
    ]


def test_stray_top_level_tests_package(project: Path) -> None:
    dist = project / "dist"
    rewrite_wheel(dist / WHEEL, lambda _, d: d, add={"tests/__init__.py": b""}, fix_record=True)
    found = _problems(dist)
    assert len(found) == 1
    assert "installs a top-level 'tests' package" in found[0]
    assert _problems(dist, allow_top_level=("tests",)) == []


def test_unsafe_member_paths(project: Path) -> None:
    dist = project / "dist"
    rewrite_wheel(dist / WHEEL, lambda _, d: d, add={"../escape.py": b""}, fix_record=True)
    assert f"{WHEEL}: unsafe member path '../escape.py'" in _problems(dist)


def test_non_normalised_file_name(project: Path) -> None:
    dist = project / "dist"
    (dist / WHEEL).rename(dist / "Sample_Hatch-0.1.0-py3-none-any.whl")
    found = _problems(dist)
    expected = "the name 'Sample_Hatch' in the file name is not normalised"
    assert f"Sample_Hatch-0.1.0-py3-none-any.whl: {expected}" in found


def test_sdist_needs_pyproject_and_pkg_info(project: Path) -> None:
    dist = project / "dist"
    write_sdist(dist / SDIST, {"sample_hatch-0.1.0/README.md": b"# x\n"})
    assert _problems(dist) == [
        f"{SDIST}: does not contain sample_hatch-0.1.0/pyproject.toml",
        f"{SDIST}: does not contain sample_hatch-0.1.0/PKG-INFO",
    ]


def test_sdist_members_outside_its_directory(project: Path) -> None:
    dist = project / "dist"
    pkg_info = b"Metadata-Version: 2.1\nName: sample-hatch\nVersion: 0.1.0\nSummary: s\n\nHi\n"
    write_sdist(
        dist / SDIST,
        {
            "sample_hatch-0.1.0/pyproject.toml": b"",
            "sample_hatch-0.1.0/PKG-INFO": pkg_info,
            "/etc/evil": b"",
        },
    )
    assert _problems(dist) == [
        f"{SDIST}: unsafe member path '/etc/evil'",
        f"{SDIST}: '/etc/evil' is not under the top directory sample_hatch-0.1.0/",
    ]


def test_not_an_archive(project: Path) -> None:
    dist = project / "dist"
    (dist / SDIST).write_bytes(b"not gzip")
    (dist / WHEEL).write_bytes(b"not zip")
    found = _problems(dist)
    assert any(p.startswith(f"{WHEEL}: not a readable zip file") for p in found)
    assert any(p.startswith(f"{SDIST}: not a readable .tar.gz file") for p in found)


def test_a_wheel_without_a_wheel_file(project: Path, cli: Cli) -> None:
    dist = project / "dist"
    rewrite_wheel(
        dist / WHEEL, lambda name, d: None if name.endswith("/WHEEL") else d, fix_record=True
    )
    (dist / MANIFEST_NAME).unlink()
    assert _problems(dist) == [f"{WHEEL}: has no sample_hatch-0.1.0.dist-info/WHEEL"]
    result = cli("-C", str(project), "verify-artifacts")
    assert result.code == 1
    assert "has no sample_hatch-0.1.0.dist-info/WHEEL" in result.err


def test_wheel_file_tags_and_version_must_agree_with_the_file_name(project: Path) -> None:
    dist = project / "dist"
    (dist / MANIFEST_NAME).unlink()
    py2 = dist / "sample_hatch-0.1.0-py2-none-any.whl"
    (dist / WHEEL).rename(py2)
    info = "sample_hatch-0.1.0.dist-info/WHEEL"
    assert _problems(dist) == [
        f"{py2.name}: {info} has Tag py3-none-any, but the file name says py2-none-any"
    ]
    rewrite_wheel(
        py2,
        lambda name, d: (
            d.replace(b"Wheel-Version: 1.0", b"Wheel-Version: 2.0").replace(
                b"Tag: py3-none-any", b"Tag: py2-none-any"
            )
            if name.endswith("/WHEEL")
            else d
        ),
        fix_record=True,
    )
    assert _problems(dist) == [f"{py2.name}: {info} has Wheel-Version 2.0, expected 1.x"]


def _add_raw_members(wheel: Path, *extra: RawMember) -> None:
    with zipfile.ZipFile(wheel) as archive:
        members = [deflated(info.filename, archive.read(info)) for info in archive.infolist()]
    write_zip(wheel, [*members, *extra])


def test_declared_sizes_and_repeated_members_are_refused(project: Path, cli: Cli) -> None:
    dist = project / "dist"
    (dist / MANIFEST_NAME).unlink()
    repeated = deflated("sample_hatch/__init__.py", b"EVIL = 1\n")
    _add_raw_members(dist / WHEEL, repeated)
    assert f"{WHEEL}: holds 'sample_hatch/__init__.py' more than once" in _problems(dist)
    huge = RawMember("sample_hatch/huge.bin", deflated("", b"").payload, 0, 3 << 30)
    _add_raw_members(dist / WHEEL, huge)
    result = cli("-C", str(project), "verify-artifacts")
    assert result.code == 1
    assert "'sample_hatch/huge.bin' declares 3.0 GiB uncompressed, more than 2.0 GiB" in result.err


def test_sdist_links_inside_pass_and_devices_do_not(project: Path) -> None:
    dist = project / "dist"
    (dist / MANIFEST_NAME).unlink()
    stem = SDIST[: -len(".tar.gz")]
    with tarfile.open(dist / SDIST) as tar:
        members = [(m, tar.extractfile(m)) for m in tar.getmembers()]
        kept = [(m, f.read() if f else b"") for m, f in members]
    inside = tarfile.TarInfo(f"{stem}/README-link")
    inside.type, inside.linkname = tarfile.SYMTYPE, "README.md"
    device = tarfile.TarInfo(f"{stem}/null")
    device.type = tarfile.CHRTYPE
    with tarfile.open(dist / SDIST, "w:gz") as tar:
        for info, data in [*kept, (inside, b""), (device, b"")]:
            tar.addfile(info, io.BytesIO(data) if info.isfile() else None)
    assert _problems(dist) == [f"{SDIST}: '{stem}/null' is a device file or a FIFO"]


def test_a_version_literal_that_disagrees_with_the_wheel(project: Path) -> None:
    """A `__version__` duplicate a bump left behind ships a wrong version: flagged."""
    dist = project / "dist"
    rewrite_wheel(
        dist / WHEEL,
        lambda _, data: data,
        add={"sample_hatch/_version.py": b'__version__ = "0.0.9"\n'},
        fix_record=True,
    )
    assert f"{WHEEL}: sample_hatch/_version.py says __version__ = '0.0.9', but the wheel is " in (
        " ".join(_problems(dist))
    )
