"""The tag format a repository already uses, read from its tags (pure: the tags are given).

A release tag is some prefix followed by a PEP 440 version (`2.32.3`, `v1.2.3`,
`hatchling-v1.25.0`, `core/1.0.0`, `pkg@1.2.3`); the format is that prefix and `{version}`.
The style most of the newest release tags use wins, so a repository that moved from
`coverage-3.7` to `7.6.1` tags keeps its new style. The tags of a package are those naming it
and, for the only package or a repository's root package, those naming none (`v1.2.3`,
`1.2.3`); when neither exist, the only package takes any other prefix (`release-1.2.3`). A
member of a repository of several packages takes the style of the tags naming it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from tagship.core.errors import ConfigError
from tagship.core.names import normalized_name
from tagship.core.versions import NAME_PLACEHOLDER, validate_tag_format

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

_VERSION = "{version}"
# how many of the newest tags of a style decide: old conventions do not outvote new ones
WINDOW = 10
# what may stand between a package's name and its version: `-`, `_`, `/`, `@`, then `v`
_AFTER_NAME = re.compile(r"[-_/@]?v?", re.IGNORECASE)
_GENERIC = ("", "v", "V")


@dataclass(frozen=True)
class TagStyle:
    """A tag format seen in the repository's tags, and why it was chosen."""

    tag_format: str  # the prefix as the tags spell it, then {version}
    why: str
    newest: str  # the newest tag in this format


def split_tag(tag: str) -> tuple[str, Version] | None:
    """(prefix, version) of a release tag: the version is the longest tail that is a PEP 440
    version of at least two release numbers (`1.2`, not a build number) and no local part;
    None for any other tag, and for a prefix tagship cannot write as a tag format."""
    for start, char in enumerate(tag):
        if not char.isdigit() or (start and (tag[start - 1].isdigit() or tag[start - 1] == ".")):
            continue
        try:
            version = Version(tag[start:])
        except InvalidVersion:
            continue
        if len(version.release) < 2 or version.local is not None:  # noqa: PLR2004 - X.Y
            return None
        prefix = tag[:start]
        try:
            validate_tag_format(prefix + _VERSION)
        except ConfigError:
            return None
        return prefix, version
    return None


def spellings(name: str, directory: str) -> tuple[str, ...]:
    """How tags may spell a package: its normalised name, with `_` or `.` or nothing for
    `-`, and its directory's last part (`backend` for hatchling's `backend/`)."""
    normal = normalized_name(name)
    found = [normal, normal.replace("-", "_"), normal.replace("-", "."), normal.replace("-", "")]
    last = directory.rstrip("/").rsplit("/", 1)[-1]
    if last not in ("", "."):
        found.append(last)
    return tuple(dict.fromkeys(found))


def names_package(prefix: str, names: Iterable[str]) -> str | None:
    """The spelling `prefix` starts with when it names the package (`hatchling-v`,
    `core/`, `pkg@`), else None."""
    for name in sorted(names, key=len, reverse=True):  # `a-b` before `a`
        if prefix[: len(name)].lower() == name.lower() and _AFTER_NAME.fullmatch(
            prefix[len(name) :]
        ):
            return prefix[: len(name)]
    return None


def _majority(tags: Sequence[tuple[str, str]], what: str) -> TagStyle | None:
    """The prefix most of the newest `tags` ((tag, prefix), newest first) use; a tie goes to
    the newest."""
    newest = tags[:WINDOW]
    if not newest:
        return None
    counts = Counter(prefix for _, prefix in newest)
    best = max(counts, key=lambda p: (counts[p], -[q for _, q in newest].index(p)))
    example = next(tag for tag, prefix in newest if prefix == best)
    share = (
        f"the {len(newest)} newest {what}"
        if counts[best] == len(newest)
        else f"{counts[best]} of the {len(newest)} newest {what}"
    )
    return TagStyle(best + _VERSION, f"{share} look like {example}", example)


def infer_style(
    tags: Sequence[str],
    own: Sequence[str],
    others: Sequence[str] = (),
    *,
    alone: bool = True,
) -> TagStyle | None:
    """The tag format of a package from the repository's tags (newest first).

    `own`: how tags spell the package; `others`: how they spell the repository's other
    packages. `alone`: the package may use tags that name no package (`v1.2.3`), as the only
    package or the repository's root package does. None: no tag tells.
    """
    split = [(tag, parts[0]) for tag in tags if (parts := split_tag(tag)) is not None]
    if not alone:
        naming = [(t, p) for t, p in split if names_package(p, own) is not None]
        return _majority(naming, "tags naming the package")
    mine = [(t, p) for t, p in split if p in _GENERIC or names_package(p, own) is not None]
    if mine or others:  # with other packages about, a tag naming one of them is not ours
        return _majority(mine, "release tags")
    return _majority(split, "release tags")


def as_template(style: TagStyle, name: str) -> str:
    """The style with the package's normalised name written as `{name}` when the tags spell
    it so (`hatchling-v{version}` -> `{name}-v{version}`), else as the tags spell it."""
    prefix = style.tag_format.removesuffix(_VERSION)
    normal = normalized_name(name)
    if prefix.startswith(normal) and _AFTER_NAME.fullmatch(prefix[len(normal) :]):
        return NAME_PLACEHOLDER + prefix[len(normal) :] + _VERSION
    return style.tag_format
