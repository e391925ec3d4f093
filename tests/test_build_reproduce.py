"""The reproducibility comparison names the file, the member and what differs."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from typing import TYPE_CHECKING

import pytest

from buildkit import write_sdist
from tagship.core.errors import GateError
from tagship.steps.build.reproduce import check_reproducible, compare_builds, known_unreproducible

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

SDIST = "pkg-1.0.tar.gz"
WHEEL = "pkg-1.0-py3-none-any.whl"
MEMBERS = {"pkg-1.0/PKG-INFO": b"Name: pkg\n", "pkg-1.0/pyproject.toml": b"[project]\n"}


def _wheel(path: Path, *, mode: int = 0o644, stamp: int = 1980, body: bytes = b"x = 1\n") -> None:
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("pkg/__init__.py", (stamp, 1, 1, 0, 0, 0))
        info.external_attr = mode << 16
        archive.writestr(info, body)


def _dirs(tmp_path: Path) -> tuple[Path, Path]:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    return first, second


def _gzip_tar(path: Path, members: dict[str, bytes], header_time: int) -> None:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
    with path.open("wb") as out, gzip.GzipFile(fileobj=out, mode="wb", mtime=header_time) as gz:
        gz.write(raw.getvalue())


def test_identical_builds_have_no_difference(tmp_path: Path) -> None:
    first, second = _dirs(tmp_path)
    for where in (first, second):
        _gzip_tar(where / SDIST, MEMBERS, 0)
        _wheel(where / WHEEL)
    assert compare_builds(first, second, [SDIST, WHEEL]) == []


@pytest.mark.parametrize(
    ("second_build", "expected"),
    [
        (lambda p: write_sdist(p, MEMBERS, mtime=1_700_000_009), "member pkg-1.0/PKG-INFO: mtime"),
        (
            lambda p: write_sdist(p, {**MEMBERS, "pkg-1.0/PKG-INFO": b"Name: other\n"}),
            "member pkg-1.0/PKG-INFO: content",
        ),
        (
            lambda p: write_sdist(p, {**MEMBERS, "pkg-1.0/extra": b""}),
            "member pkg-1.0/extra: only in the second build",
        ),
    ],
)
def test_tar_member_differences(
    tmp_path: Path, second_build: Callable[[Path], None], expected: str
) -> None:
    first, second = _dirs(tmp_path)
    write_sdist(first / SDIST, MEMBERS)
    second_build(second / SDIST)
    (found,) = compare_builds(first, second, [SDIST])
    assert str(found).startswith(f"{SDIST} {expected}")


def test_gzip_header_time_alone(tmp_path: Path) -> None:
    first, second = _dirs(tmp_path)
    _gzip_tar(first / SDIST, MEMBERS, 1_700_000_000)
    _gzip_tar(second / SDIST, MEMBERS, 1_700_000_001)
    (found,) = compare_builds(first, second, [SDIST])
    assert str(found) == f"{SDIST}: gzip header mtime 1700000000 != 1700000001"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"mode": 0o755}, "mode 0o644 != 0o755"),
        ({"stamp": 2020}, "mtime (1980, 1, 1, 0, 0, 0) != (2020, 1, 1, 0, 0, 0)"),
        ({"body": b"x = 2\n"}, "content"),
    ],
)
def test_zip_member_differences(tmp_path: Path, kwargs: dict[str, int], expected: str) -> None:
    first, second = _dirs(tmp_path)
    _wheel(first / WHEEL)
    _wheel(second / WHEEL, **kwargs)  # type: ignore[arg-type]
    assert [str(d) for d in compare_builds(first, second, [WHEEL])] == [
        f"{WHEEL} member pkg/__init__.py: {expected}"
    ]


def test_a_known_irreproducible_backend_is_named(tmp_path: Path) -> None:
    first = tmp_path / "first"
    first.mkdir()
    _gzip_tar(first / SDIST, MEMBERS, 1)

    def build_again(into: Path) -> None:
        _gzip_tar(into / SDIST, MEMBERS, 2)

    with pytest.raises(GateError) as caught:
        check_reproducible(first, [SDIST], build_again, "setuptools.build_meta")
    message = caught.value.message
    assert message.startswith(f"the build is not reproducible: {SDIST}: gzip header mtime 1 != 2")
    assert "the setuptools.build_meta backend cannot build it reproducibly" in message
    with pytest.raises(GateError) as caught:
        check_reproducible(first, [SDIST], build_again, "hatchling.build")
    assert "backend" not in caught.value.message


def test_known_unreproducible_backends() -> None:
    assert known_unreproducible("pdm.backend", SDIST) is not None
    assert known_unreproducible("setuptools.build_meta:__legacy__", SDIST) is not None
    assert known_unreproducible("setuptools.build_meta", WHEEL) is None
    assert known_unreproducible("hatchling.build", SDIST) is None
    assert known_unreproducible("setuptools_scm_lookalike", SDIST) is None
