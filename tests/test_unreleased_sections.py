"""A section the maintainer started as `1.1 (unreleased)` (or `Unreleased 1.1`, `1.1.0
(unreleased)`) is the release's own: its heading is dated and spells the version as released,
no second section is added. A Keep a Changelog Unreleased heading that links its comparison
inline is one too."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from conftest import git
from rollback_kit import merge
from tagship.core.changelog import insert_section
from tagship.core.changelog_unreleased import date_unreleased

if TYPE_CHECKING:
    from conftest import Cli, MakeRepo

DATE = "2026-05-01"


@pytest.mark.parametrize(
    ("heading", "dated"),
    [
        ("## 1.1 (unreleased)", "## 1.1.0 (2026-05-01)"),
        ("## 1.1.0 (Unreleased)", "## 1.1.0 (2026-05-01)"),
        ("## Unreleased 1.1", "## 1.1.0 (2026-05-01)"),
        ("### Unreleased: v1.1.0", "### v1.1.0 (2026-05-01)"),
        ("## [1.1.0] - Unreleased", "## [1.1.0] - 2026-05-01"),
    ],
)
def test_markdown_headings_are_dated(heading: str, dated: str) -> None:
    text = f"# Changes\n\n{heading}\n\n- Hand-written entry\n\n## 1.0 (2024-01-02)\n\n- Old\n"
    after = date_unreleased(text, "md", version="1.1.0", date=DATE)
    assert after == text.replace(heading, dated)


@pytest.mark.parametrize(
    "heading",
    [
        "## 1.2 (unreleased)",  # another release
        "## 1.1.0rc1 (unreleased)",  # a pre-release is not the release
        "## 1.1.0 (2025-01-01)",  # released already
        "## Unreleased",  # no version: Keep a Changelog's, handled as such
    ],
)
def test_other_headings_are_not_the_release_s(heading: str) -> None:
    text = f"# Changes\n\n{heading}\n\n- x\n"
    assert date_unreleased(text, "md", version="1.1.0", date=DATE) is None


def test_rst_underlines_follow_the_new_title() -> None:
    text = (
        "Changes\n=======\n\n"
        "1.1 (unreleased)\n----------------\n\n- x\n\n"
        "====================\nUnreleased 1.1.1\n====================\n\n- y\n"
    )
    once = date_unreleased(text, "rst", version="1.1.0", date=DATE)
    # the underline was as long as the old title: as long as the new one
    dated = "1.1.0 (2026-05-01)\n------------------"
    assert once == text.replace("1.1 (unreleased)\n----------------", dated)
    twice = date_unreleased(text, "rst", version="1.1.1", date=DATE)
    # rules longer than the new title stay as they are
    assert twice == text.replace("Unreleased 1.1.1", "1.1.1 (2026-05-01)")
    short = "Unreleased 1.1\n~~~~~~~~~~~~~~~\n\n- x\n"
    grown = date_unreleased(short, "rst", version="1.1.0", date=DATE)
    assert grown == "1.1.0 (2026-05-01)\n~~~~~~~~~~~~~~~~~~\n\n- x\n"


def test_crlf_stays_crlf() -> None:
    text = "# Changes\r\n\r\n## 1.1 (unreleased)\r\n\r\n- x\r\n"
    after = date_unreleased(text, "md", version="1.1.0", date=DATE)
    assert after == "# Changes\r\n\r\n## 1.1.0 (2026-05-01)\r\n\r\n- x\r\n"


ZEST = """\
Changelog
=========

1.1 (unreleased)
----------------

- Hand-written: sails.

1.0 (2024-01-02)
----------------

- First.
"""


def test_bump_dates_the_started_section_instead_of_adding_one(
    make_repo: MakeRepo, cli: Cli
) -> None:
    repo = make_repo(
        {
            "pyproject.toml": '[project]\nname = "zest-pkg"\nversion = "1.0.0"\n',
            "CHANGES.rst": ZEST,
        }
    )
    repo.tag("v1.0.0")
    merge(repo, "sails", "sails.txt", "sails", 21, "release:minor")
    dry = cli("-C", str(repo.path), "bump", "minor", "--changelog", "--dry-run")
    assert dry.code == 0, dry.err
    assert "would date the heading of the unreleased 1.1.0 section of CHANGES.rst" in dry.out
    result = cli("-C", str(repo.path), "bump", "minor", "--changelog", "--commit")
    assert result.code == 0, result.err
    assert "  and CHANGES.rst heading\n" in result.out
    assert "dated the heading of the unreleased 1.1.0 section of CHANGES.rst" in result.out
    text = (repo.path / "CHANGES.rst").read_text()
    assert text.count("1.1") == 1
    assert text.startswith("Changelog\n=========\n\n1.1.0 (2")
    assert "unreleased" not in text
    assert git(repo.path, "status", "--porcelain") == ""
    again = cli("-C", str(repo.path), "notes", "--local", "--changelog")
    assert "CHANGES.rst already has a 1.1.0 section; left as is" in again.out
    assert (repo.path / "CHANGES.rst").read_text() == text


LINKED = """\
# Changelog

The format is based on [Keep a Changelog](https://keepachangelog.com/).

## [Unreleased](https://github.com/o/r/compare/1.0.0...HEAD)

### Added

- Sails.
  [#21](https://github.com/o/r/pull/21)

## [1.0.0](https://github.com/o/r/compare/0.9.0...1.0.0) - 2024-01-02
"""


def test_keep_a_changelog_with_inline_compare_links() -> None:
    """structlog's style: the Unreleased heading links its comparison; the new section goes
    under it with its own link, and a pull request written by hand as `[#21](...)` is not
    repeated."""
    groups = [
        ("minor", "New features", ["- Add sails (#21) @someone", "- Add oars (#22) @someone"])
    ]
    after = insert_section(LINKED, "md", version="1.1.0", tag="1.1.0", date=DATE, groups=groups)
    assert after == LINKED.replace(
        "## [Unreleased](https://github.com/o/r/compare/1.0.0...HEAD)\n\n",
        "## [Unreleased](https://github.com/o/r/compare/1.1.0...HEAD)\n\n"
        "## [1.1.0](https://github.com/o/r/compare/1.0.0...1.1.0) - 2026-05-01\n\n",
    ).replace(
        "  [#21](https://github.com/o/r/pull/21)\n",
        "  [#21](https://github.com/o/r/pull/21)\n- Add oars (#22) @someone\n",
    )
