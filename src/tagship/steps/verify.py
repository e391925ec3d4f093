"""Verify built distributions before anything is published.

Every check is one `Problem`; `verify_artifacts` collects them all so a failing build
shows everything at once. What is checked: one sdist and at least one wheel, file names
normalised (PEP 427 / PEP 625), name and version in each file name and in its core metadata
equal to the project's, metadata valid and complete with a long description that renders,
the wheel's RECORD equal to its zip members and their hashes, its WHEEL file (Wheel-Version
1.x, Tag lines equal to the file name's tags), no absolute or `..` paths, no
stray top-level `tests`/`docs` in a wheel, and `pyproject.toml` plus `PKG-INFO` in the sdist.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from tagship.adapters.archives import UnreadableArchiveError, open_sdist, open_wheel
from tagship.core.errors import GateError
from tagship.steps.artifacts import DistFile, dist_files
from tagship.steps.metadata_check import metadata_problems

if TYPE_CHECKING:
    import zipfile
    from collections.abc import Iterable
    from pathlib import Path

STRAY_TOP_LEVEL = frozenset({"tests", "test", "docs", "doc"})
# RECORD hash algorithms the wheel spec allows (md5 and sha1 are forbidden)
_RECORD_ALGORITHMS = frozenset({"sha256", "sha384", "sha512", "sha3_256", "blake2b", "blake2s"})
_SIGNATURES = ("RECORD.jws", "RECORD.p7s")


@dataclass(frozen=True)
class Problem:
    """One failed check of one file (or of the directory as a whole)."""

    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of verifying a directory of distributions."""

    directory: Path
    files: tuple[DistFile, ...]
    problems: tuple[Problem, ...]
    generator: str | None  # the backend named in the wheel's WHEEL file, e.g. "hatchling 1.27.0"

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_for_problems(self) -> None:
        if self.problems:
            raise VerificationError(self.problems)


class VerificationError(GateError):
    """Verification failed; carries every problem so the CLI can list them."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(
            f"verification failed: {problems[0]}{more}",
            hint="fix the project and rebuild: tagship build --clean",
        )
        self.problems = problems


def unsafe_path(name: str) -> bool:
    """An archive member that would land outside the target directory."""
    return (
        name.startswith(("/", "\\"))
        or bool(re.match(r"[A-Za-z]:", name))
        or (".." in re.split(r"[/\\]", name))
    )


def _filename_problems(stem: str, expected_name: str, expected_version: Version) -> list[str]:
    raw_name, _, raw_version = stem.partition("-")
    problems = []
    if raw_name != canonicalize_name(raw_name).replace("-", "_"):
        problems.append(f"the name {raw_name!r} in the file name is not normalised")
    try:
        normal = str(Version(raw_version))
    except InvalidVersion:
        normal = raw_version
    if raw_version != normal:
        problems.append(f"the version {raw_version!r} in the file name is not normalised")
    if canonicalize_name(raw_name) != canonicalize_name(expected_name):
        problems.append(f"the file name names {raw_name!r}, expected {expected_name!r}")
    if normal != str(expected_version):
        problems.append(f"the file name has version {raw_version}, expected {expected_version}")
    return problems


def _record_problems(wheel: zipfile.ZipFile, record: str) -> list[str]:
    members = {i.filename for i in wheel.infolist() if not i.is_dir()}
    rows = [r for r in csv.reader(io.StringIO(wheel.read(record).decode("utf-8"))) if r]
    problems, recorded = [], set()
    for row in rows:
        if len(row) != 3:  # noqa: PLR2004 - path, hash, size
            problems.append(f"RECORD has a malformed row {row!r}")
            continue
        path, hashed, size = row
        recorded.add(path)
        if path == record:
            continue
        if path not in members:
            problems.append(f"RECORD lists {path}, which is not in the wheel")
            continue
        algorithm, _, expected = hashed.partition("=")
        if algorithm not in _RECORD_ALGORITHMS:
            problems.append(f"RECORD has no acceptable hash for {path} ({hashed or 'none'})")
            continue
        data = wheel.read(path)
        actual = base64.urlsafe_b64encode(hashlib.new(algorithm, data).digest()).rstrip(b"=")
        if actual.decode() != expected or (size and int(size) != len(data)):
            problems.append(f"RECORD does not match {path}: the file changed after the build")
    signatures = {record.rsplit("/", 1)[0] + "/" + s for s in _SIGNATURES}
    problems += [
        f"{m} is in the wheel but not in RECORD" for m in sorted(members - recorded - signatures)
    ]
    return problems


def _wheel_problems(
    dist: DistFile, name: str, version: Version, allowed: Iterable[str]
) -> tuple[list[str], str | None]:
    try:
        _, _, _, file_tags = parse_wheel_filename(dist.name)
    except (InvalidWheelFilename, InvalidVersion) as exc:
        return [f"not a valid wheel file name: {exc}"], None
    stem = "-".join(dist.name[: -len(".whl")].split("-")[:2])
    problems = _filename_problems(stem, name, version)
    try:
        with open_wheel(dist.path) as wheel:
            names = wheel.namelist()
            problems += [f"unsafe member path {n!r}" for n in names if unsafe_path(n)]
            info = f"{stem}.dist-info"
            if f"{info}/METADATA" not in names or f"{info}/RECORD" not in names:
                return [*problems, f"has no {info}/METADATA and RECORD"], None
            problems += metadata_problems(wheel.read(f"{info}/METADATA"), "METADATA", name, version)
            problems += _record_problems(wheel, f"{info}/RECORD")
            top = {n.split("/", 1)[0] for n in names if "/" in n}
            problems += [
                f"installs a top-level {entry!r} package into site-packages "
                f"(exclude it from the wheel, or allow it: allow-top-level = [{entry!r}])"
                for entry in sorted(top & STRAY_TOP_LEVEL - set(allowed))
            ]
            if f"{info}/WHEEL" not in names:
                return [*problems, f"has no {info}/WHEEL"], None
            wheel_file = wheel.read(f"{info}/WHEEL").decode("utf-8", "replace")
    except UnreadableArchiveError as exc:
        return [*problems, exc.reason], None
    problems += _wheel_file_problems(wheel_file, {str(t) for t in file_tags}, info)
    found = re.search(r"^Generator:\s*(.+)$", wheel_file, re.MULTILINE)
    generator = re.sub(r"\s*\((.+)\)", r" \1", found[1].strip()) if found else None
    return problems, generator


def _wheel_file_problems(wheel_file: str, file_tags: set[str], info: str) -> list[str]:
    """The WHEEL file's spec version, and its Tag lines against the file name's tags
    (installers pick a wheel by its file name but pip checks the Tag lines)."""
    problems = []
    found = re.search(r"^Wheel-Version:\s*(\S+)\s*$", wheel_file, re.MULTILINE)
    if found is None:
        problems.append(f"{info}/WHEEL has no Wheel-Version")
    elif found[1].split(".")[0] != "1":
        problems.append(f"{info}/WHEEL has Wheel-Version {found[1]}, expected 1.x")
    tags = {m.strip() for m in re.findall(r"^Tag:\s*(.+)$", wheel_file, re.MULTILINE)}
    if tags != file_tags:
        problems.append(
            f"{info}/WHEEL has Tag {', '.join(sorted(tags)) or '(none)'}, "
            f"but the file name says {', '.join(sorted(file_tags))}"
        )
    return problems


def _sdist_problems(dist: DistFile, name: str, version: Version) -> list[str]:
    try:
        parse_sdist_filename(dist.name)
    except (InvalidSdistFilename, InvalidVersion) as exc:
        return [f"not a valid sdist file name: {exc}"]
    stem = dist.name[: -len(".tar.gz")]
    problems = _filename_problems(stem, name, version)
    try:
        with open_sdist(dist.path) as tar:
            members = tar.getmembers()
            problems += [f"unsafe member path {m.name!r}" for m in members if unsafe_path(m.name)]
            problems += [
                f"link {m.name!r} points outside the archive ({m.linkname})"
                for m in members
                if (m.issym() or m.islnk()) and unsafe_path(m.linkname)
            ]
            outside = [m.name for m in members if m.name.split("/", 1)[0] != stem]
            if outside:
                problems.append(f"{outside[0]!r} is not under the top directory {stem}/")
            by_name = {m.name: m for m in members if m.isfile()}
            for required in ("pyproject.toml", "PKG-INFO"):
                if f"{stem}/{required}" not in by_name:
                    problems.append(f"does not contain {stem}/{required}")
            pkg_info = by_name.get(f"{stem}/PKG-INFO")
            handle = tar.extractfile(pkg_info) if pkg_info is not None else None
            if handle is not None:
                problems += metadata_problems(handle.read(), "PKG-INFO", name, version)
    except UnreadableArchiveError as exc:
        problems.append(exc.reason)
    return problems


def verify_artifacts(
    directory: Path,
    expected_name: str,
    expected_version: Version,
    *,
    allow_top_level: Iterable[str] = (),
) -> VerifyReport:
    """Check every distribution in `directory`. Raises GateError only when there are none."""
    if not directory.is_dir():
        raise GateError(f"{directory} does not exist", hint="build first: tagship build")
    files = tuple(dist_files(directory))
    if not files:
        raise GateError(f"{directory} holds no distribution files", hint="run: tagship build")
    problems: list[Problem] = []
    sdists = [f for f in files if f.kind == "sdist"]
    wheels = [f for f in files if f.kind == "wheel"]
    where = str(directory)
    if len(sdists) != 1:
        problems.append(Problem(where, f"expected exactly one sdist, found {len(sdists)}"))
    if not wheels:
        problems.append(Problem(where, "expected at least one wheel, found none"))
    problems += [
        Problem(f.name, "is neither a wheel nor a .tar.gz sdist") for f in files if f.kind is None
    ]
    generator = None
    for wheel in wheels:
        found, generator = _wheel_problems(wheel, expected_name, expected_version, allow_top_level)
        problems += [Problem(wheel.name, message) for message in found]
    for sdist in sdists:
        found = _sdist_problems(sdist, expected_name, expected_version)
        problems += [Problem(sdist.name, message) for message in found]
    return VerifyReport(directory, files, tuple(problems), generator)
