"""Keep a Changelog headings that carry their compare link inline, as structlog's do (pure):
`## [Unreleased](https://github.com/o/r/compare/26.1.0...HEAD)` above
`## [26.1.0](https://github.com/o/r/compare/25.5.0...26.1.0) - 2026-06-06`."""

from __future__ import annotations

import re

_INLINE = re.compile(
    r"(?P<lead>##[ \t]+\[unreleased\]\()(?P<base>[^)\s]*/compare/)(?P<old>[^)\s]+?)"
    r"\.\.\.HEAD\)(?P<rest>[ \t]*)",
    re.IGNORECASE,
)


def inline_headings(row: str, *, version: str, tag: str, date: str) -> tuple[str, str] | None:
    """The Unreleased heading `row` (without its line ending) moved on to `tag`, and the
    release's heading with its own compare link; None when `row` links no comparison."""
    match = _INLINE.fullmatch(row)
    if match is None:
        return None
    unreleased = f"{match['lead']}{match['base']}{tag}...HEAD){match['rest']}"
    return unreleased, f"## [{version}]({match['base']}{match['old']}...{tag}) - {date}"
