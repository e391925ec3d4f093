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

from packaging.version import InvalidVersion, Version

from tagship.core.changelog_links import inline_headings
from tagship.core.errors import ConfigError
from tagship.core.notes import pull_line

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tagship.core.notes import ReleaseNotes

CHANGELOG_NAMES = tuple(
    f"{stem}.{suffix}" for suffix in ("md", "rst") for stem in ("CHANGELOG", "CHANGES", "HISTORY")
)
# a version as headings spell it (PEP 440's separators included: 1.2.0-rc.1, 1.2.0.post1)
_VERSION = (
    r"v?\d+(?:\.\d+)+(?:[-_.]?(?:alpha|beta|preview|pre|rc|a|b|c)(?:[-_.]?\d+)?)?"
    r"(?:[-_.]?(?:post|rev|r)(?:[-_.]?\d+)?)?(?:[-_.]?dev(?:[-_.]?\d+)?)?"
)
_VERSION_TOKEN = re.compile(rf"(?<![\w.]){_VERSION}(?![\w]|\.\d)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MD_HEADING = re.compile(r"^(?P<hashes>#{1,6})[ \t]+(?P<title>.*?)[ \t]*$")
_RST_RULE = re.compile(r"^(?P<char>[=\-~^\"'`#*+])(?P=char){2,}[ \t]*$")
# `## [Unreleased]`, also with its compare link inline: `## [Unreleased](.../compare/A...HEAD)`
_UNRELEASED = re.compile(r"^##[ \t]+\[?unreleased\]?(?:\([^)\s]*\))?[ \t]*$", re.IGNORECASE)
_RELEASE_LINK = re.compile(r"^\[[^\]]+\]:\s*(?P<base>\S*/compare/)(?P<old>\S+?)\.\.\.(?P<new>\S+)$")
_UNRELEASED_LINK = re.compile(r"^\[unreleased\]:[ \t]*(?P<url>\S+)[ \t]*$", re.IGNORECASE)
_KAC_SUBHEADING = re.compile(r"^###[ \t]+(.+?)[ \t]*$")
# Keep a Changelog's headings for the label kinds of the pull requests
_KAC_HEADINGS = {"major": "Changed", "minor": "Added", "patch": "Fixed"}
_BOM = "\ufeff"

# The file is split on "\n" only: a line keeps its "\r" (CRLF, or one CRLF line among LF
# ones), and form feeds or U+2028 stay inside their line. Lines tagship writes end as the
# file's do.


def _bare(row: str) -> str:
    """A line without the carriage return of its CRLF ending, for matching."""
    return row.removesuffix("\r")


def _blank(row: str) -> bool:
    return not _bare(row).strip(" \t")


def names_version(row: str, version: str) -> bool:
    """Whether a heading's text names exactly `version`: 1.2.0rc1, 1.2.0-rc.1 or 1.2.0.post1
    name another release than 1.2.0 (and 1.2 is not 1.2.0, as tags compare)."""
    wanted = _normalized(version)
    return wanted is not None and any(
        _normalized(m[0]) == wanted for m in _VERSION_TOKEN.finditer(_bare(row))
    )


def _normalized(text: str) -> str | None:
    try:
        return str(Version(text))
    except InvalidVersion:
        return None


def entries(notes: ReleaseNotes, fixes: str | None = None) -> list[tuple[str, str, list[str]]]:
    """(kind, title, entry lines) of each group of pull requests, as on the GitHub Release; a
    hotfix's section first says which release it fixes (an untitled group)."""
    lead = [("", "", [f"Fixes {fixes}."])] if fixes else []
    return lead + [(s.kind, s.title, [pull_line(p) for p in s.pulls]) for s in notes.sections]


def is_keep_a_changelog(text: str) -> bool:
    lines = text.split("\n")
    return "keepachangelog.com" in text or any(_UNRELEASED.match(_bare(ln)) for ln in lines)


def heading_rows(lines: Sequence[str], suffix: str) -> list[int]:
    """The index of each section title among `lines` (without their CR): a Markdown
    heading, or a reStructuredText title over its underline."""
    if suffix == "md":
        return [i for i, row in enumerate(lines) if _MD_HEADING.match(row)]
    return [i for i in range(len(lines) - 1) if _RST_RULE.match(lines[i + 1])]


def versions_in(row: str) -> list[Version]:
    """The versions a heading's text names."""
    found = (_normalized(m[0]) for m in _VERSION_TOKEN.finditer(_bare(row)))
    return [Version(v) for v in found if v is not None]


def respelled(row: str, version: str) -> str:
    """`row` with the version equal to `version` in PEP 440 (1.1 for 1.1.0) spelled as
    `version`, a leading `v` kept."""
    wanted = Version(version)

    def spell(match: re.Match[str]) -> str:
        found = _normalized(match[0])
        if found is None or Version(found) != wanted:
            return match[0]
        return ("v" if match[0][:1] in "vV" else "") + version

    return _VERSION_TOKEN.sub(spell, row)


def has_section(text: str, version: str, suffix: str) -> bool:
    """Whether a heading already names `version` (a rerun must not add it twice)."""
    lines = [_bare(row) for row in text.split("\n")]
    return any(names_version(lines[i], version) for i in heading_rows(lines, suffix))


def _trimmed(rows: list[str]) -> list[str]:
    """`rows` without the blank lines around them."""
    first = next((i for i, row in enumerate(rows) if not _blank(row)), len(rows))
    last = next((i for i in range(len(rows) - 1, -1, -1) if not _blank(rows[i])), -1)
    return rows[first : last + 1]


def _block_ends(body: list[str]) -> dict[str, int]:
    """The index of the last non-blank line of each `### Heading` block (the first block of a
    heading written twice): where entries for that heading go."""
    ends: dict[str, int] = {}
    current: str | None = None
    for index, row in enumerate(body):
        match = _KAC_SUBHEADING.match(_bare(row))
        if match:
            current = None if match[1] in ends else match[1]
        if current is not None and not _blank(row):
            ends[current] = index
    return ends


def _kac_section(body: list[str], groups: list[tuple[str, str, list[str]]], cr: str) -> list[str]:
    """The Unreleased body, verbatim but for the blank lines around it, with the pull requests
    added at the end of their Keep a Changelog heading's list (a heading it lacks comes last;
    a hotfix's untitled lead line first)."""
    body = _trimmed(body)
    known = "\n".join(body)
    lead: list[str] = []
    added: dict[str, list[str]] = {}
    for kind, title, rows in groups:
        # written by hand in any form: `(#N)`, `[#N](https://...)`
        new = [
            r + cr
            for r in rows
            if (m := re.search(r"\(#(\d+)\)", r)) is None
            or re.search(rf"#{m[1]}(?!\d)", known) is None
        ]
        if not title:
            lead += new
        elif new:
            added.setdefault(_KAC_HEADINGS.get(kind, "Changed"), []).extend(new)
    ends = _block_ends(body)
    inserts: dict[int, list[str]] = {}
    tail: list[str] = []
    for heading, rows in added.items():
        at = ends.get(heading)
        if at is None:
            tail += [cr, f"### {heading}{cr}", cr, *rows]
        else:  # right under a heading with no entries yet, after a blank line
            alone = _KAC_SUBHEADING.match(_bare(body[at])) is not None
            inserts[at] = [cr, *rows] if alone else rows
    out = [*lead, *([cr] if lead and body else [])]
    for index, row in enumerate(body):
        out += [row, *inserts.get(index, [])]
    out += tail if out else tail[1:]
    return [*out, cr] if out else []


def _kac_links(lines: list[str], version: str, tag: str) -> list[str]:
    for index, row in enumerate(lines):
        match = _UNRELEASED_LINK.match(_bare(row))
        found = (
            re.search(r"(?P<base>.*/compare/)(?P<old>.+)\.\.\.HEAD$", match["url"])
            if match
            else None
        )
        if found is None:
            continue
        ending = row[len(_bare(row)) :]
        head = f"[Unreleased]: {found['base']}{tag}...HEAD{ending}"
        link = f"[{version}]: {found['base']}{found['old']}...{tag}{ending}"
        return [*lines[:index], head, link, *lines[index + 1 :]]
    # no Unreleased link (rich's file): the new version's goes above the newest release's
    for index, row in enumerate(lines):
        found = _RELEASE_LINK.match(_bare(row))
        if found is not None:
            ending = row[len(_bare(row)) :]
            link = f"[{version}]: {found['base']}{found['new']}...{tag}{ending}"
            return [*lines[:index], link, *lines[index:]]
    return lines


def _insert_kac(
    lines: list[str],
    groups: list[tuple[str, str, list[str]]],
    *,
    version: str,
    tag: str,
    date: str,
    cr: str,
) -> list[str]:
    # the empty string after the file's last "\n" belongs to no section
    last = len(lines) - 1 if lines[-1] == "" else len(lines)
    start = next((i for i, ln in enumerate(lines) if _UNRELEASED.match(_bare(ln))), None)
    if start is None:  # no Unreleased heading: before the newest release, as the format says
        start = next((i for i, ln in enumerate(lines) if re.match(r"^##[ \t]+\[", ln)), last)
        head, body, end = lines[:start], [], start
    else:
        end = next(
            (i for i in range(start + 1, last) if re.match(r"^##?[ \t]", lines[i])),
            last,
        )
        head, body = [*lines[: start + 1], cr], lines[start + 1 : end]
    heading = f"## [{version}] - {date}{cr}"
    inline = inline_headings(_bare(head[start]), version=version, tag=tag, date=date)
    if inline is not None:  # the links are in the headings: both say the new comparisons
        head[start] = inline[0] + head[start][len(_bare(head[start])) :]
        heading = inline[1] + cr
    section = [heading, cr, *_kac_section(body, groups, cr)]
    return _kac_links([*head, *section, *lines[end:]], version, tag)


def _newest_md(lines: list[str]) -> tuple[int, str] | None:
    for index, row in enumerate(lines):
        match = _MD_HEADING.match(_bare(row))
        if match and _VERSION_TOKEN.search(match["title"]):
            return index, match["hashes"]
    return None


def _retitled(title: str, version: str, date: str) -> str:
    """A release heading's text with its version (keeping a `v`) and date replaced."""
    title = re.sub(
        rf"(?<![\w.])(?P<v>v?){_VERSION.removeprefix('v?')}(?![\w]|\.\d)",
        lambda m: f"{m['v']}{version}",
        title,
        count=1,
    )
    return _DATE.sub(date, title, count=1)


def _insert_md(
    lines: list[str], version: str, date: str, groups: list[tuple[str, str, list[str]]], cr: str
) -> list[str]:
    newest = _newest_md(lines)
    if newest is None:
        # no release yet: under the file's title, if it has one
        at = 1 if lines and lines[0].startswith("# ") else 0
        hashes, heading = "##", f"## {version} ({date}){cr}"
    else:
        at, hashes = newest
        heading = _retitled(lines[at], version, date)
    body: list[str] = []
    for _kind, title, rows in groups:
        body += [f"{hashes}# {title}", "", *rows, ""] if title else [*rows, ""]
    body = [row + cr for row in body or ["No user-facing changes.", ""]]
    before = lines[:at]
    if before and not _blank(before[-1]):
        before.append(cr)
    return [*before, heading, cr, *body, *lines[at:]]


def _insert_rst(
    lines: list[str], version: str, date: str, groups: list[tuple[str, str, list[str]]], cr: str
) -> list[str]:
    newest = None
    for index in range(len(lines) - 1):
        rule = _RST_RULE.match(_bare(lines[index + 1]))
        if rule and not _blank(lines[index]) and _VERSION_TOKEN.search(_bare(lines[index])):
            newest = (index, rule["char"])
            break
    if newest is None:
        raise ConfigError(
            "the reStructuredText changelog has no release section to take its style from",
            hint="add the first release's section by hand; tagship adds the next ones",
        )
    at, char = newest
    overline = at > 0 and _bare(lines[at - 1]) == _bare(lines[at + 1])
    start = at - 1 if overline else at
    title = _retitled(_bare(lines[at]), version, date).strip()
    line = char * len(title)  # an underline as long as its title, as docutils wants
    sub = next((c for c in "-~^\"'`" if c != char), "~")
    body: list[str] = []
    for _kind, name, rows in groups:
        body += [name, sub * len(name), "", *rows, ""] if name else [*rows, ""]
    heading = [line, title, line] if overline else [title, line]
    new = [*heading, "", *(body or ["No user-facing changes.", ""])]
    return [*lines[:start], *(row + cr for row in new), *lines[start:]]


def insert_section(
    text: str,
    suffix: str,
    *,
    version: str,
    tag: str,
    date: str,
    groups: Sequence[tuple[str, str, list[str]]],
) -> str | None:
    """The changelog with the release's section added; None when it already has one. Every
    byte outside the new section (and the moved Unreleased entries) stays as it was."""
    if has_section(text, version, suffix):
        return None
    bom = _BOM if text.startswith(_BOM) else ""  # a BOM belongs before the title
    # new lines end as most of the file's do
    cr = "\r" if 2 * text.count("\r\n") > text.count("\n") else ""
    lines = text[len(bom) :].split("\n")
    if suffix == "rst":
        new = _insert_rst(lines, version, date, list(groups), cr)
    elif is_keep_a_changelog(text):
        new = _insert_kac(lines, list(groups), version=version, tag=tag, date=date, cr=cr)
    else:
        new = _insert_md(lines, version, date, list(groups), cr)
    return bom + "\n".join(new)


def rst_section(text: str, version: str) -> str | None:
    """The reStructuredText section whose title names `version`, up to the next title
    underlined with the same character."""
    lines = text.splitlines()
    for index in range(len(lines) - 1):
        rule = _RST_RULE.match(lines[index + 1])
        if rule is None or not names_version(lines[index], version):
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
