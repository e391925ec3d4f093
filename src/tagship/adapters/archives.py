"""Opening built distributions: a wheel is a zip file, an sdist a gzipped tar file.

Whatever goes wrong while one is read (a corrupt or truncated archive, a file that cannot be
read) is an UnreadableArchiveError, which names the file and says why. Both are checked
against what their members declare before anything is decompressed, so a decompression bomb
is refused rather than unpacked: at most MAX_MEMBERS members, none above MAX_MEMBER_SIZE, no
member above RATIO_FLOOR compressed more than MAX_RATIO times, and no more than MAX_RATIO
times the archive's size in all. Real wheels and sdists compress 2 to 20 times.
"""

from __future__ import annotations

import gzip
import os
import tarfile
import zipfile
import zlib
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING

from tagship.core.errors import IntegrityError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

MAX_MEMBERS = 100_000
MAX_MEMBER_SIZE = 2 << 30
MAX_RATIO = 200
RATIO_FLOOR = 1 << 20
MAX_TEXT = 16 << 20  # METADATA, WHEEL, PKG-INFO: read whole, so bounded on their own
_HEADER_READ = 1 << 20  # a tar header (pax, GNU long name) is read whole by tarfile
# bzip2 and LZMA decompress a whole input chunk at once, unbounded: wheels use neither
_ZIP_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})


class UnreadableArchiveError(IntegrityError):
    """A wheel or sdist that cannot be read or unpacked. `reason` says why without naming
    the file (a verification problem names it); `cause` is the archive module's own words."""

    def __init__(
        self, path: Path, kind: str, cause: BaseException, *, reason: str | None = None
    ) -> None:
        self.reason = reason or f"not a readable {kind}: {cause}"
        self.cause = str(cause)
        super().__init__(f"{path.name} is {self.reason}", hint="rebuild it: tagship build --clean")


class _RefusedError(Exception):
    """What the archive declares is beyond the limits: refused before it is decompressed."""


def size_text(size: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def _budget(archive_size: int) -> int:
    return max(MAX_RATIO * archive_size, RATIO_FLOOR)


def _check_zip(wheel: zipfile.ZipFile, archive_size: int) -> None:
    members = wheel.infolist()
    if len(members) > MAX_MEMBERS:
        raise _RefusedError(f"it holds {len(members)} members, more than {MAX_MEMBERS}")
    for info in members:
        name, size = info.filename, info.file_size
        if info.flag_bits & 0x1:
            raise _RefusedError(f"member {name!r} is encrypted")
        if info.compress_type not in _ZIP_METHODS:
            raise _RefusedError(
                f"member {name!r} uses compression method {info.compress_type} "
                "(only stored and deflated members are accepted)"
            )
        if size > MAX_MEMBER_SIZE:
            raise _RefusedError(
                f"member {name!r} declares {size_text(size)} uncompressed, "
                f"more than {size_text(MAX_MEMBER_SIZE)}"
            )
        if size > RATIO_FLOOR and size > MAX_RATIO * info.compress_size:
            raise _RefusedError(
                f"member {name!r} declares {size_text(size)} uncompressed from "
                f"{size_text(info.compress_size)}, more than {MAX_RATIO} times"
            )
    total = sum(info.file_size for info in members)
    if total > _budget(archive_size):
        raise _RefusedError(
            f"its members declare {size_text(total)} uncompressed, more than {MAX_RATIO} "
            f"times its {size_text(archive_size)}"
        )


def _refused(path: Path, kind: str, error: _RefusedError) -> UnreadableArchiveError:
    return UnreadableArchiveError(path, kind, error, reason=f"refused before unpacking: {error}")


@contextmanager
def open_wheel(path: Path) -> Iterator[zipfile.ZipFile]:
    """The wheel at `path`, open for reading while the block runs, once what its members
    declare is within the limits."""
    kind = "zip file"
    try:
        with path.open("rb") as raw, zipfile.ZipFile(raw) as wheel:
            _check_zip(wheel, os.fstat(raw.fileno()).st_size)
            yield wheel
    except _RefusedError as exc:
        raise _refused(path, kind, exc) from None
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise UnreadableArchiveError(path, kind, exc) from None


class _Bounded:
    """The decompressed stream of a .tar.gz for tarfile: never beyond `limit` bytes, and no
    single read above _HEADER_READ while the headers are read (tarfile reads a pax header or
    a GNU long name whole, however large it says it is)."""

    def __init__(self, stream: gzip.GzipFile, limit: int) -> None:
        self._stream = stream
        self._limit = limit
        self.reading_headers = True

    def _allow(self, end: int) -> None:
        if end > self._limit:
            raise _RefusedError(
                f"it unpacks to more than {size_text(self._limit)}, "
                f"{MAX_RATIO} times its compressed size"
            )

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            size = self._limit - self._stream.tell()
        if self.reading_headers and size > _HEADER_READ:
            raise _RefusedError(f"a member header declares {size_text(size)}")
        self._allow(self._stream.tell() + size)
        return self._stream.read(size)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence not in (os.SEEK_SET, os.SEEK_CUR):
            raise OSError(f"cannot seek a compressed stream with whence={whence}")
        target = offset if whence == os.SEEK_SET else self._stream.tell() + offset
        self._allow(target)
        return self._stream.seek(target)

    def tell(self) -> int:
        return self._stream.tell()


def _check_tar(sdist: tarfile.TarFile) -> None:
    # members load one by one: each is checked before tarfile skips over its data
    for count, member in enumerate(sdist, start=1):
        if count > MAX_MEMBERS:
            raise _RefusedError(f"it holds more than {MAX_MEMBERS} members")
        if member.size > MAX_MEMBER_SIZE:
            raise _RefusedError(
                f"member {member.name!r} declares {size_text(member.size)}, "
                f"more than {size_text(MAX_MEMBER_SIZE)}"
            )


@contextmanager
def open_sdist(path: Path) -> Iterator[tarfile.TarFile]:
    """The sdist at `path`, open for reading while the block runs, its members loaded once
    their declared sizes and the stream's compression ratio are within the limits."""
    kind = ".tar.gz file"
    try:
        with path.open("rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
            stream = _Bounded(unzipped, _budget(os.fstat(raw.fileno()).st_size))
            # typeshed also asks for write() and close(), which tarfile never calls when reading
            with tarfile.open(fileobj=stream, mode="r:") as sdist:  # type: ignore[call-overload]
                _check_tar(sdist)
                stream.reading_headers = False
                yield sdist
    except _RefusedError as exc:
        raise _refused(path, kind, exc) from None
    except (tarfile.TarError, zlib.error, OSError, EOFError) as exc:
        raise UnreadableArchiveError(path, kind, exc) from None


def read_text(handle: IO[bytes] | None, name: str) -> bytes | None:
    """A small member (METADATA, WHEEL, PKG-INFO) read whole: refused above MAX_TEXT.
    Call it inside `open_wheel` or `open_sdist`, which turn the refusal into theirs."""
    if handle is None:
        return None
    with handle:
        data = handle.read(MAX_TEXT + 1)
    if len(data) > MAX_TEXT:
        raise _RefusedError(f"{name} is larger than {size_text(MAX_TEXT)}")
    return data


def can_unpack_safely() -> bool:
    """Unpacking an sdist safely needs tarfile's `data` filter (3.10.12+, 3.11.4+)."""
    return hasattr(tarfile, "data_filter")


def unpack_sdist(sdist: Path, into: Path) -> None:
    """Unpack `sdist` into `into` through tarfile's `data` filter, which refuses members that
    would land outside it (links out, absolute paths) and devices."""
    try:
        with tarfile.open(sdist) as archive:
            archive.extractall(into, filter="data")
    except tarfile.TarError as exc:
        raise UnreadableArchiveError(sdist, ".tar.gz file", exc) from None
