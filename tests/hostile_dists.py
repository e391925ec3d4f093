"""Hand-made hostile distributions for the publish tests: zips written byte by byte (so a
member can repeat, declare any size or use any method), tars with links and devices, and
decompression bombs built in milliseconds. `seal` writes a manifest whose hashes match, as
an attacker who controls the build directory would."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import stat
import struct
import tarfile
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import releases

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from tagship.core.manifest import Manifest

NAME, VERSION = "pub-pkg", "1.0.0"
STEM = "pub_pkg-1.0.0"
WHEEL = f"{STEM}-py3-none-any.whl"
SDIST = f"{STEM}.tar.gz"
INFO = f"{STEM}.dist-info"
DEFLATED, STORED, BZIP2 = 8, 0, 12
_DOS_DATE = ((2020 - 1980) << 9) | (1 << 5) | 1  # 2020-01-01
_UTF8 = 0x800
_MADE_ON_UNIX = (3 << 8) | 20  # "version made by": Unix, so unpackers honour the mode's type


def metadata(name: str = NAME, version: str = VERSION) -> bytes:
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: s\n\nHi.\n".encode()


@dataclass(frozen=True)
class RawMember:
    """A zip member as stored: `payload` already compressed with `method`."""

    name: str
    payload: bytes
    crc: int
    size: int
    method: int = DEFLATED
    flags: int = 0
    mode: int = 0o644  # the Unix mode: its file type bits make a link, a FIFO, a device


def deflated(name: str, data: bytes) -> RawMember:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    # a name beyond ASCII is flagged UTF-8 (bit 11), as zipfile and installers read it
    flags = 0 if name.isascii() else _UTF8
    payload = packer.compress(data) + packer.flush()
    return RawMember(name, payload, zlib.crc32(data), len(data), flags=flags)


def stored(name: str, data: bytes) -> RawMember:
    return RawMember(name, data, zlib.crc32(data), len(data), method=STORED)


def zeros_bomb(name: str, mib: int) -> RawMember:
    """`mib` MiB of zeros, deflated to about a thousandth: one fully flushed block of 1 MiB
    repeated (each flush resets the compressor, so every block is the same bytes)."""
    packer, block = zlib.compressobj(9, zlib.DEFLATED, -15), bytes(1 << 20)
    piece = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(block, crc)
    return RawMember(name, piece * mib + packer.flush(), crc, mib << 20)


def write_zip(path: Path, members: Sequence[RawMember]) -> Path:
    """A zip holding exactly `members`, in order, duplicates and all (zipfile would warn)."""
    local, central = io.BytesIO(), io.BytesIO()
    for m in members:
        name = m.name.encode()
        fields = (20, m.flags, m.method, 0, _DOS_DATE, m.crc, len(m.payload), m.size, len(name))
        offset = local.tell()
        local.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + name + m.payload)
        made_by = _MADE_ON_UNIX if stat.S_IFMT(m.mode) else 20
        central.write(
            struct.pack("<IH", 0x02014B50, made_by)
            + struct.pack("<HHHHHIIIHHHHHII", *fields, 0, 0, 0, 0, m.mode << 16, offset)
            + name
        )
    count, size, start = len(members), central.tell(), local.tell()
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, size, start, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(local.getvalue() + central.getvalue() + end)
    return path


def record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def wheel_members(
    extra: Sequence[tuple[str, bytes]] = (), *, meta: bytes | None = None
) -> list[tuple[str, bytes]]:
    """A good wheel's members plus `extra`, with a RECORD that lists and hashes them all."""
    members = [
        ("pub_pkg/__init__.py", b"VERSION = '1.0.0'\n"),
        (f"{INFO}/METADATA", meta if meta is not None else metadata()),
        (f"{INFO}/WHEEL", b"Wheel-Version: 1.0\nGenerator: tests\nTag: py3-none-any\n"),
        *extra,
    ]
    rows = [record_line(n, d) for n, d in members] + [f"{INFO}/RECORD,,"]
    return [*members, (f"{INFO}/RECORD", ("\n".join(rows) + "\n").encode())]


def write_wheel(
    directory: Path,
    extra: Sequence[tuple[str, bytes]] = (),
    *,
    meta: bytes | None = None,
    name: str = WHEEL,
    modes: Mapping[str, int] | None = None,
) -> Path:
    """A wheel of `wheel_members`; `modes` gives members a Unix mode (a link, a device)."""
    members = [
        dataclasses.replace(deflated(n, d), mode=(modes or {}).get(n, 0o644))
        for n, d in wheel_members(extra, meta=meta)
    ]
    return write_zip(directory / name, members)


def tar_bytes(members: Sequence[tuple[tarfile.TarInfo, bytes]]) -> bytes:
    """The uncompressed tar of `members`, with no end-of-archive blocks (a test appends)."""
    return b"".join(
        info.tobuf(tarfile.PAX_FORMAT) + data + bytes(-len(data) % tarfile.BLOCKSIZE)
        for info, data in members
    )


def regular(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), 1_700_000_000, 0o644
    return info, data


def special(name: str, kind: bytes, link: str = "") -> tuple[tarfile.TarInfo, bytes]:
    """A member that is not a regular file: a link, a device or a FIFO."""
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mtime = kind, link, 1_700_000_000
    return info, b""


def sdist_members(
    extra: Sequence[tuple[tarfile.TarInfo, bytes]] = (), *, meta: bytes | None = None
) -> list[tuple[tarfile.TarInfo, bytes]]:
    return [
        regular(f"{STEM}/PKG-INFO", meta if meta is not None else metadata()),
        regular(f"{STEM}/pyproject.toml", b'[project]\nname = "pub-pkg"\nversion = "1.0.0"\n'),
        *extra,
    ]


def write_sdist(
    directory: Path,
    extra: Sequence[tuple[tarfile.TarInfo, bytes]] = (),
    *,
    meta: bytes | None = None,
    name: str = SDIST,
) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for info, data in sdist_members(extra, meta=meta):
            tar.addfile(info, io.BytesIO(data) if info.isfile() else None)
    return path


def gzip_bomb(path: Path, member: str, mib: int) -> Path:
    """A .tar.gz whose one member is `mib` MiB of zeros, at about a thousandth of that."""
    header = tarfile.TarInfo(member)
    header.size, header.mtime = mib << 20, 1_700_000_000
    head = header.tobuf(tarfile.PAX_FORMAT)
    packer, block = zlib.compressobj(9, zlib.DEFLATED, -15), bytes(1 << 20)
    piece = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    body = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(head)
    for _ in range(mib):
        crc = zlib.crc32(block, crc)
    end = packer.flush()
    size = len(head) + (mib << 20)
    with path.open("wb") as out:
        out.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + body)
        for _ in range(mib):
            out.write(piece)
        out.write(end + struct.pack("<II", crc, size & 0xFFFFFFFF))
    return path


def seal(directory: Path, project: str = NAME, version: str = VERSION) -> Manifest:
    """The manifest of whatever `directory` holds: every hash matches."""
    return releases.seal(directory, project, version)
