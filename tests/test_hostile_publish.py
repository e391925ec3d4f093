"""Hostile build directories for `tagship publish`: a manifest whose hashes match files that
verification refuses (members out of the archive, links and devices, another project's name
or version, decompression bombs), a manifest naming paths, and entries that are not regular
files. Each case runs the real CLI against a real pypiserver and asserts: the documented
exit code, one error line, no traceback, nothing on the index, no file changed."""

from __future__ import annotations

import gzip
import json
import os
import tarfile
from typing import TYPE_CHECKING, Any

import pytest

from hostile import assert_refused, snapshot
from hostile_dists import (
    BZIP2,
    INFO,
    SDIST,
    STEM,
    WHEEL,
    RawMember,
    deflated,
    gzip_bomb,
    metadata,
    record_line,
    regular,
    sdist_members,
    seal,
    special,
    stored,
    tar_bytes,
    wheel_members,
    write_sdist,
    write_wheel,
    write_zip,
    zeros_bomb,
)
from releases import pyproject
from servers import PypiServer, running_pypiserver
from tagship.core.manifest import MANIFEST_NAME

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from conftest import Cli, MakeRepo

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PypiServer]:
    with running_pypiserver(tmp_path_factory.mktemp("hostile-index")) as server:
        yield server


def _with_wheel(*extra: tuple[str, bytes], meta: bytes | None = None) -> Callable[[Path], None]:
    def build(dist: Path) -> None:
        write_wheel(dist, extra, meta=meta)
        write_sdist(dist)
        seal(dist)

    return build


def _with_raw_wheel(*members: RawMember) -> Callable[[Path], None]:
    """A good wheel's members (RECORD and all) plus `members` as stored."""

    def build(dist: Path) -> None:
        write_zip(dist / WHEEL, [*(deflated(n, d) for n, d in wheel_members()), *members])
        write_sdist(dist)
        seal(dist)

    return build


def _with_record(record: bytes) -> Callable[[Path], None]:
    def build(dist: Path) -> None:
        members = [(n, d) for n, d in wheel_members() if not n.endswith("/RECORD")]
        write_zip(dist / WHEEL, [deflated(n, d) for n, d in [*members, (f"{INFO}/RECORD", record)]])
        write_sdist(dist)
        seal(dist)

    return build


def _good_rows(size: str | None = None) -> str:
    """RECORD's rows for a good wheel; `size` instead of the first member's size."""
    rows = [record_line(n, d) for n, d in wheel_members()[:-1]]
    if size is not None:
        rows[0] = rows[0].rsplit(",", 1)[0] + f",{size}"
    return "".join(f"{row}\n" for row in [*rows, f"{INFO}/RECORD,,"])


def _corrupt_member(dist: Path) -> None:
    """The module's deflated bytes replaced by garbage (RECORD lists it, so it is read)."""
    members = [deflated(n, d) for n, d in wheel_members()]
    members[0] = RawMember(members[0].name, b"\xff" * 64, members[0].crc, members[0].size)
    write_zip(dist / WHEEL, members)
    write_sdist(dist)
    seal(dist)


def _huge_metadata(dist: Path) -> None:
    write_zip(dist / WHEEL, [stored(n, d) for n, d in wheel_members(meta=METADATA_17_MIB)])
    write_sdist(dist)
    seal(dist)


def _not_a_zip(dist: Path) -> None:
    write_sdist(dist)
    (dist / WHEEL).write_bytes(b"not a zip")
    seal(dist)


def _with_sdist(
    *extra: tuple[tarfile.TarInfo, bytes], meta: bytes | None = None
) -> Callable[[Path], None]:
    def build(dist: Path) -> None:
        write_wheel(dist)
        write_sdist(dist, extra, meta=meta)
        seal(dist)

    return build


def _with_sdist_bytes(data: bytes) -> Callable[[Path], None]:
    def build(dist: Path) -> None:
        write_wheel(dist)
        (dist / SDIST).write_bytes(data)
        seal(dist)

    return build


def _declared_3gib(dist: Path) -> None:
    """A tar.gz whose last header declares 3 GiB, followed by a few zeros: what is declared
    is refused before anything is read past it."""
    big = tarfile.TarInfo(f"{STEM}/huge.bin")
    big.size = 3 << 30
    body = tar_bytes(sdist_members()) + big.tobuf() + bytes(4096)
    write_wheel(dist)
    (dist / SDIST).write_bytes(gzip.compress(body))
    seal(dist)


def _gzip_ratio_bomb(dist: Path) -> None:
    write_wheel(dist)
    gzip_bomb(dist / SDIST, f"{STEM}/zeros.bin", 64)
    seal(dist)


def _pax_header_bomb(dist: Path) -> None:
    # a 2 MiB path that does not compress: within the ratio, above the header read limit
    name = os.urandom(1 << 20).hex()
    _with_sdist(regular(f"{STEM}/{name}", b""))(dist)


def _edit_manifest(change: Callable[[dict[str, Any]], object]) -> Callable[[Path], None]:
    """A sealed good build whose manifest JSON is then changed by hand."""

    def build(dist: Path) -> None:
        write_wheel(dist)
        write_sdist(dist)
        seal(dist)
        data = json.loads((dist / MANIFEST_NAME).read_text())
        change(data)
        (dist / MANIFEST_NAME).write_text(json.dumps(data))

    return build


def _sdist_entry(data: dict[str, Any]) -> dict[str, Any]:
    return next(f for f in data["files"] if f["kind"] == "sdist")


def _rename_entry(new: str) -> Callable[[Path], None]:
    return _edit_manifest(lambda data: _sdist_entry(data).update(name=new))


def _entry_outside(dist: Path) -> None:
    """`../outside/x.tar.gz`, with the hashes of the real file there."""
    _rename_entry("../outside/x.tar.gz")(dist)
    (dist.parent / "outside").mkdir()
    (dist / SDIST).rename(dist.parent / "outside" / "x.tar.gz")


def _sdist_entry_is(make: Callable[[Path], object]) -> Callable[[Path], None]:
    """The listed sdist replaced, after sealing, by what `make` puts at its path."""

    def build(dist: Path) -> None:
        write_wheel(dist)
        write_sdist(dist)
        seal(dist)
        (dist / SDIST).rename(dist.parent / "real.tar.gz")
        make(dist / SDIST)

    return build


def _manifest_is(make: Callable[[Path], object]) -> Callable[[Path], None]:
    def build(dist: Path) -> None:
        write_wheel(dist)
        write_sdist(dist)
        seal(dist)
        (dist / MANIFEST_NAME).rename(dist.parent / "real-manifest.json")
        make(dist / MANIFEST_NAME)

    return build


def _manifest_bytes(data: bytes) -> Callable[[Path], None]:
    return _manifest_is(lambda path: path.write_bytes(data))


def _other_project(dist: Path) -> None:
    """Another project's files with their own matching manifest."""
    other = "other_pkg-1.0.0"
    write_wheel(dist, meta=metadata("other-pkg"), name=f"{other}-py3-none-any.whl")
    write_sdist(dist, meta=metadata("other-pkg"), name=f"{other}.tar.gz")
    seal(dist, project="other-pkg")


def _other_files_under_our_name(dist: Path) -> None:
    other = "other_pkg-1.0.0"
    write_wheel(dist, meta=metadata("other-pkg"), name=f"{other}-py3-none-any.whl")
    write_sdist(dist)
    seal(dist)


def _other_version(dist: Path) -> None:
    write_wheel(dist, meta=metadata(version="6.6.6"), name="pub_pkg-6.6.6-py3-none-any.whl")
    write_sdist(dist, meta=metadata(version="6.6.6"), name="pub_pkg-6.6.6.tar.gz")
    seal(dist, version="6.6.6")


def _symlink_to(target: Path) -> Callable[[Path], object]:
    return lambda path: path.symlink_to(target)


SYM, LNK = tarfile.SYMTYPE, tarfile.LNKTYPE
METADATA_17_MIB = metadata() + b"x" * (17 << 20)

# id -> (what the build directory holds, exit code, what the error line says)
CASES: dict[str, tuple[Callable[[Path], None], int, str]] = {
    # wheels whose RECORD matches but whose content must not be published
    "wheel-parent-member": (_with_wheel(("../../evil.py", b"x")), 1, "unsafe member path"),
    "wheel-absolute-member": (_with_wheel(("/etc/evil.py", b"x")), 1, "unsafe member path"),
    "wheel-backslash-member": (_with_wheel(("..\\evil.py", b"x")), 1, "unsafe member path"),
    "wheel-drive-member": (_with_wheel(("C:/evil.py", b"x")), 1, "unsafe member path"),
    "wheel-duplicate-member": (
        _with_wheel(("pub_pkg/__init__.py", b"EVIL = 1\n")),
        1,
        "holds 'pub_pkg/__init__.py' more than once",
    ),
    "wheel-metadata-other-name": (
        _with_wheel(meta=metadata("other-pkg")),
        1,
        "METADATA names the project 'other-pkg', expected 'pub-pkg'",
    ),
    "wheel-metadata-other-version": (
        _with_wheel(meta=metadata(version="6.6.6")),
        1,
        "METADATA has version 6.6.6, expected 1.0.0",
    ),
    "wheel-second-dist-info": (
        _with_wheel(("other_pkg-6.6.6.dist-info/METADATA", metadata("other-pkg", "6.6.6"))),
        1,
        "holds a second metadata directory 'other_pkg-6.6.6.dist-info'",
    ),
    "wheel-record-size-not-ascii": (
        _with_record(_good_rows(size="\u00b2").encode()),
        1,
        "RECORD has a malformed size",
    ),
    "wheel-record-size-too-long": (
        _with_record(_good_rows(size="9" * 5000).encode()),
        1,
        "RECORD has a malformed size",
    ),
    "wheel-stray-tests": (_with_wheel(("tests/__init__.py", b"")), 1, "top-level 'tests'"),
    "wheel-record-mismatch": (
        _with_record(_good_rows().replace("sha256=", "sha256=AA", 1).encode()),
        1,
        "RECORD does not match pub_pkg/__init__.py",
    ),
    "wheel-member-not-in-record": (
        _with_raw_wheel(deflated("pub_pkg/hidden.py", b"EVIL = 1\n")),
        1,
        "pub_pkg/hidden.py is in the wheel but not in RECORD",
    ),
    "wheel-record-bad-size": (
        _with_record(_good_rows(size="eleven").encode()),
        1,
        "RECORD has a malformed size for pub_pkg/__init__.py ('eleven')",
    ),
    "wheel-record-not-utf8": (_with_record(b"\xff\xfe\xfa\n"), 1, "RECORD is not readable"),
    "wheel-record-huge-field": (
        _with_record(b"x" * 200_000 + b",,\n"),
        1,
        "RECORD is not readable CSV text",
    ),
    "wheel-record-more-rows-than-members": (
        _with_record((_good_rows() * 5).encode()),
        1,
        "RECORD has 20 rows for 4 members",
    ),
    "wheel-encrypted-member": (
        _with_raw_wheel(RawMember("pub_pkg/x.py", b"", 0, 0, flags=1)),
        1,
        "member 'pub_pkg/x.py' is encrypted",
    ),
    "wheel-bzip2-member": (
        _with_raw_wheel(RawMember("pub_pkg/x.py", b"", 0, 0, method=BZIP2)),
        1,
        "uses compression method 12",
    ),
    "wheel-declares-3-gib": (
        _with_raw_wheel(
            RawMember("pub_pkg/huge.bin", deflated("", bytes(1024)).payload, 0, 3 << 30)
        ),
        1,
        "member 'pub_pkg/huge.bin' declares 3.0 GiB uncompressed, more than 2.0 GiB",
    ),
    "wheel-ratio-bomb": (
        _with_raw_wheel(zeros_bomb("pub_pkg/zeros.bin", 64)),
        1,
        "member 'pub_pkg/zeros.bin' declares 64.0 MiB uncompressed from",
    ),
    "wheel-metadata-too-large": (_huge_metadata, 1, "METADATA is larger than 16.0 MiB"),
    "wheel-corrupt-deflate": (_corrupt_member, 1, "not a readable zip file"),
    "wheel-not-a-zip": (_not_a_zip, 1, "not a readable zip file"),
    # sdists
    "sdist-symlink-to-etc-passwd": (
        _with_sdist(special(f"{STEM}/passwd", SYM, "/etc/passwd")),
        1,
        "points outside the archive (/etc/passwd)",
    ),
    "sdist-symlink-up-and-out": (
        _with_sdist(special(f"{STEM}/passwd", SYM, "../../../etc/passwd")),
        1,
        "points outside the archive",
    ),
    "sdist-hardlink-to-etc-passwd": (
        _with_sdist(special(f"{STEM}/passwd", LNK, "/etc/passwd")),
        1,
        "points outside the archive (/etc/passwd)",
    ),
    "sdist-hardlink-beside-the-top-directory": (
        _with_sdist(special(f"{STEM}/x", LNK, "elsewhere/x")),
        1,
        "points outside the archive (elsewhere/x)",
    ),
    "sdist-character-device": (
        _with_sdist(special(f"{STEM}/tty", tarfile.CHRTYPE)),
        1,
        "is a device file or a FIFO",
    ),
    "sdist-block-device": (
        _with_sdist(special(f"{STEM}/sda", tarfile.BLKTYPE)),
        1,
        "is a device file or a FIFO",
    ),
    "sdist-fifo": (
        _with_sdist(special(f"{STEM}/pipe", tarfile.FIFOTYPE)),
        1,
        "is a device file or a FIFO",
    ),
    "sdist-absolute-member": (
        _with_sdist(regular("/etc/evil", b"")),
        1,
        "unsafe member path '/etc/evil'",
    ),
    "sdist-parent-member": (
        _with_sdist(regular(f"{STEM}/../../evil", b"")),
        1,
        "unsafe member path",
    ),
    "sdist-duplicate-member": (
        _with_sdist(regular(f"{STEM}/PKG-INFO", metadata("other-pkg"))),
        1,
        f"holds '{STEM}/PKG-INFO' more than once",
    ),
    "sdist-member-outside-the-top-directory": (
        _with_sdist(regular("other/x.py", b"")),
        1,
        "'other/x.py' is not under the top directory",
    ),
    "sdist-pkg-info-other-name": (
        _with_sdist(meta=metadata("other-pkg")),
        1,
        "PKG-INFO names the project 'other-pkg'",
    ),
    "sdist-pkg-info-other-version": (
        _with_sdist(meta=metadata(version="6.6.6")),
        1,
        "PKG-INFO has version 6.6.6, expected 1.0.0",
    ),
    "sdist-declares-3-gib": (_declared_3gib, 1, "declares 3.0 GiB, more than 2.0 GiB"),
    "sdist-gzip-ratio-bomb": (_gzip_ratio_bomb, 1, "it unpacks to more than"),
    "sdist-pax-header-bomb": (_pax_header_bomb, 1, "a member header declares"),
    "sdist-not-gzip": (_with_sdist_bytes(b"not gzip"), 1, "not a readable .tar.gz file"),
    "sdist-truncated": (
        _with_sdist_bytes(gzip.compress(b"\0" * 100)[:20]),
        1,
        "not a readable .tar.gz file",
    ),
    # someone else's release
    "another-project-with-its-manifest": (
        _other_project,
        1,
        "the manifest is for other-pkg 1.0.0, expected pub-pkg 1.0.0",
    ),
    "another-projects-wheel-under-our-manifest": (
        _other_files_under_our_name,
        1,
        "the file name names 'other_pkg', expected 'pub-pkg'",
    ),
    "another-version": (_other_version, 1, "the manifest is for pub-pkg 6.6.6"),
    # manifests naming what is not a bare file of the build directory
    "manifest-entry-outside-the-directory": (
        _entry_outside,
        4,
        "'../outside/x.tar.gz' is not a bare file name",
    ),
    "manifest-absolute-entry": (_rename_entry(f"/srv/dist/{SDIST}"), 4, "is not a bare file name"),
    "manifest-entry-with-nul": (_rename_entry(f"{SDIST}\0.tar.gz"), 4, "is not a bare file"),
    "manifest-entry-with-backslash": (
        _rename_entry(f"..\\{SDIST}"),
        4,
        "is not a bare file name",
    ),
    "manifest-entry-with-newline": (_rename_entry(f"x\n{SDIST}"), 4, "is not a bare file name"),
    "manifest-hidden-entry": (_rename_entry(f".{SDIST}"), 4, "is not a bare file name"),
    "manifest-entry-not-normalised": (
        _rename_entry("Pub-Pkg-1.0.0.tar.gz"),
        4,
        "in the file name is not normalised",
    ),
    "manifest-entry-of-the-wrong-kind": (
        _rename_entry(WHEEL),
        4,
        f"'{WHEEL}' is listed as kind 'sdist'",
    ),
    "manifest-entry-twice": (
        _edit_manifest(lambda data: data["files"].append(_sdist_entry(data))),
        4,
        "is listed more than once",
    ),
    "manifest-negative-size": (
        _edit_manifest(lambda data: _sdist_entry(data).update(size=-1)),
        4,
        "negative size -1",
    ),
    "manifest-nested-too-deep": (_manifest_bytes(b"[" * 100_000), 4, "is malformed"),
    "manifest-too-large": (_manifest_bytes(b" " * (5 << 20)), 4, "is larger than 4 MiB"),
    "manifest-not-utf8": (_manifest_bytes(b"\xff\xfe{}"), 4, "cannot read"),
    "manifest-is-a-symlink": (
        _manifest_is(lambda path: path.symlink_to(path.parent.parent / "real-manifest.json")),
        4,
        "is not a regular file",
    ),
    "manifest-is-a-fifo": (_manifest_is(os.mkfifo), 4, "is not a regular file"),
    # entries that are not regular files of the build directory
    "listed-file-is-a-symlink-out": (
        _sdist_entry_is(lambda path: path.symlink_to(path.parent.parent / "real.tar.gz")),
        4,
        "is not a regular file",
    ),
    "listed-file-is-a-fifo": (_sdist_entry_is(os.mkfifo), 4, "is not a regular file"),
    "listed-file-is-a-directory": (_sdist_entry_is(os.mkdir), 4, "is not a regular file"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_build_directory_uploads_nothing(
    case: str, index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    build, code, says = CASES[case]
    repo = make_repo(
        {"pyproject.toml": pyproject("pub-pkg", "1.0.0", index.upload_url, index.simple_url)}
    )
    build(repo.path / "dist")
    before = snapshot(repo.path)
    result = cli("-C", str(repo.path), "publish", "--to", "local")
    error = assert_refused(result, code)
    assert says in error
    assert list(index.directory.iterdir()) == []
    assert snapshot(repo.path) == before
