"""A release's section the maintainer already started under a heading that says it is not
released yet (`1.1 (unreleased)`, `1.1.0 (Unreleased)`, `Unreleased 1.1`, `[1.1.0] -
Unreleased`): it is the release's section, whatever spelling of the version it uses (1.1 is
1.1.0 there), and the release dates its heading, as zest.releaser does, and spells its
version as released (pure)."""

from __future__ import annotations

import re

from packaging.version import Version

from tagship.core.changelog import heading_rows, respelled, versions_in

_MARK = re.compile(r"\bunreleased\b", re.IGNORECASE)
# the mark before the version: `Unreleased 1.1`, `Unreleased: 1.1`, `Unreleased - 1.1`
_LEADING = re.compile(r"unreleased\b[\s:\-\u2013\u2014]*", re.IGNORECASE)
_MD_PREFIX = re.compile(r"#{1,6}[ \t]+")


def _dated(title: str, date: str) -> str:
    """`1.1 (unreleased)` -> `1.1 (DATE)`; `Unreleased 1.1` -> `1.1 (DATE)`."""
    leading = _LEADING.match(title)
    if leading is not None:
        return f"{title[leading.end() :].rstrip()} ({date})"
    return _MARK.sub(date, title, count=1)


def _rule(rule: str, old: str, new: str) -> str:
    """An underline (or overline) for the retitled title: as long as it when it was as long
    as the old one or is now too short (docutils wants it at least as long)."""
    char, length = rule.strip()[:1], len(rule.strip())
    return char * len(new) if length == len(old) or length < len(new) else rule


def date_unreleased(text: str, suffix: str, *, version: str, date: str) -> str | None:
    """The changelog with the heading of `version`'s unreleased section dated; None when it
    has no such section. Every other byte stays."""
    wanted = Version(version)
    rows = text.split("\n")
    bare = [row.removesuffix("\r") for row in rows]
    for index in heading_rows(bare, suffix):
        row = bare[index]
        if not _MARK.search(row) or wanted not in versions_in(row):
            continue
        cr = rows[index][len(row) :]
        prefix = _MD_PREFIX.match(row) if suffix == "md" else None
        head = prefix[0] if prefix else row[: len(row) - len(row.lstrip())]
        title = row[len(head) :].rstrip()
        # spelled as released (1.1 -> 1.1.0), so a rerun finds the section as the release's
        new = respelled(_dated(title, date), version)
        rows[index] = f"{head}{new}{cr}"
        if suffix == "rst":
            for at in (index - 1, index + 1):
                # the underline, and an overline equal to it
                if at == index + 1 or (at >= 0 and bare[at] == bare[index + 1]):
                    ending = rows[at][len(bare[at]) :]
                    rows[at] = _rule(bare[at], title, new) + ending
        return "\n".join(rows)
    return None
