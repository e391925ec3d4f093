"""The other files that carry a project's version, and their rewrites (pure).

Besides the file the version lives in (core/version_source.py), a release usually repeats it:
the project's own entry of `uv.lock`, a `__version__ = "..."` literal in the package, and files
named in `version-files`. Each rewrite changes the version's characters and no other byte, and
raises ConfigError when the file does not hold the version where it should.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from tagship.core.errors import ConfigError
from tagship.core.pyproject import parse_toml

if TYPE_CHECKING:
    from pathlib import Path

# a module-level literal only: an indented one is a fallback inside try/except or a function,
# and `__version__ = version("pkg")` (computed from the metadata) has no quote to match
LITERAL = re.compile(
    r"""^__version__[ \t]*(?::[ \t]*str[ \t]*)?=[ \t]*(?P<q>['"])(?P<version>[^'"\r\n]+)(?P=q)""",
    re.MULTILINE,
)
# the files of a package that conventionally hold `__version__`
LITERAL_FILES = ("__init__.py", "_version.py", "__version__.py", "__about__.py", "version.py")
_PACKAGE_HEADER = re.compile(r"^\[\[package\]\][ \t]*\r?$", re.MULTILINE)
_NEXT_HEADER = re.compile(r"^\[", re.MULTILINE)
_LOCK_VERSION = re.compile(r'^version = "(?P<version>[^"\r\n]*)"', re.MULTILINE)


@dataclass(frozen=True)
class VersionFile:
    """A `version-files` entry: a file (relative to the project) that repeats the version, and
    optionally a regular expression whose `version` group is where."""

    path: str
    pattern: str | None = None

    def __str__(self) -> str:
        return self.path if self.pattern is None else f"{self.path} ({self.pattern})"


def _entry(value: Any) -> VersionFile | None:
    if isinstance(value, str):
        return VersionFile(value)
    if not isinstance(value, dict) or not isinstance(value.get("path"), str):
        return None
    if set(value) - {"path", "pattern"} or not isinstance(value.get("pattern", ""), str):
        return None
    pattern = value.get("pattern")
    if pattern is not None:
        try:
            compiled = re.compile(pattern, re.MULTILINE)
        except re.error as exc:
            raise ConfigError(
                f"`tool.tagship.version-files` pattern {pattern!r} is not a regular "
                f"expression: {exc}"
            ) from None
        if "version" not in compiled.groupindex:
            raise ConfigError(
                f"`tool.tagship.version-files` pattern {pattern!r} has no `version` group",
                hint=r'e.g. pattern = "release = \"(?P<version>[^\"]+)\""',
            )
    return VersionFile(value["path"], pattern)


def version_files_value(value: Any) -> tuple[VersionFile, ...] | None:
    """The `version-files` converter: paths, or `{path = ..., pattern = ...}` tables."""
    if not isinstance(value, list):
        return None
    entries = [_entry(item) for item in value]
    if any(entry is None for entry in entries):
        return None
    return tuple(entry for entry in entries if entry is not None)


def literal_version(text: str) -> str | None:
    """The first module-level `__version__` literal of a module, if it is a PEP 440 version."""
    match = LITERAL.search(text)
    if match is None:
        return None
    try:
        Version(match["version"])
    except InvalidVersion:
        return None  # "unknown", "0+unknown"-style placeholders are not a duplicate
    return match["version"]


def _splice(text: str, spans: list[tuple[int, int]], new: str) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def rewrite_literal(text: str, new: str) -> str:
    """A module with every module-level `__version__` literal set to `new`."""
    spans = [m.span("version") for m in LITERAL.finditer(text)]
    return _splice(text, spans, new)


def rewrite_uv_lock(text: str, path: Path, name: str, new: str) -> tuple[str, str] | None:
    """(new text, old version) of `uv.lock` with the project's own entry at `new`; None when
    the lock has no versioned entry for the project (a dynamic version uv does not record)."""
    data = parse_toml(text, path)  # a lock that is not TOML is the user's to repair
    wanted = canonicalize_name(name)
    packages = data.get("package", [])
    own = [
        p
        for p in packages
        if isinstance(p, dict)
        and canonicalize_name(str(p.get("name", ""))) == wanted
        and isinstance(p.get("source"), dict)
        and ({"editable", "virtual"} & set(p["source"]))
    ]
    if not own or "version" not in own[0]:
        return None
    for header in _PACKAGE_HEADER.finditer(text):
        following = _NEXT_HEADER.search(text, header.end())
        end = len(text) if following is None else following.start()
        block = text[header.end() : end]
        if re.search(rf'^name = "{re.escape(str(own[0]["name"]))}"', block, re.MULTILINE) is None:
            continue
        found = _LOCK_VERSION.search(block)
        if found is None:
            break
        start = header.end() + found.start("version")
        updated = _splice(text, [(start, start + len(found["version"]))], new)
        # the edit must leave the lock parseable, with the entry at the new version
        check = [p for p in parse_toml(updated, path)["package"] if p.get("name") == own[0]["name"]]
        if [p.get("version") for p in check] == [new]:
            return updated, found["version"]
        break
    raise ConfigError(
        f"{path} has an entry for {name} that tagship cannot edit in place",
        hint="run uv lock after the bump, and commit uv.lock",
    )


def rewrite_version_file(text: str, entry: VersionFile, old: str, new: str) -> str:
    """A `version-files` file with the version replaced: where the pattern's `version` group
    matched (exactly once, holding `old`), or without a pattern every whole `old`."""
    if entry.pattern is None:
        # whole versions only: 1.2.3 is not inside 11.2.3, 1.2.30, 1.2.3.post1 or 1.2.3-1
        spans = [
            m.span() for m in re.finditer(rf"(?<![\w.+-]){re.escape(old)}(?![\w+-]|\.\w)", text)
        ]
        if not spans:
            raise ConfigError(
                f"version-files: {entry.path} does not mention the current version {old}",
                hint="give the entry a pattern, or remove it from version-files",
            )
        return _splice(text, spans, new)
    matches = list(re.finditer(entry.pattern, text, re.MULTILINE))
    if len(matches) != 1:
        raise ConfigError(
            f"version-files: the pattern of {entry.path} matches {len(matches)} times "
            "(it must match exactly once)",
            hint="make the pattern specific to the one line that carries the version",
        )
    found = matches[0]["version"]
    if found != old:
        raise ConfigError(
            f"version-files: {entry.path} holds {found}, not the current version {old}",
            hint=f"set it to {old} by hand once (or fix the pattern); bump keeps it in step",
        )
    return _splice(text, [matches[0].span("version")], new)
