"""The files of a build directory: which are distributions, their hashes, and the manifest."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import shutil
import stat
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from tagship.adapters.files import write_atomic
from tagship.core.build_output import Kind, dist_kind, is_build_output
from tagship.core.errors import GateError, IntegrityError, UsageError
from tagship.core.manifest import MANIFEST_NAME, Manifest, ManifestFile

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from pathlib import Path

_CHUNK = 1 << 20
MAX_MANIFEST = 4 << 20  # a manifest lists a few files: a few KiB
# not through a symbolic link, and without blocking on a FIFO (it is refused once open)
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


@dataclass(frozen=True)
class DistFile:
    """A file of a build directory; `kind` is None for anything that is not a distribution."""

    path: Path
    kind: Kind | None

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class Digest:
    """Size and the two digests PyPI's upload API takes."""

    size: int
    sha256: str
    blake2b_256: str


def dist_files(directory: Path) -> list[DistFile]:
    """Every visible file of `directory` but the manifest, sorted by name.

    Hidden files (uv's `.gitignore`) and subdirectories are not build output.
    """
    return [
        DistFile(path, dist_kind(path.name))
        for path in sorted(directory.iterdir())
        if path.is_file() and not path.name.startswith(".") and path.name != MANIFEST_NAME
    ]


def release_changes(root: Path, dirty: list[str], out_dir: Path | None) -> list[str]:
    """The uncommitted changes (`dirty`, relative to the work tree `root`) that change the
    release: the build output directory and earlier tagship build directories (recognised by
    their manifest) are build output, not changes."""
    root = root.resolve()
    directories = [m.parent for m in root.glob(f"*/{MANIFEST_NAME}")]
    if out_dir is not None:
        directories.append(out_dir.resolve())
    inside = [d.relative_to(root).as_posix() for d in directories if d.is_relative_to(root)]
    return [path for path in dirty if not is_build_output(path, inside)]


class NotARegularFileError(IntegrityError):
    """A build directory's entry that is a link, a FIFO, a device or a directory."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path} is not a regular file (a symbolic link, a FIFO, a device or a directory)",
            hint="a build directory holds only the files tagship build wrote: rebuild it",
        )


@contextmanager
def open_regular(path: Path) -> Iterator[IO[bytes]]:
    """`path` open for reading when it is a regular file itself, not a link to one;
    FileNotFoundError when it does not exist, NotARegularFileError for anything else."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # what O_NOFOLLOW answers for a symbolic link
            raise NotARegularFileError(path) from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise NotARegularFileError(path)
    with os.fdopen(fd, "rb") as handle:
        yield handle


def hash_file(path: Path) -> Digest:
    """Size, SHA-256 and BLAKE2b-256 of a file, read once, in chunks."""
    sha256 = hashlib.sha256()
    blake2b = hashlib.blake2b(digest_size=32)
    size = 0
    with open_regular(path) as handle:
        while chunk := handle.read(_CHUNK):
            sha256.update(chunk)
            blake2b.update(chunk)
            size += len(chunk)
    return Digest(size, sha256.hexdigest(), blake2b.hexdigest())


def manifest_entry(dist: DistFile) -> ManifestFile:
    if dist.kind is None:
        raise ValueError(f"{dist.name} is not a distribution file")
    digest = hash_file(dist.path)
    return ManifestFile(dist.name, dist.kind, digest.size, digest.sha256, digest.blake2b_256)


def check_build_directory(directory: Path) -> None:
    """UsageError when `directory` is there as anything but a directory (a file, a FIFO, a
    dangling link): a build directory is a directory, or not made yet."""
    if os.path.lexists(directory) and not directory.is_dir():
        raise UsageError(
            f"{directory} is not a directory",
            hint="move it away, or name the build directory (--out DIR, --dir DIR)",
        )


def load_manifest(directory: Path) -> Manifest:
    """The manifest of a build directory; GateError when there is none."""
    check_build_directory(directory)
    path = directory / MANIFEST_NAME
    try:
        with open_regular(path) as handle:
            data = handle.read(MAX_MANIFEST + 1)
        if len(data) > MAX_MANIFEST:
            raise IntegrityError(
                f"the manifest {path} is larger than {MAX_MANIFEST >> 20} MiB",
                hint="rebuild: tagship build --clean",
            )
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise GateError(
            f"{directory} has no {MANIFEST_NAME}: it was not built by tagship build",
            hint="build it with: tagship build",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise IntegrityError(f"cannot read {path}: {exc}") from None
    return Manifest.from_json(text, str(path))


def write_manifest(directory: Path, manifest: Manifest) -> Path:
    path = directory / MANIFEST_NAME
    write_atomic(path, manifest.to_json())
    return path


def check_manifest(directory: Path, manifest: Manifest) -> None:
    """Raise IntegrityError unless the directory holds exactly the manifest's bytes."""
    listed = {f.name for f in manifest.files}
    extra = [d.name for d in dist_files(directory) if d.name not in listed]
    if extra:
        raise IntegrityError(
            f"{directory} holds {', '.join(extra)}, which the manifest does not list",
            hint="remove it, or rebuild everything: tagship build --clean",
        )
    for entry in manifest.files:
        try:
            digest = hash_file(directory / entry.name)
        except FileNotFoundError:
            raise IntegrityError(
                f"{entry.name} is listed in the manifest but missing from {directory}",
                hint="rebuild: tagship build --clean",
            ) from None
        except OSError as exc:
            raise IntegrityError(f"cannot read {directory / entry.name}: {exc.strerror}") from None
        if not matches(entry, digest):
            raise IntegrityError(
                f"{entry.name} no longer matches the manifest (sha256 {digest.sha256[:12]}..., "
                f"recorded {entry.sha256[:12]}...): it changed after the build",
                hint="never edit built files; rebuild: tagship build --clean",
            )


def matches(entry: ManifestFile, digest: Digest) -> bool:
    """The bytes are the entry's: same size, same digests (hex in any case)."""
    return (digest.size, digest.sha256, digest.blake2b_256) == (
        entry.size,
        entry.sha256.lower(),
        entry.blake2b_256.lower(),
    )


class CheckedUpload:
    """A listed file as an upload body, read in chunks (never whole): rewound for a retried
    upload, and stopped before its last byte is sent when the bytes are no longer the
    manifest's (the file changed after it was verified)."""

    def __init__(self, handle: IO[bytes], entry: ManifestFile) -> None:
        self._handle = handle
        self._entry = entry
        self._restart()

    def _restart(self) -> None:
        self._sha256 = hashlib.sha256()
        self._blake2b = hashlib.blake2b(digest_size=32)
        self._size = 0

    def _complete(self) -> bool:
        seen = Digest(self._size, self._sha256.hexdigest(), self._blake2b.hexdigest())
        return matches(self._entry, seen)

    def fileno(self) -> int:
        """httpx sizes the body from the file (Content-Length) without reading it."""
        return self._handle.fileno()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """Only back to the start (httpx does so before each attempt)."""
        if (offset, whence) != (0, os.SEEK_SET):
            raise io.UnsupportedOperation("an upload body only rewinds to its start")
        self._restart()
        return self._handle.seek(0)

    def read(self, size: int = _CHUNK) -> bytes:
        chunk = self._handle.read(min(size, _CHUNK) if size >= 0 else _CHUNK)
        self._sha256.update(chunk)
        self._blake2b.update(chunk)
        self._size += len(chunk)
        if self._size > self._entry.size or (not chunk and not self._complete()):
            raise IntegrityError(
                f"{self._entry.name} changed while it was being uploaded; the upload was "
                "stopped before its end",
                hint="never edit built files during a publish; rebuild: tagship build --clean",
            )
        return chunk


@contextmanager
def upload_body(directory: Path, entry: ManifestFile) -> Iterator[CheckedUpload]:
    """The listed file `entry` of `directory`, open as a checked upload body."""
    with open_regular(directory / entry.name) as handle:
        yield CheckedUpload(handle, entry)


def move_into(
    out_dir: Path, staged: Sequence[DistFile], replaced: Iterable[Path], manifest: Manifest
) -> None:
    """Publish verified files from their staging directory into `out_dir`: the files they
    replace go, the new ones move in, then the manifest naming them."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in replaced:
        old.unlink()
    for dist in staged:
        shutil.move(dist.path, out_dir / dist.name)
    write_manifest(out_dir, manifest)
