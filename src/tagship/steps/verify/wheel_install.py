"""What installing a wheel would do, judged as an installer would install it.

An installer writes each member under site-packages (those of the wheel's `.data/purelib`
and `.data/platlib` too) and the rest of `.data` into the environment's scripts, headers and
data directories. So a wheel holds regular files only (a link or a device becomes whatever
the unpacker makes of it), no `.pth` file in site-packages (`site` runs its `import` lines at
every start of Python), no data member that lands in site-packages, no top-level name the
project does not own (it would shadow or overwrite another project's), and no two members
one file system takes for the same file (case-insensitive or Unicode-normalising: macOS,
Windows). A top-level entry the project declares (`allow-top-level`) is allowed.

A project owns its import name (its normalised name) and every name its committed source tree
gives a Python or C source file, or a directory holding one: attrs' `attr` and `attrs`,
pyyaml's `yaml` and `_yaml`, setuptools' `pkg_resources` and `_distutils_hack`.
"""

from __future__ import annotations

import re
import stat
import unicodedata
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

if TYPE_CHECKING:
    import zipfile
    from collections.abc import Iterable

    from tagship.workspace import Workspace

_SOURCES = (".py", ".pyi", ".pyx", ".pxd", ".c", ".cc", ".cpp", ".cxx")
_NOT_NAMES = frozenset({"__init__", "__main__"})  # a file of a package, never a package
_SITE_SCHEMES = frozenset({"purelib", "platlib"})
_SCHEMES = _SITE_SCHEMES | {"scripts", "headers", "data"}
_SITE_DIRECTORIES = frozenset({"site-packages", "dist-packages"})
_KINDS = {
    stat.S_IFLNK: "a symbolic link",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}
# what the environment's own interpreter and installer are called: a script or data member of
# that name would replace them (pip writes .data/scripts into bin/, .data/data into the prefix)
_ENVIRONMENT_TOOL = re.compile(
    r"(?:python|pythonw|pip)(?:\d+(?:\.\d+)?)?(?:\.exe)?|activate.*", re.IGNORECASE
)
# the interpreter's library: lib/pythonX.Y/ (its standard library and site-packages) on POSIX,
# Lib/ on Windows
_INTERPRETER_LIB = re.compile(r"(?i:lib/python\d[^/]*/.+)|Lib/.+")
_LINK_READ = 1024  # a link member's content is its target: shown, so read short
_SHOWN = 100


def import_name(project: str) -> str:
    """The import name a project's own name gives: `pub-pkg` -> `pub_pkg`."""
    return canonicalize_name(project).replace("-", "_")


def owned_names(project: str, tracked: Iterable[str]) -> frozenset[str]:
    """The top-level names (lower case) a project owns: its import name, and each name its
    `tracked` paths give a source file or a directory holding one."""
    names = {import_name(project)}
    for path in tracked:
        *directories, file = path.split("/")
        if file.endswith(_SOURCES):
            names.update(directories)
            names.add(file.split(".", 1)[0])
    return frozenset(n.lower() for n in names - _NOT_NAMES)


def owned_top_level(workspace: Workspace) -> tuple[str, ...]:
    """What the workspace's project owns: its committed (tracked) files decide, so an
    untracked copy of another project beside it owns nothing."""
    tracked = workspace.git.tracked_files(workspace.pathspecs) if workspace.git else ()
    return tuple(sorted(owned_names(workspace.name, tracked)))


def _kind_problem(wheel: zipfile.ZipFile, info: zipfile.ZipInfo) -> str | None:
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind in (0, stat.S_IFREG, stat.S_IFDIR):
        return None
    what = _KINDS.get(kind, f"of file type {kind:#o}")
    if kind == stat.S_IFLNK:
        with wheel.open(info) as member:
            target = member.read(_LINK_READ).decode("utf-8", "replace")
        what += f" (to {target[:_SHOWN]!r})"
    return f"member {info.filename!r} is {what}: a wheel holds regular files only, ship the file"


def _entry_problem(
    member: str, top: str, is_file: bool, owned: frozenset[str], declared: frozenset[str]
) -> str | None:
    """Why `member` may not put the top-level `top` (a file or a directory) in site-packages."""
    if top in declared:
        return None
    if is_file and top.lower().endswith(".pth"):
        return (
            f"member {member!r} installs {top!r}, a .pth file Python runs at every start: "
            f"remove it, or declare it: allow-top-level = [{top!r}]"
        )
    # a module's name is its file name up to the first dot: six.py, _yaml.cpython-312-...so
    name = top.split(".", 1)[0] if is_file else top
    if name.lower() in owned or name in declared:
        return None
    return (
        f"member {member!r} installs a top-level {name!r} into site-packages, and the project's "
        f"committed source tree has no {name!r}: remove it from the wheel, or declare it: "
        f"allow-top-level = [{name!r}]"
    )


def _site_problems(
    names: Iterable[str], stem: str, owned: frozenset[str], declared: frozenset[str]
) -> list[str]:
    data = f"{stem}.data/"
    problems: list[str] = []
    judged: set[tuple[str, bool]] = set()
    for member in names:
        where = member
        if member.startswith(data):
            scheme, _, where = member[len(data) :].partition("/")
            if scheme and scheme not in _SCHEMES:
                problems.append(f"member {member!r} is in {scheme!r}, not a scheme of .data")
            elif scheme == "data" and {p.lower() for p in where.split("/")} & _SITE_DIRECTORIES:
                problems.append(
                    f"member {member!r} installs into site-packages through the data scheme: "
                    "move it into the package"
                )
            elif scheme in ("scripts", "data") and (found := _environment_problem(scheme, where)):
                problems.append(f"member {member!r} {found}")
            if scheme not in _SITE_SCHEMES:
                continue
        top = where.partition("/")[0]
        is_file = "/" not in where
        if not top or top.endswith(".dist-info") or (top, is_file) in judged:
            continue
        judged.add((top, is_file))
        found = _entry_problem(member, top, is_file, owned, declared)
        if found is not None:
            problems.append(found)
    return problems


def _environment_problem(scheme: str, where: str) -> str | None:
    """Why a scripts or data member would overwrite the environment itself (its interpreter,
    its installer, its configuration or its standard library), or None."""
    parts = where.split("/")
    if scheme == "scripts" and _ENVIRONMENT_TOOL.fullmatch(parts[-1]):
        return f"would replace the environment's own {parts[-1]!r}: rename the script"
    if scheme != "data":
        return None
    tool = len(parts) == 2 and parts[0].lower() in ("bin", "scripts")  # noqa: PLR2004
    if where.lower() == "pyvenv.cfg" or (tool and _ENVIRONMENT_TOOL.fullmatch(parts[1])):
        return f"would replace the environment's own {where!r}: ship it under share/ instead"
    if _INTERPRETER_LIB.fullmatch(where):
        return f"installs {where!r} into the interpreter's library: ship it under share/ instead"
    return None


def _destination(member: str, stem: str) -> str:
    """Where an installer writes `member`: .data/purelib and .data/platlib land in
    site-packages with the wheel's other files, other schemes in directories of their own."""
    data = f"{stem}.data/"
    if not member.startswith(data):
        return member
    scheme, _, where = member[len(data) :].partition("/")
    return where if scheme in _SITE_SCHEMES else f"{data}{scheme}/{where}"


def _folded(path: str) -> str:
    return unicodedata.normalize("NFC", path).casefold()


def _collisions(names: Iterable[str], stem: str) -> list[str]:
    """Members an installer writes to one path: the same path (a file and its .data/purelib
    copy), or paths (directories included) equal once case and Unicode form are folded; a
    clash below a clashing directory is that directory's."""
    members: dict[str, list[str]] = {}
    spellings: dict[str, set[str]] = {}
    for name in names:
        destination = _destination(name, stem).rstrip("/")
        members.setdefault(destination, []).append(name)
        parts = destination.split("/")
        for end in range(1, len(parts) + 1):
            path = "/".join(parts[:end])
            spellings.setdefault(_folded(path), set()).add(path)
    same = [
        f"members {found[0]!r} and {found[1]!r} install the same file {path!r}: keep one"
        for path, found in sorted(members.items())
        if len(found) > 1
    ]
    clashing = {key for key, seen in spellings.items() if len(seen) > 1}
    return same + [
        f"members {first!r} and {second!r} are one file on a case-insensitive or "
        "Unicode-normalising file system (macOS, Windows): rename one"
        for key in sorted(clashing)
        if key.rpartition("/")[0] not in clashing
        for first, second in [sorted(spellings[key])[:2]]
    ]


def install_problems(
    wheel: zipfile.ZipFile, stem: str, owned: frozenset[str], declared: frozenset[str]
) -> list[str]:
    """What installing `wheel` (whose .dist-info and .data are `stem`'s) would do that it
    must not; `owned` in lower case."""
    infos = wheel.infolist()
    problems = [found for info in infos if (found := _kind_problem(wheel, info)) is not None]
    names = [info.filename for info in infos]
    return problems + _site_problems(names, stem, owned, declared) + _collisions(names, stem)
