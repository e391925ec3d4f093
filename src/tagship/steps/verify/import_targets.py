"""Which modules the install check imports, read from the wheel's RECORD.

By default (`import = "top-level"`) each top-level import package or module the wheel
provides. A namespace package (a directory without `__init__.py`, PEP 420, or an
`__init__.py` that only extends `__path__`, pkgutil or pkg_resources style) proves nothing
when it imports, so the check looks through it to each regular package or module under it,
as deep as it takes. `import = "all"` imports every module; `exclude` patterns (globs on
dotted names) leave out a module and everything under it. `__main__` modules are never
imported (importing one runs the program), nor bare `lib*.so` files (shared libraries, not
modules); what `.data/purelib` and `.data/platlib` install counts as the wheel's own.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from fnmatch import fnmatchcase
from importlib.machinery import BYTECODE_SUFFIXES, EXTENSION_SUFFIXES, SOURCE_SUFFIXES
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from tagship.core.install_config import ImportMode, InstallSettings

# longest first: `.cpython-311-x86_64-linux-gnu.so` before the bare `.so`
_SUFFIXES = sorted({*SOURCE_SUFFIXES, *BYTECODE_SUFFIXES, *EXTENSION_SUFFIXES}, key=len)[::-1]
# what an `__init__.py` of a pkgutil- or pkg_resources-style namespace package calls
_NAMESPACE_CALLS = (b"extend_path(", b"declare_namespace(")


@dataclass(frozen=True)
class ImportPlan:
    """What the import check imports, and what the configuration left out."""

    mode: ImportMode
    imported: tuple[str, ...]
    # modules left out by `exclude`
    excluded: tuple[str, ...] = ()
    # namespace packages looked through to the packages under them
    namespaces: tuple[str, ...] = ()
    # `exclude` patterns that match no module of the wheel (a typo, or a module gone)
    unmatched: tuple[str, ...] = ()


def _module_name(file_name: str) -> str | None:
    suffix = next((s for s in _SUFFIXES if file_name.endswith(s)), None)
    if suffix is None:
        return None
    stem = file_name[: -len(suffix)]
    if suffix == ".so" and stem.startswith("lib"):
        return None
    return stem


def _identifier(part: str) -> bool:
    return part.isidentifier() and not keyword.iskeyword(part)


def module_files(paths: Iterable[str]) -> dict[str, str]:
    """Dotted name -> RECORD path of each module and package `__init__` that `paths` install."""
    files: dict[str, str] = {}
    for path in paths:
        parts = path.split("/")
        if parts[0].endswith(".data") and len(parts) > 2 and parts[1] in ("purelib", "platlib"):  # noqa: PLR2004
            parts = parts[2:]
        elif parts[0].endswith((".dist-info", ".data")):
            continue
        module = _module_name(parts[-1])
        if module is None or "__pycache__" in parts:
            continue
        dotted = parts[:-1] if module == "__init__" else [*parts[:-1], module]
        if not dotted or dotted[-1] == "__main__" or not all(map(_identifier, dotted)):
            continue
        files.setdefault(".".join(dotted), path)
    return files


def importable_modules(paths: Iterable[str]) -> list[str]:
    """The dotted names of every module and package the RECORD paths `paths` install,
    namespace packages included."""
    names: set[str] = set()
    for name in module_files(paths):
        parts = name.split(".")
        names.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return sorted(names)


def _excluded(name: str, patterns: tuple[str, ...]) -> bool:
    """`name` or a package it is in matches one of the patterns."""
    parts = name.split(".")
    heads = [".".join(parts[: i + 1]) for i in range(len(parts))]
    return any(fnmatchcase(head, p) for head in heads for p in patterns)


def _top_level(
    paths: list[str], patterns: tuple[str, ...], read: Callable[[str], bytes]
) -> tuple[list[str], list[str], list[str]]:
    """The top-level packages and modules, looking through namespace packages: (imported,
    excluded, namespaces looked through)."""
    files = module_files(paths)
    children: dict[str, list[str]] = {}
    for name in importable_modules(paths):
        children.setdefault(name.rpartition(".")[0], []).append(name)
    imported: list[str] = []
    excluded: list[str] = []
    namespaces: list[str] = []

    def namespace(name: str) -> bool:
        init = files.get(name)
        if init is None:  # a directory of modules without __init__: PEP 420
            return name in children
        return init.endswith("/__init__.py") and any(c in read(init) for c in _NAMESPACE_CALLS)

    def visit(name: str) -> None:
        if _excluded(name, patterns):
            excluded.append(name)
        elif not namespace(name):
            imported.append(name)
        else:
            at = len(namespaces)
            before = len(imported) + len(excluded)
            for child in children.get(name, ()):
                visit(child)
            if len(imported) + len(excluded) > before or name not in files:
                namespaces.insert(at, name)
            else:
                imported.append(name)  # a pkgutil namespace with nothing under it: itself

    for top in children.get("", ()):
        visit(top)
    return imported, excluded, namespaces


def plan_imports(
    paths: list[str], settings: InstallSettings, read: Callable[[str], bytes]
) -> ImportPlan:
    """What to import from a wheel whose RECORD lists `paths`; `read` gives a member's bytes
    (to tell a pkgutil-style namespace `__init__.py` from a package's)."""
    if settings.imports == "none":
        return ImportPlan("none", ())
    everything = importable_modules(paths)
    patterns = settings.exclude
    unmatched = tuple(p for p in patterns if not any(_excluded(n, (p,)) for n in everything))
    if settings.imports == "all":
        kept = [n for n in everything if not _excluded(n, patterns)]
        dropped = [n for n in everything if _excluded(n, patterns)]
        return ImportPlan("all", tuple(kept), tuple(dropped), unmatched=unmatched)
    imported, excluded, namespaces = _top_level(paths, patterns, read)
    return ImportPlan("top-level", tuple(imported), tuple(excluded), tuple(namespaces), unmatched)
