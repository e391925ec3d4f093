"""The report as one self-contained HTML page: inline CSS, no script, no font, image or
style sheet from elsewhere, so it renders from a file with no server and no network.
Every text taken from the ledger or an index is escaped (`_t`): a version or a note that
holds markup shows as text."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from tagship.core.printable import printable
from tagship.core.words import plural
from tagship.steps.report.wording import moment

if TYPE_CHECKING:
    from tagship.steps.report.timeline import Cell, Entry, Report, Row

# `tagship report` overwrites only a file that carries this (steps/report/output.py)
GENERATOR = '<meta name="generator" content="tagship report">'

_CSS = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  margin: 0; padding: 24px 32px; color: #1f2328; background: #ffffff; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
.meta { color: #59636e; margin: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #d0d7de; padding: 8px 10px; vertical-align: top; text-align: left; }
thead th { background: #f6f8fa; font-weight: 600; }
tbody th { background: #fbfcfd; min-width: 9em; }
.version { font-size: 17px; font-weight: 700; display: block; }
.project, .sub, time, .actor { color: #59636e; font-size: 13px; display: block; }
time { white-space: nowrap; }
.badge { display: inline-block; border-radius: 10px; padding: 1px 9px; font-size: 13px;
  font-weight: 600; border: 1px solid transparent; white-space: nowrap; }
.good { background: #dafbe1; color: #116329; border-color: #4ac26b; }
.warn { background: #fff8c5; color: #7d4e00; border-color: #d4a72c; }
.bad { background: #ffebe9; color: #a40e26; border-color: #ff8182; }
.none { background: #f6f8fa; color: #59636e; border-color: #d0d7de; }
details { margin-top: 4px; font-size: 13px; }
summary { color: #0969da; cursor: pointer; }
ul { margin: 4px 0 0; padding-left: 18px; }
.marks .badge { margin: 0 4px 4px 0; }
ol.timeline { list-style: none; padding: 0; margin: 0; }
ol.timeline li { border-left: 3px solid #d0d7de; padding: 3px 0 3px 12px; margin-left: 6px; }
ol.timeline li.line-good { border-left-color: #4ac26b; }
ol.timeline li.line-warn { border-left-color: #d4a72c; }
ol.timeline li.line-bad { border-left-color: #ff8182; }
ol.timeline time { display: inline-block; width: 12em; white-space: nowrap; }
ol.timeline .actor { display: inline; margin-left: 8px; }
.empty { color: #59636e; font-style: italic; }
footer { margin-top: 28px; color: #59636e; font-size: 13px; }
"""


def _t(text: str) -> str:
    # a bidi override would show the text reversed, a control is no text: both escaped
    return escape(printable(text, keep="\n\t"), quote=True)


def _badge(word: str, tone: str) -> str:
    return f'<span class="badge {tone}">{_t(word)}</span>'


def _time(time: str | None) -> str:
    if time is None:
        return ""
    return f'<time datetime="{_t(time)}">{_t(moment(time))} UTC</time>'


def _notes(notes: tuple[str, ...]) -> str:
    if not notes:
        return ""
    items = "".join(f"<li>{_t(n)}</li>" for n in notes)
    return f"<details><summary>{plural(len(notes), 'record')}</summary><ul>{items}</ul></details>"


def _cell(cell: Cell) -> str:
    badge = _badge(cell.status, cell.tone)
    if cell.link is not None:
        badge = f'<a href="{_t(cell.link)}">{badge}</a>'
    drift = "".join(f"<div>{_badge('drift', 'bad')} {_t(found)}</div>" for found in cell.drift)
    return f'<td class="cell">{badge}{_time(cell.time)}{drift}{_notes(cell.notes)}</td>'


def _row(row: Row, *, several: bool) -> str:
    project = f'<span class="project">{_t(row.project)}</span>' if several else ""
    tag = f"tagged {row.tag}" if row.tag else "not tagged"
    tagged = f" · {moment(row.tagged)} UTC" if row.tagged else ""
    head = (
        f'<th scope="row">{project}<span class="version">{_t(row.version)}</span>'
        f'<span class="sub">{_t(tag + tagged)}</span></th>'
    )
    marks = (
        "".join(f"<div>{_badge(m.label, m.tone)} {_t(m.detail)}</div>" for m in row.marks)
        or '<span class="empty">none</span>'
    )
    cells = "".join(_cell(c) for c in row.cells)
    return f'<tr>{head}{cells}<td class="marks">{marks}</td></tr>'


def _entry(entry: Entry, *, several: bool) -> str:
    project = f"{entry.project} " if several else ""
    text = f" — {entry.text}" if entry.text else ""
    return (
        f'<li class="line-{entry.tone}">{_time(entry.time)}{_badge(entry.label, entry.tone)} '
        f"<strong>{_t(project + entry.version)}</strong> on {_t(entry.where)}{_t(text)}"
        f'<span class="actor">#{entry.seq} by {_t(entry.actor)}</span></li>'
    )


_NO_DRIFT = "none reported (tagship watch compares each release with the ledger)"
_FOOTER = (
    "Made by <code>tagship report</code> from the release ledger (refs/tagship/ledger). "
    "Badges: green done and checked; yellow needs a look (a yank requested, a hotfix, a "
    "rollback); red failed, yanked or drifted."
)


def _drift(report: Report) -> str:
    if not report.drift:
        return f'<p class="empty">{_NO_DRIFT}</p>'
    items = "".join(
        f"<li>{_badge('drift', 'bad')} {_t(d.project)} {_t(d.version or '')} on {_t(d.where)}: "
        f"{_t(d.message)}</li>"
        for d in report.drift
    )
    return f"<ul>{items}</ul>"


def _versions(report: Report) -> str:
    several = report.several
    heads = "".join(f'<th scope="col">{_t(c.title)}</th>' for c in report.columns)
    rows = "".join(_row(r, several=several) for r in report.rows)
    if not rows:
        span = len(report.columns) + 2
        rows = f'<tr><td colspan="{span}" class="empty">the ledger records no release</td></tr>'
    return (
        f'<table><thead><tr><th scope="col">version</th>{heads}'
        f'<th scope="col">hotfixes, rollbacks, drift</th></tr></thead><tbody>{rows}</tbody></table>'
    )


def render_html(report: Report, generated: str) -> str:
    """The page; `generated` is the UTC time it was made (ISO 8601)."""
    name = _t(", ".join(report.projects) or "this repository")
    head = f", head {_t(report.head[:12])}" if report.head else ""
    counted = f"{plural(len(report.rows), 'version')} from "
    counted += f"{plural(len(report.entries), 'ledger record')}{head}"
    made = f"{_t(moment(generated))} UTC"
    entries = "".join(_entry(e, several=report.several) for e in report.entries)
    timeline = entries or '<li class="empty">nothing recorded</li>'
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
{GENERATOR}
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Releases of {name}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>Releases of {name}</h1>
<p class="meta">{counted}; generated {made}</p>
</header>
<h2>Versions</h2>
{_versions(report)}
<h2>Drift</h2>
{_drift(report)}
<h2>Timeline</h2>
<ol class="timeline">{timeline}</ol>
<footer>{_FOOTER}</footer>
</body>
</html>
"""
