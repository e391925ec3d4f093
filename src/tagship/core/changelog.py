"""A release's section in the project's changelog file, written in the file's own style (pure).

Keep a Changelog files (an `## [Unreleased]` heading, `## [1.2.0] - 2024-05-01` sections) get
the Unreleased entries moved into the new version's section under an empty Unreleased heading,
the pull requests added under Added/Changed/Fixed, and their compare links updated. Any other
Markdown or reStructuredText changelog gets a section shaped like its newest release section:
the same heading level (or underline character) and the same spelling of version and date.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tagship.core.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tagship.core.notes import ReleaseNotes

CHANGELOG_NAMES = tuple(
    f"{stem}.{suffix}" for suffix in ("md", "rst") for stem in ("CHANGELOG", "CHANGES", "HISTORY")
)
_VERSION = (
    r"v?\d+(?:\.\d+)+(?:[-_.]?(?:a|b|rc|alpha|beta|c|pre|preview)\d*)?(?:\.?post\d+)?(?:\.?dev\d+)?"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MD_HEADING = re.compile(r"^(?P<hashes>#{1,6})[ \t]+(?P<title>.*?)[ \t]*$")
_RST_RULE = re.compile(r"^(?P<char>[=\-~^\"'`#*+])(?P=char){2,}[ \t]*$")
_UNRELEASED = re.compile(r"^##[ \t]+\[?unreleased\]?[ \t]*$", re.IGNORECASE)
_UNRELEASED_LINK = re.compile(r"^\[unreleased\]:[ \t]*(?P<url>\S+)[ \t]*$", re.IGNORECASE)
# Keep a Changelog's headings for the label kinds of the pull requests
_KAC_HEADINGS = {"major": "Changed", "minor": "Added", "patch": "Fixed"}


def _token(version: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w.])v?{re.escape(version)}(?![\w]|\.\d)")


def entries(notes: ReleaseNotes, fixes: str | None = None) -> list[tuple[str, str, list[str]]]:
    """(kind, title, entry lines) of each group of pull requests, as on the GitHub Release; a
    hotfix's section first says which release it fixes (an untitled group)."""
    lead = [("", "", [f"Fixes {fixes}."])] if fixes else []
    return lead + [
        (s.kind, s.title, [f"- {p.title} (#{p.number}) @{p.author}" for p in s.pulls])
        for s in notes.sections
    ]


def is_keep_a_changelog(text: str) -> bool:
    lines = text.splitlines()
    return "keepachangelog.com" in text or any(_UNRELEASED.match(ln) for ln in lines)


def has_section(text: str, version: str, suffix: str) -> bool:
    """Whether a heading already names `version` (a rerun must not add it twice)."""
    lines = text.splitlines()
    pattern = _token(version)
    for index, row in enumerate(lines):
        heading = _MD_HEADING.match(row) if suffix == "md" else None
        underlined = (
            suffix == "rst" and index + 1 < len(lines) and _RST_RULE.match(lines[index + 1])
        )
        if (heading or underlined) and pattern.search(row):
            return True
    return False


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _kac_section(body: list[str], groups: list[tuple[str, str, list[str]]]) -> list[str]:
    """The Unreleased body with the pull requests merged in under Keep a Changelog headings."""
    order: list[str] = []
    blocks: dict[str, list[str]] = {"": []}
    current = ""
    for row in body:
        match = re.match(r"^###[ \t]+(.+?)[ \t]*$", row)
        if match:
            current = match[1]
            order.append(current)
            blocks[current] = []
        elif row.strip():
            blocks[current].append(row)
    known = "\n".join(body)
    for kind, title, rows in groups:
        heading = _KAC_HEADINGS.get(kind, "Changed") if title else ""
        new = [r for r in rows if (m := re.search(r"\(#\d+\)", r)) is None or m[0] not in known]
        if heading not in blocks:
            order.append(heading)
            blocks[heading] = []
        blocks[heading].extend(new)
    out = [*blocks[""], ""] if blocks[""] else []
    for heading in order:
        if blocks[heading]:
            out += [f"### {heading}", "", *blocks[heading], ""]
    return out


def _kac_links(lines: list[str], version: str, tag: str) -> list[str]:
    for index, row in enumerate(lines):
        match = _UNRELEASED_LINK.match(row)
        found = (
            re.search(r"(?P<base>.*/compare/)(?P<old>.+)\.\.\.HEAD$", match["url"])
            if match
            else None
        )
        if found is None:
            continue
        head = f"[Unreleased]: {found['base']}{tag}...HEAD"
        link = f"[{version}]: {found['base']}{found['old']}...{tag}"
        return [*lines[:index], head, link, *lines[index + 1 :]]
    return lines


def _insert_kac(
    lines: list[str], version: str, tag: str, date: str, groups: list[tuple[str, str, list[str]]]
) -> list[str]:
    start = next((i for i, ln in enumerate(lines) if _UNRELEASED.match(ln)), None)
    if start is None:  # no Unreleased heading: before the newest release, as the format says
        start = next((i for i, ln in enumerate(lines) if re.match(r"^##[ \t]+\[", ln)), len(lines))
        head, body, end = lines[:start], [], start
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if re.match(r"^##?[ \t]", lines[i])),
            len(lines),
        )
        head, body = [*lines[: start + 1], ""], lines[start + 1 : end]
    section = [f"## [{version}] - {date}", "", *_kac_section(body, groups)]
    return _kac_links([*head, *section, *lines[end:]], version, tag)


def _newest_md(lines: list[str]) -> tuple[int, str] | None:
    for index, row in enumerate(lines):
        match = _MD_HEADING.match(row)
        if match and re.search(rf"(?<![\w.]){_VERSION}(?![\w])", match["title"]):
            return index, match["hashes"]
    return None


def _retitled(title: str, version: str, date: str) -> str:
    """A release heading's text with its version (keeping a `v`) and date replaced."""
    title = re.sub(
        rf"(?<![\w.])(?P<v>v?){_VERSION.removeprefix('v?')}(?![\w])",
        lambda m: f"{m['v']}{version}",
        title,
        count=1,
    )
    return _DATE.sub(date, title, count=1)


def _insert_md(
    lines: list[str], version: str, date: str, groups: list[tuple[str, str, list[str]]]
) -> list[str]:
    newest = _newest_md(lines)
    if newest is None:
        # no release yet: under the file's title, if it has one
        at = 1 if lines and lines[0].startswith("# ") else 0
        hashes, heading = "##", f"## {version} ({date})"
    else:
        at, hashes = newest
        heading = _retitled(lines[at], version, date)
    body: list[str] = []
    for _kind, title, rows in groups:
        body += [f"{hashes}# {title}", "", *rows, ""] if title else [*rows, ""]
    before = lines[:at]
    if before and before[-1].strip():
        before.append("")
    return [*before, heading, "", *(body or ["No user-facing changes.", ""]), *lines[at:]]


def _insert_rst(
    lines: list[str], version: str, date: str, groups: list[tuple[str, str, list[str]]]
) -> list[str]:
    newest = None
    for index in range(len(lines) - 1):
        rule = _RST_RULE.match(lines[index + 1])
        if rule and lines[index].strip() and re.search(_VERSION, lines[index]):
            newest = (index, rule["char"])
            break
    if newest is None:
        raise ConfigError(
            "the reStructuredText changelog has no release section to take its style from",
            hint="add the first release's section by hand; tagship adds the next ones",
        )
    at, char = newest
    overline = at > 0 and lines[at - 1] == lines[at + 1]
    start = at - 1 if overline else at
    title = _retitled(lines[at], version, date).strip()
    line = char * len(title)  # an underline as long as its title, as docutils wants
    sub = next((c for c in "-~^\"'`" if c != char), "~")
    body: list[str] = []
    for _kind, name, rows in groups:
        body += [name, sub * len(name), "", *rows, ""] if name else [*rows, ""]
    heading = [line, title, line] if overline else [title, line]
    return [
        *lines[:start],
        *heading,
        "",
        *(body or ["No user-facing changes.", ""]),
        *lines[start:],
    ]


def insert_section(
    text: str,
    suffix: str,
    *,
    version: str,
    tag: str,
    date: str,
    groups: Sequence[tuple[str, str, list[str]]],
) -> str | None:
    """The changelog with the release's section added; None when it already has one."""
    if has_section(text, version, suffix):
        return None
    newline = _newline(text)
    lines = text.splitlines()
    if suffix == "rst":
        new = _insert_rst(lines, version, date, list(groups))
    elif is_keep_a_changelog(text):
        new = _insert_kac(lines, version, tag, date, list(groups))
    else:
        new = _insert_md(lines, version, date, list(groups))
    ending = newline if text.endswith(("\n", "\r")) or not text else ""
    return newline.join(new) + ending


def rst_section(text: str, version: str) -> str | None:
    """The reStructuredText section whose title names `version`, up to the next title
    underlined with the same character."""
    lines = text.splitlines()
    pattern = _token(version)
    for index in range(len(lines) - 1):
        rule = _RST_RULE.match(lines[index + 1])
        if rule is None or not pattern.search(lines[index]):
            continue
        end = next(
            (
                j
                for j in range(index + 2, len(lines) - 1)
                if lines[j].strip() and lines[j + 1].startswith(rule["char"] * 3)
            ),
            len(lines),
        )
        return "\n".join(lines[index + 2 : end])
    return None
