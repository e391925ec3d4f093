"""Compare two builds of the same commit, naming the first file and member that differ."""

from __future__ import annotations

import filecmp
import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tagship.adapters.archives import open_sdist, open_wheel
from tagship.core.errors import GateError
from tagship.steps.build.artifacts import dist_files

if TYPE_CHECKING:
    from collections.abc import Callable

# backends known to give different sdist bytes for the same commit (see PITFALLS)
_UNREPRODUCIBLE_SDIST = {
    "setuptools": "setuptools sdists ignore SOURCE_DATE_EPOCH (gzip header time, owner ids)",
    "pdm.backend": "pdm-backend writes the current time into the sdist's gzip header",
}


@dataclass(frozen=True)
class Difference:
    """Where two builds disagree: a file, optionally a member in it, and what differs."""

    file: str
    member: str | None
    what: str

    def __str__(self) -> str:
        inside = f" member {self.member}" if self.member else ""
        return f"{self.file}{inside}: {self.what}"


def known_unreproducible(build_backend: str, file: str) -> str | None:
    """Why `build_backend` cannot reproduce `file`, when that is known."""
    if not file.endswith(".tar.gz"):
        return None
    for prefix, why in _UNREPRODUCIBLE_SDIST.items():
        if build_backend == prefix or build_backend.startswith(prefix + "."):
            return why
    return None


def _digest(data: bytes | None) -> str:
    return hashlib.sha256(data or b"").hexdigest()


def _tar_difference(name: str, first: Path, second: Path) -> Difference:
    with open_sdist(first) as a, open_sdist(second) as b:
        left, right = a.getmembers(), b.getmembers()
        if [m.name for m in left] != [m.name for m in right]:
            return _list_difference(name, [m.name for m in left], [m.name for m in right])
        for x, y in zip(left, right, strict=True):
            for what in ("type", "mode", "mtime", "uid", "gid", "uname", "gname", "linkname"):
                if getattr(x, what) != getattr(y, what):
                    shown = (
                        (oct(x.mode), oct(y.mode))
                        if what == "mode"
                        else (getattr(x, what), getattr(y, what))
                    )
                    return Difference(name, x.name, f"{what} {shown[0]} != {shown[1]}")
            if x.isfile():
                fx, fy = a.extractfile(x), b.extractfile(y)
                dx = fx.read() if fx is not None else None
                dy = fy.read() if fy is not None else None
                if _digest(dx) != _digest(dy):
                    return Difference(name, x.name, "content")
    head_a, head_b = first.read_bytes()[:10], second.read_bytes()[:10]
    if head_a[4:8] != head_b[4:8]:
        stamp_a = int.from_bytes(head_a[4:8], "little")
        stamp_b = int.from_bytes(head_b[4:8], "little")
        return Difference(name, None, f"gzip header mtime {stamp_a} != {stamp_b}")
    return Difference(name, None, "compressed bytes (gzip header or compression level)")


def _zip_difference(name: str, first: Path, second: Path) -> Difference:
    with open_wheel(first) as a, open_wheel(second) as b:
        left, right = a.infolist(), b.infolist()
        if [i.filename for i in left] != [i.filename for i in right]:
            names = ([i.filename for i in left], [i.filename for i in right])
            return _list_difference(name, *names)
        for x, y in zip(left, right, strict=True):
            if x.date_time != y.date_time:
                return Difference(name, x.filename, f"mtime {x.date_time} != {y.date_time}")
            if x.external_attr != y.external_attr:
                mode_x, mode_y = oct(x.external_attr >> 16), oct(y.external_attr >> 16)
                return Difference(name, x.filename, f"mode {mode_x} != {mode_y}")
            if x.CRC != y.CRC or _digest(a.read(x)) != _digest(b.read(y)):
                return Difference(name, x.filename, "content")
            if (x.compress_type, x.extra, x.comment) != (y.compress_type, y.extra, y.comment):
                return Difference(name, x.filename, "compression or extra fields")
    return Difference(name, None, "zip container bytes (central directory or comment)")


def _list_difference(name: str, left: list[str], right: list[str]) -> Difference:
    only = sorted(set(left) ^ set(right))
    if only:
        side = "first" if only[0] in left else "second"
        return Difference(name, only[0], f"only in the {side} build")
    return Difference(name, None, "members in a different order")


def compare_builds(first: Path, second: Path, names: list[str]) -> list[Difference]:
    """The first difference of each file in `names` between two build directories."""
    found = []
    for name in names:
        a, b = first / name, second / name
        if not a.is_file() or not b.is_file():
            side = "first" if not a.is_file() else "second"
            found.append(Difference(name, None, f"missing from the {side} build"))
        elif not filecmp.cmp(a, b, shallow=False):
            if name.endswith(".tar.gz"):
                found.append(_tar_difference(name, a, b))
            elif name.endswith(".whl"):
                found.append(_zip_difference(name, a, b))
            else:
                found.append(Difference(name, None, "content"))
    return found


def check_reproducible(
    first: Path, names: list[str], build_again: Callable[[Path], object], backend: str
) -> None:
    """Build again with `build_again` and raise GateError, naming the first difference and
    why the backend cannot help it when that is known, unless `names` in `first` are the
    same bytes."""
    with tempfile.TemporaryDirectory(prefix="tagship-rebuild-") as second:
        build_again(Path(second))
        again = [d.name for d in dist_files(Path(second))]
        differences = compare_builds(first, Path(second), sorted(set(names) | set(again)))
    if differences:
        diff = differences[0]
        why = known_unreproducible(backend, diff.file)
        because = f" ({why}: the {backend} backend cannot build it reproducibly)" if why else ""
        raise GateError(
            f"the build is not reproducible: {diff}{because}",
            hint="make the varying input fixed (timestamps, file order, umask), or use a "
            "backend that honours SOURCE_DATE_EPOCH (hatchling, flit_core)",
        )
