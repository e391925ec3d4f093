"""The report as Markdown, for a CI job's summary (`$GITHUB_STEP_SUMMARY` renders it, HTML
included): the versions as a table, then the drift. Text from the ledger or an index is
escaped for both Markdown and HTML (`_md`)."""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING

from tagship.core.printable import printable
from tagship.core.words import plural
from tagship.steps.report.wording import moment

if TYPE_CHECKING:
    from tagship.steps.report.timeline import Cell, Report, Row

# what starts markup inside a table cell (HTML is escaped as entities first)
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_ICONS = {"good": "✅", "warn": "⚠️", "bad": "❌", "none": "·"}
# GitHub drops a step's whole summary past 1024k: the newest versions, the first marks and
# findings, and texts cut short keep it far below (the page holds everything)
ROWS, MARKS, FINDINGS, TEXT = 30, 5, 50, 200


def _md(text: str) -> str:
    """Plain text in a table cell: no markup, no link, no line break, no HTML; cut short."""
    flat = " ".join(text.split())
    flat = flat if len(flat) <= TEXT else flat[: TEXT - 1] + "…"
    return _SPECIAL.sub(r"\\\1", escape(printable(flat), quote=False))


def markdown_cell(text: str) -> str:
    """Text from the ledger or an index as a Markdown table cell (`tagship watch`'s too)."""
    return _md(text)


def _more(count: int, shown: int, what: str) -> list[str]:
    left = count - shown
    return [f"(+{plural(left, what)}: see the page)"] if left > 0 else []


def _cell(cell: Cell) -> str:
    when = f" {moment(cell.time)}" if cell.time else ""
    drift = f" {_ICONS['bad']} drift" if cell.drift else ""
    return f"{_ICONS[cell.tone]} {_md(cell.status)}{when}{drift}"


def _row(row: Row, *, several: bool) -> str:
    name = f"{row.project} {row.version}" if several else row.version
    tag = f" ({_md(row.tag)})" if row.tag else ""
    marks = [f"{_ICONS[m.tone]} {_md(m.label)}: {_md(m.detail)}" for m in row.marks[:MARKS]]
    marks += _more(len(row.marks), MARKS, "mark")
    cells = " | ".join(_cell(c) for c in row.cells)
    return f"| **{_md(name)}**{tag} | {cells} | {'; '.join(marks)} |"


def render_markdown(report: Report) -> str:
    """The summary's Markdown: a heading, the versions, and the drift if there is any."""
    name = ", ".join(report.projects) or "this repository"
    titles = " | ".join(_md(c.title) for c in report.columns)
    drift = plural(len(report.drift), "finding") if report.drift else "none reported"
    counted = f"{plural(len(report.rows), 'version')} from "
    counted += f"{plural(len(report.entries), 'ledger record')}; drift: {drift}"
    lines = [
        f"### Releases of {_md(name)}",
        "",
        counted,
        "",
        f"| version | {titles} | hotfixes, rollbacks, drift |",
        "|---|" + "---|" * (len(report.columns) + 1),
        *(_row(r, several=report.several) for r in report.rows[:ROWS]),
    ]
    older = _more(len(report.rows), ROWS, "older version")
    lines += ["", *older] if older else []
    if report.drift:
        lines += ["", "#### Drift", ""]
        lines += [
            f"- ❌ {_md(d.project)} {_md(d.version or '')} on {_md(d.where)}: {_md(d.message)}"
            for d in report.drift[:FINDINGS]
        ]
        lines += _more(len(report.drift), FINDINGS, "finding")
    return "\n".join(lines) + "\n"
