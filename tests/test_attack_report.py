"""Attacks on `tagship report`: a ledger whose versions, notes, URLs and project names carry
terminal escapes, bidi overrides and line breaks draws them as visible text in the page, the
summary and the terminal; `--output` refuses a FIFO, a device or a link without reading it."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

from conftest import STATIC_PYPROJECT
from tagship.adapters.git import Git
from tagship.adapters.ledger_store import append_event
from tagship.core.drift import Drift
from tagship.steps.report.html_page import render_html
from tagship.steps.report.markdown import render_markdown
from tagship.steps.report.timeline import build_report
from test_report import GENERATED, chain, event

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

    from conftest import Cli, MakeRepo

RLO = "\u202e"
ACTING = f"1.0.0{RLO}0.0.9\x1b[2J\x1b]8;;https://evil.example/\x07x\x1b]8;;\x07\u2028\u200b"
CHARACTERS = (RLO, "\x1b", "\x07", "\u2028", "\u200b")


def _clean(text: str) -> None:
    assert not any(c in text for c in CHARACTERS), repr(text)


def _hostile() -> list[Drift]:
    return [Drift("pkg", "1.0.0", "pypi", f"moved{ACTING}")]


def test_the_page_and_the_summary_show_acting_characters_as_text() -> None:
    records = chain(
        event("dry-run", "1.0.0", index="testpypi", details={"notes": ACTING}),
        event(
            "yank",
            "1.0.0",
            index="pypi",
            result="intent",
            details={"reason": f"| broken |\n| injected | row |{ACTING}"},
        ),
        event("github-release", "1.0.0", files=(), details={"url": f"https://x/{RLO}y"}),
    )
    report = build_report(records, tuple(_hostile()))
    page = render_html(report, GENERATED)
    markdown = render_markdown(report)
    _clean(page)
    _clean(markdown)
    assert "\\u202e" in page
    assert "\\x1b" in markdown
    rows = [line for line in markdown.splitlines() if line.startswith("| **")]
    assert len(rows) == 1  # the reason's line break forged no row


def test_the_terminal_table_shows_acting_characters_as_text(
    make_repo: MakeRepo, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo({"pyproject.toml": STATIC_PYPROJECT})
    status = f"dry run{ACTING}\tforged\tcolumns"
    append_event(
        Git(repo.path),
        event("publish", "0.4.22", project="sample-pkg", index=f"tp{ACTING}", result=status),
        {},
    )
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = cli("-C", str(repo.path), "report")
    assert result.code == 0, result.err
    _clean(result.out + result.err)
    _clean(summary.read_text(encoding="utf-8"))
    _clean((repo.path / "tagship-report.html").read_text(encoding="utf-8"))
    header = result.out.splitlines()[1]
    for row in result.out.splitlines()[2:-2]:  # after the rows: the wrote line, the next step
        assert row.count("\t") == header.count("\t"), result.out


def _report(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # a real process: an output that blocked would hang the test run, not fail it
    return subprocess.run(
        [sys.executable, "-m", "tagship", "-C", str(cwd), "report", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_fifo_or_a_device_at_the_output_is_refused_without_reading_it(
    make_repo: MakeRepo,
) -> None:
    repo = make_repo({"pyproject.toml": STATIC_PYPROJECT})
    fifo = repo.path / "tagship-report.html"
    os.mkfifo(fifo)
    result = _report(repo.path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1
    assert "was not written by tagship report" in result.stderr
    assert fifo.exists()
    assert not fifo.is_file()  # still the FIFO: nothing replaced it
    device = _report(repo.path, "--output", os.devnull)
    assert device.returncode == 2, device.stderr
    assert device.stderr.count("\n") == 1


def test_a_hard_link_to_a_project_file_is_not_replaced(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo({"pyproject.toml": STATIC_PYPROJECT})
    mine = repo.path / "README.md"
    mine.write_text("the project's own text\n")
    os.link(mine, repo.path / "tagship-report.html")
    result = cli("-C", str(repo.path), "report")
    assert result.code == 2
    assert mine.read_text() == "the project's own text\n"
    assert (repo.path / "tagship-report.html").read_text() == "the project's own text\n"
