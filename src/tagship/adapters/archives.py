"""Opening built distributions: a wheel is a zip file, an sdist a gzipped tar file.

Whatever goes wrong while one is read (a corrupt or truncated archive, a file that cannot be
read) is an UnreadableArchiveError, which names the file and says why.
"""

from __future__ import annotations

import tarfile
import zipfile
from contextlib import contextmanager
from typing import TYPE_CHECKING

from tagship.core.errors import IntegrityError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


class UnreadableArchiveError(IntegrityError):
    """A wheel or sdist that cannot be read or unpacked. `reason` says why without naming
    the file (a verification problem names it); `cause` is the archive module's own words."""

    def __init__(self, path: Path, kind: str, cause: BaseException) -> None:
        self.reason = f"not a readable {kind}: {cause}"
        self.cause = str(cause)
        super().__init__(f"{path.name} is {self.reason}", hint="rebuild it: tagship build --clean")


@contextmanager
def open_wheel(path: Path) -> Iterator[zipfile.ZipFile]:
    """The wheel at `path`, open for reading while the block runs."""
    try:
        with zipfile.ZipFile(path) as wheel:
            yield wheel
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise UnreadableArchiveError(path, "zip file", exc) from None


@contextmanager
def open_sdist(path: Path) -> Iterator[tarfile.TarFile]:
    """The sdist at `path`, open for reading while the block runs."""
    try:
        with tarfile.open(path, "r:gz") as sdist:
            yield sdist
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise UnreadableArchiveError(path, ".tar.gz file", exc) from None


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
