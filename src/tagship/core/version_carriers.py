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

from packaging.version import InvalidVersion, Version

from tagship.core.errors import ConfigError
from tagship.core.names import normalized_name
from tagship.core.pyproject import parse_toml

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

# the string token of a literal: one quoted string, no prefix but r/u, no escape, one line
_TOKEN = re.compile(r"""[rRuU]?(?P<q>['"])(?P<version>[^'"\\\r\n]+)(?P=q)""")
_LINE_END = re.compile(r"\r\n|\r|\n")  # Python's own newlines (not form feeds nor U+2028)
_BOM = "\ufeff"
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


@dataclass(frozen=True)
class PatternHits:
    """Where a `version-files` pattern matched a file: how often, and the `version` group's
    span in its first match (None when it matched nothing, or the group took no part)."""

    count: int
    first: tuple[int, int] | None


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


def _literals(text: str) -> list[tuple[int, int, str]]:
    """(start, end, value) of the version characters of each module-level `__version__`
    literal, in order. Found by `ast`, so a line of a docstring, an indented fallback inside
    try/except and `__version__ = version("pkg")` (computed from the metadata) never count."""
    import ast  # noqa: PLC0415 - only bump and check-tag read modules; every start pays not

    bom = len(_BOM) if text.startswith(_BOM) else 0
    try:
        tree = ast.parse(text[bom:])
    except (SyntaxError, ValueError):
        return []  # not a module Python can read: nothing tagship could rewrite safely
    starts = [bom] + [m.end() for m in _LINE_END.finditer(text)]
    found = []
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        named = any(isinstance(t, ast.Name) and t.id == "__version__" for t in targets)
        if not named or not isinstance(value, ast.Constant) or not isinstance(value.value, str):
            continue
        if value.end_lineno != value.lineno or value.end_col_offset is None:
            continue  # a string over several lines is no plain literal
        # ast counts columns in UTF-8 bytes; the line's own characters give the offsets
        start = starts[value.lineno - 1]
        line = text[start : starts[value.lineno] if value.lineno < len(starts) else len(text)]
        raw = line.encode("utf-8")
        before = len(raw[: value.col_offset].decode("utf-8"))
        token = raw[value.col_offset : value.end_col_offset].decode("utf-8")
        match = _TOKEN.fullmatch(token)
        if match is not None:
            at = start + before + match.start("version")
            found.append((at, at + len(match["version"]), match["version"]))
    return found


def literal_version(text: str) -> str | None:
    """The first module-level `__version__` literal of a module, if it is a PEP 440 version."""
    for _start, _end, value in _literals(text):
        try:
            Version(value)
        except InvalidVersion:
            return None  # "unknown", "0+unknown"-style placeholders are not a duplicate
        return value
    return None


def _splice(text: str, spans: list[tuple[int, int]], new: str) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def rewrite_literal(text: str, new: str) -> str:
    """A module with every module-level `__version__` literal set to `new`."""
    return _splice(text, [(start, end) for start, end, _value in _literals(text)], new)


def rewrite_uv_lock(text: str, path: Path, name: str, new: str) -> tuple[str, str] | None:
    """(new text, old version) of `uv.lock` with the project's own entry at `new`; None when
    the lock has no versioned entry for the project (a dynamic version uv does not record)."""
    data = parse_toml(text, path)  # a lock that is not TOML is the user's to repair
    wanted = normalized_name(name)
    packages = data.get("package", [])
    own = [
        p
        for p in packages
        if isinstance(p, dict)
        and normalized_name(str(p.get("name", ""))) == wanted
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


def rewrite_version_file(
    text: str,
    entry: VersionFile,
    old: str,
    new: str,
    *,
    search: Callable[[str, str], PatternHits],
    edited: bool = False,
) -> str:
    """A `version-files` file with the version replaced: where the pattern's `version` group
    matched (exactly once, holding `old`), or without a pattern every whole `old`.

    `search` matches the pattern (with a time budget: one from the configuration may
    backtrack without end). `edited`: bump already rewrote the file as another carrier
    (pyproject.toml, uv.lock, a `__version__` module) and the entry was checked against the
    file as it was; what that edit already changed is left as it is, and only the rest is
    replaced."""
    if entry.pattern is None:
        # whole versions only: 1.2.3 is not inside 11.2.3, 1.2.30, 1.2.3.post1 or 1.2.3-1
        spans = [
            m.span() for m in re.finditer(rf"(?<![\w.+-]){re.escape(old)}(?![\w+-]|\.\w)", text)
        ]
        if not spans and not edited:
            raise ConfigError(
                f"version-files: {entry.path} does not mention the current version {old}",
                hint="give the entry a pattern, or remove it from version-files",
            )
        return _splice(text, spans, new)
    hits = search(entry.pattern, text)
    span = hits.first
    found = None if span is None else text[span[0] : span[1]]
    if edited:
        # the pattern's place holds `new` already when the other edit changed it
        if hits.count == 1 and span is not None and found == old:
            return _splice(text, [span], new)
        return text
    if hits.count != 1:
        raise ConfigError(
            f"version-files: the pattern of {entry.path} matches {hits.count} times "
            "(it must match exactly once)",
            hint="make the pattern specific to the one line that carries the version",
        )
    if span is None or found != old:
        raise ConfigError(
            f"version-files: {entry.path} holds {found}, not the current version {old}",
            hint=f"set it to {old} by hand once (or fix the pattern); bump keeps it in step",
        )
    return _splice(text, [span], new)
