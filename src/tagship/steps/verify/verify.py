"""Verify built distributions before anything is published.

Every check is one `Problem`; `verify_artifacts` collects them all so a failing build
shows everything at once. What is checked: one sdist and at least one wheel, file names
normalised (PEP 427 / PEP 625), name and version in each file name and in its core metadata
equal to the project's, metadata valid and complete with a long description that renders,
the wheel's RECORD equal to its zip members and their hashes, its WHEEL file (Wheel-Version
1.x, Tag lines equal to the file name's tags), platform tags PyPI accepts (core/wheel_tags.py:
never `linux_*`), no two wheels claiming one tag, one .dist-info directory, no absolute or `..`
paths, no member twice, no link out of the sdist nor device file in it, no stray top-level
`tests`/`docs` in a wheel, nothing a wheel would install that it must not (wheel_install:
links, `.pth` files, another project's top-level names, colliding names), and
`pyproject.toml` plus `PKG-INFO` in the sdist. Archives are
opened within the limits of `adapters.archives` (decompression bombs are refused by what they
declare) and read in chunks.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
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

from tagship.adapters.archives import UnreadableArchiveError, open_sdist, open_wheel, read_text
from tagship.core.errors import GateError
from tagship.core.manifest import normal_version, unnormalised
from tagship.core.version_carriers import LITERAL_FILES, literal_version
from tagship.core.wheel_tags import colliding_wheels, tag_problems
from tagship.steps.build.artifacts import (
    DistFile,
    check_build_directory,
    check_manifest,
    dist_files,
)
from tagship.steps.verify.metadata_check import metadata_problems
from tagship.steps.verify.wheel_install import import_name, install_problems
from tagship.steps.verify.wheel_record import record_problems

if TYPE_CHECKING:
    import tarfile
    import zipfile
    from collections.abc import Iterable
    from pathlib import Path

    from tagship.core.manifest import Manifest

STRAY_TOP_LEVEL = frozenset({"tests", "test", "docs", "doc"})


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
    problems = unnormalised(stem)
    if canonicalize_name(raw_name) != canonicalize_name(expected_name):
        problems.append(f"the file name names {raw_name!r}, expected {expected_name!r}")
    if normal_version(raw_version) != str(expected_version):
        problems.append(f"the file name has version {raw_version}, expected {expected_version}")
    return problems


def _duplicates(names: Iterable[str]) -> list[str]:
    # an installer (or unpacker) keeps one of them; which one is not for the archive to choose
    return [f"holds {name!r} more than once" for name, n in Counter(names).items() if n > 1]


def _wheel_problems(
    dist: DistFile, name: str, version: Version, allowed: Iterable[str], owned: frozenset[str]
) -> tuple[list[str], str | None]:
    try:
        _, _, _, file_tags = parse_wheel_filename(dist.name)
    except (InvalidWheelFilename, InvalidVersion) as exc:
        return [f"not a valid wheel file name: {exc}"], None
    stem = "-".join(dist.name[: -len(".whl")].split("-")[:2])
    problems = _filename_problems(stem, name, version) + tag_problems(file_tags)
    try:
        with open_wheel(dist.path) as wheel:
            names = wheel.namelist()
            problems += [f"unsafe member path {n!r}" for n in names if unsafe_path(n)]
            problems += _duplicates(names)
            info = f"{stem}.dist-info"
            # installers read the one .dist-info; a second could say anything
            tops = {n.split("/", 1)[0] for n in names if "/" in n}
            others = {t for t in tops if t.endswith(".dist-info")} - {info}
            problems += [f"holds a second metadata directory {d!r}" for d in sorted(others)]
            if f"{info}/METADATA" not in names or f"{info}/RECORD" not in names:
                return [*problems, f"has no {info}/METADATA and RECORD"], None
            metadata = read_text(wheel.open(f"{info}/METADATA"), "METADATA") or b""
            problems += metadata_problems(metadata, "METADATA", name, version)
            problems += record_problems(wheel, f"{info}/RECORD")
            problems += _literal_problems(wheel, names, version)
            problems += [
                f"installs a top-level {entry!r} package into site-packages "
                f"(exclude it from the wheel, or allow it: allow-top-level = [{entry!r}])"
                for entry in sorted(tops & STRAY_TOP_LEVEL - set(allowed))
            ]
            # stray entries are judged above, with their own advice
            problems += install_problems(wheel, stem, owned | STRAY_TOP_LEVEL, frozenset(allowed))
            if f"{info}/WHEEL" not in names:
                return [*problems, f"has no {info}/WHEEL"], None
            wheel_file = (read_text(wheel.open(f"{info}/WHEEL"), "WHEEL") or b"").decode(
                "utf-8", "replace"
            )
    except UnreadableArchiveError as exc:
        return [*problems, exc.reason], None
    problems += _wheel_file_problems(wheel_file, {str(t) for t in file_tags}, info)
    found = re.search(r"^Generator:\s*(.+)$", wheel_file, re.MULTILINE)
    generator = re.sub(r"\s*\((.+)\)", r" \1", found[1].strip()) if found else None
    return problems, generator


def _literal_problems(wheel: zipfile.ZipFile, names: list[str], version: Version) -> list[str]:
    """A top-level package's `__version__` literal that disagrees with the built version: a
    bump that left a duplicate behind (tagship bump rewrites them)."""
    problems = []
    for name in names:
        package, _, file = name.partition("/")
        if file in LITERAL_FILES and not package.endswith((".dist-info", ".data")):
            found = literal_version(
                (read_text(wheel.open(name), name) or b"").decode("utf-8", "replace")
            )
            if found is not None and Version(found) != version:
                problems.append(f"{name} says __version__ = {found!r}, but the wheel is {version}")
    return problems


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


def _member_problems(members: list[tarfile.TarInfo], stem: str) -> list[str]:
    """What unpacking the sdist could do outside its own directory: paths out of it, links
    out of it, device files and FIFOs."""
    problems = [f"unsafe member path {m.name!r}" for m in members if unsafe_path(m.name)]
    problems += _duplicates(m.name for m in members)
    for member in members:
        if member.isdev():
            problems.append(f"{member.name!r} is a device file or a FIFO")
        elif member.issym() or member.islnk():
            # a symbolic link is relative to its directory, a hard link to the archive's root
            start = posixpath.dirname(member.name) if member.issym() else ""
            target = posixpath.normpath(posixpath.join(start, member.linkname))
            if unsafe_path(member.linkname) or not target.startswith(f"{stem}/"):
                problems.append(
                    f"link {member.name!r} points outside the archive ({member.linkname})"
                )
    outside = [m.name for m in members if m.name.split("/", 1)[0] != stem]
    if outside:
        problems.append(f"{outside[0]!r} is not under the top directory {stem}/")
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
            problems += _member_problems(members, stem)
            by_name = {m.name: m for m in members if m.isfile()}
            for required in ("pyproject.toml", "PKG-INFO"):
                if f"{stem}/{required}" not in by_name:
                    problems.append(f"does not contain {stem}/{required}")
            pkg_info = by_name.get(f"{stem}/PKG-INFO")
            raw = read_text(tar.extractfile(pkg_info), "PKG-INFO") if pkg_info else None
            if raw is not None:
                problems += metadata_problems(raw, "PKG-INFO", name, version)
    except UnreadableArchiveError as exc:
        problems.append(exc.reason)
    return problems


def verify_artifacts(
    directory: Path,
    expected_name: str,
    expected_version: Version,
    *,
    allow_top_level: Iterable[str] = (),
    owned_top_level: Iterable[str] = (),
) -> VerifyReport:
    """Check every distribution in `directory`. Raises GateError only when there are none.
    A wheel may install the top-level names the project owns (`owned_top_level`, see
    wheel_install.owned_top_level; its import name always) and those it allows."""
    check_build_directory(directory)
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
    problems += [
        Problem(
            second,
            f"claims the tag {tag} of {first} too: an installer would take either "
            "(one wheel per tag set)",
        )
        for first, second, tag in colliding_wheels(w.name for w in wheels)
    ]
    generator = None
    owned = frozenset(n.lower() for n in owned_top_level) | {import_name(expected_name)}
    for wheel in wheels:
        found, generator = _wheel_problems(
            wheel, expected_name, expected_version, allow_top_level, owned
        )
        problems += [Problem(wheel.name, message) for message in found]
    for sdist in sdists:
        found = _sdist_problems(sdist, expected_name, expected_version)
        problems += [Problem(sdist.name, message) for message in found]
    return VerifyReport(directory, files, tuple(problems), generator)


@dataclass(frozen=True)
class Expected:
    """What a build directory must hold: the project's name and the version due (see
    `Workspace.expected_version`), the top-level entries a wheel may install (allowed) and
    the names the project owns (wheel_install.owned_top_level)."""

    name: str
    version: Version
    allow_top_level: tuple[str, ...] = ()
    owned_top_level: tuple[str, ...] = ()


def verify_build(directory: Path, manifest: Manifest | None, expected: Expected) -> VerifyReport:
    """Every check of `tagship verify-artifacts`, which publishing passes first: the directory
    holds exactly the manifest's bytes (IntegrityError, exit 4), the manifest is the expected
    project and version's, and every file passes `verify_artifacts` (VerificationError)."""
    if manifest is not None:
        check_manifest(directory, manifest)
        if (manifest.project, manifest.version) != (expected.name, str(expected.version)):
            raise GateError(
                f"the manifest is for {manifest.project} {manifest.version}, "
                f"expected {expected.name} {expected.version}",
                hint="rebuild: tagship build --clean",
            )
    report = verify_artifacts(
        directory,
        expected.name,
        expected.version,
        allow_top_level=expected.allow_top_level,
        owned_top_level=expected.owned_top_level,
    )
    report.raise_for_problems()
    return report
