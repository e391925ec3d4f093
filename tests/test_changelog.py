"""The release's section in the project's changelog, in the file's own style."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from conftest import git
from rollback_kit import merge
from tagship.core.changelog import insert_section

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Cli, MakeRepo, Repo

GROUPS = [
    ("minor", "New features", ["- Add sails (#21) @someone"]),
    ("patch", "Fixes and maintenance", ["- Fix the rudder (#22) @someone"]),
]
KAC = """\
# Changelog

All notable changes to this project will be documented in this file.
The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/).

## [Unreleased]

### Added

- Hand-written entry about the mast

## [1.2.0] - 2024-05-01

### Fixed

- Old fix

[Unreleased]: https://github.com/o/r/compare/v1.2.0...HEAD
[1.2.0]: https://github.com/o/r/compare/v1.1.0...v1.2.0
"""
KAC_AFTER = """\
# Changelog

All notable changes to this project will be documented in this file.
The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/).

## [Unreleased]

## [1.3.0] - 2025-01-02

### Added

- Hand-written entry about the mast
- Add sails (#21) @someone

### Fixed

- Fix the rudder (#22) @someone

## [1.2.0] - 2024-05-01

### Fixed

- Old fix

[Unreleased]: https://github.com/o/r/compare/v1.3.0...HEAD
[1.3.0]: https://github.com/o/r/compare/v1.2.0...v1.3.0
[1.2.0]: https://github.com/o/r/compare/v1.1.0...v1.2.0
"""


def _insert(text: str, suffix: str = "md", version: str = "1.3.0") -> str | None:
    return insert_section(
        text, suffix, version=version, tag=f"v{version}", date="2025-01-02", groups=GROUPS
    )


def test_keep_a_changelog_moves_unreleased_and_updates_the_links() -> None:
    assert _insert(KAC) == KAC_AFTER


def test_without_an_unreleased_link_the_version_s_link_joins_the_others() -> None:
    """rich's changelog links each release, not Unreleased: the new one goes on top."""
    links = (
        KAC.split("[Unreleased]: ", 1)[0]
        + "[1.2.0]: https://github.com/o/r/compare/v1.1.0...v1.2.0\n"
    )
    after = _insert(links)
    assert after is not None
    assert after.endswith(
        "[1.3.0]: https://github.com/o/r/compare/v1.2.0...v1.3.0\n"
        "[1.2.0]: https://github.com/o/r/compare/v1.1.0...v1.2.0\n"
    )


def test_keep_a_changelog_in_crlf_stays_crlf() -> None:
    crlf = KAC.replace("\n", "\r\n")
    assert _insert(crlf) == KAC_AFTER.replace("\n", "\r\n")


def test_a_pull_request_already_written_under_unreleased_is_not_repeated() -> None:
    text = KAC.replace("about the mast", "about the mast\n- Add sails by hand (#21)")
    after = _insert(text)
    assert after is not None
    assert after.count("(#21)") == 1


def test_the_version_already_present_is_not_added_twice() -> None:
    assert _insert(KAC_AFTER) is None
    assert _insert("# Changes\n\n## v1.3.0 (2025-01-01)\n\n- x\n") is None
    assert _insert("1.3.0\n=====\n\n- x\n", "rst") is None


def test_a_plain_markdown_changelog_gets_its_newest_sections_shape() -> None:
    text = "# History\n\n## v1.2.0 (2024-05-01)\n\n- old\n"
    assert _insert(text) == (
        "# History\n\n## v1.3.0 (2025-01-02)\n\n"
        "### New features\n\n- Add sails (#21) @someone\n\n"
        "### Fixes and maintenance\n\n- Fix the rudder (#22) @someone\n\n"
        "## v1.2.0 (2024-05-01)\n\n- old\n"
    )


def test_a_first_section_goes_under_the_title() -> None:
    after = _insert("# Changelog\n", version="0.1.0")
    assert after is not None
    assert after.startswith("# Changelog\n\n## 0.1.0 (2025-01-02)\n\n### New features\n")


def test_rst_underlines_are_as_long_as_their_titles() -> None:
    text = "Changes\n=======\n\n1.2.0 (2024-05-01)\n------------------\n\n- old\n"
    assert _insert(text, "rst", version="1.3.0rc1") == (
        "Changes\n=======\n\n"
        "1.3.0rc1 (2025-01-02)\n---------------------\n\n"
        "New features\n~~~~~~~~~~~~\n\n- Add sails (#21) @someone\n\n"
        "Fixes and maintenance\n~~~~~~~~~~~~~~~~~~~~~\n\n- Fix the rudder (#22) @someone\n\n"
        "1.2.0 (2024-05-01)\n------------------\n\n- old\n"
    )


UNRELEASED_PROSE = """\
# Changelog

Based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/).

## [Unreleased]


### Added

- A long entry.

  Its second paragraph.

```python
x = 1

y = 2
```

### Removed

- Gone.


## [1.2.0] - 2024-05-01

- Old fix
"""


def test_the_unreleased_body_moves_verbatim() -> None:
    """Blank lines inside the Unreleased content stay (paragraphs, fenced code); only the
    blank lines around it are trimmed, and the pull requests join their heading's list."""
    after = _insert(UNRELEASED_PROSE)
    assert after == UNRELEASED_PROSE.replace(
        "## [Unreleased]\n\n\n### Added",
        "## [Unreleased]\n\n## [1.3.0] - 2025-01-02\n\n### Added",
    ).replace(
        "y = 2\n```\n",
        "y = 2\n```\n- Add sails (#21) @someone\n",
    ).replace(
        "- Gone.\n\n\n## [1.2.0]",
        "- Gone.\n\n### Fixed\n\n- Fix the rudder (#22) @someone\n\n## [1.2.0]",
    )


def test_other_bytes_and_mixed_line_endings_survive() -> None:
    """Form feeds, U+2028 and a line's own ending are bytes the insert does not own."""
    text = KAC.replace("- Old fix\n", "- Old fix\f with a form feed\u2028and a separator\r\n")
    text = text.replace("All notable", "All\u2029notable")
    after = _insert(text)
    assert after is not None
    assert "- Old fix\f with a form feed\u2028and a separator\r\n" in after
    assert "All\u2029notable" in after
    assert after.count("\r") == 1


def test_crlf_keep_a_changelog_at_the_end_of_the_file_stays_crlf() -> None:
    text = "# Changelog\r\n\r\n## [Unreleased]\r\n\r\n- Something\r\n"
    after = _insert(text)
    assert after is not None
    assert after.replace("\r\n", "").count("\r") == 0
    assert after.count("\n") == after.count("\r\n")
    assert after.startswith("# Changelog\r\n\r\n## [Unreleased]\r\n\r\n## [1.3.0] - 2025")
    assert "- Something\r\n" in after


def test_a_bom_stays_first_and_the_section_goes_under_the_title() -> None:
    after = _insert("\ufeff# Changelog\n", version="0.1.0")
    assert after is not None
    assert after.startswith("\ufeff# Changelog\n\n## 0.1.0 (2025-01-02)\n\n### New features\n")
    assert after.count("\ufeff") == 1


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("## 1.3.0-rc.1 (2025-01-01)", "## 1.3.0 (2025-01-02)"),
        ("## [1.3.0rc1] - 2025-01-01", "## [1.3.0] - 2025-01-02"),
        ("## v1.3.0.dev2", "## v1.3.0"),
        ("## 1.3.0-post1", "## 1.3.0"),
    ],
)
def test_a_pre_release_s_section_is_not_the_release_s(heading: str, expected: str) -> None:
    after = _insert(f"# Changes\n\n{heading}\n\n- x\n")
    assert after is not None
    assert after.startswith(f"# Changes\n\n{expected}\n\n### New features\n")
    assert after.endswith(f"\n{heading}\n\n- x\n")


@pytest.mark.parametrize(
    "heading", ["## 1.3.0 (2025-01-01)", "## [1.3.0] - 2025-01-01", "## Version v1.3.0"]
)
def test_the_release_s_own_section_is_found(heading: str) -> None:
    assert _insert(f"# Changes\n\n{heading}\n\n- x\n") is None
    assert _insert("# Changes\n\n## 1.3.0rc1\n\n- x\n", version="1.3.0rc1") is None


PYPROJECT = """\
[project]
name = "sample-pkg"
version = "1.2.0"
"""


@pytest.fixture
def released(make_repo: MakeRepo) -> Repo:
    repo = make_repo({"pyproject.toml": PYPROJECT, "CHANGELOG.md": KAC})
    repo.tag("v1.2.0")
    merge(repo, "sails", "sails.txt", "sails", 21, "release:minor")
    merge(repo, "rudder", "rudder.txt", "rudder", 22, "release:patch")
    return repo


def test_notes_changelog_inserts_the_labelled_pull_requests(released: Repo, cli: Cli) -> None:
    result = cli("-C", str(released.path), "notes", "--local", "--changelog")
    assert result.code == 0, result.err
    assert "added the 1.3.0 section to CHANGELOG.md" in result.out
    text = (released.path / "CHANGELOG.md").read_text()
    assert "## [Unreleased]\n\n## [1.3.0] - " in text
    assert "- The sails change (#21) @someone\n" in text
    assert "### Fixed\n\n- The rudder change (#22) @someone\n" in text
    assert "[1.3.0]: https://github.com/o/r/compare/v1.2.0...v1.3.0\n" in text
    # a second run finds the section and leaves the file alone
    again = cli("-C", str(released.path), "notes", "--local", "--changelog")
    assert "CHANGELOG.md already has a 1.3.0 section; left as is" in again.out
    assert (released.path / "CHANGELOG.md").read_text() == text


def test_bump_changelog_commits_the_section_with_the_version(released: Repo, cli: Cli) -> None:
    result = cli("-C", str(released.path), "bump", "minor", "--changelog", "--commit")
    assert result.code == 0, result.err
    assert "added the 1.3.0 section to CHANGELOG.md" in result.out
    assert "  and CHANGELOG.md section\n" in result.out  # it held no older version
    assert git(released.path, "status", "--porcelain") == ""
    changed = git(released.path, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(changed) == ["CHANGELOG.md", "pyproject.toml"]


def test_a_symlinked_changelog_stays_a_link(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo({"pyproject.toml": PYPROJECT, "docs/changes.md": KAC})
    (repo.path / "CHANGELOG.md").symlink_to("docs/changes.md")
    repo.commit("link")
    merge(repo, "sails", "sails.txt", "sails", 21, "release:minor")
    result = cli("-C", str(repo.path), "bump", "minor", "--changelog", "--commit")
    assert result.code == 0, result.err
    assert (repo.path / "CHANGELOG.md").is_symlink()
    assert "## [1.3.0] - " in (repo.path / "docs/changes.md").read_text()
    assert git(repo.path, "status", "--porcelain") == ""


def test_a_changelog_linked_outside_the_repository_is_refused(
    make_repo: MakeRepo, cli: Cli, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere.md"
    outside.write_text(KAC)
    repo = make_repo({"pyproject.toml": PYPROJECT})
    (repo.path / "CHANGELOG.md").symlink_to(outside)
    repo.commit("link")
    merge(repo, "sails", "sails.txt", "sails", 21, "release:minor")
    result = cli("-C", str(repo.path), "bump", "minor", "--changelog")
    assert result.code == 2, result.out
    assert "CHANGELOG.md is a symlink to" in result.err
    assert result.err.count("\n") == 1
    assert outside.read_text() == KAC
    assert git(repo.path, "status", "--porcelain") == ""


def test_bump_changelog_dry_run_shows_the_section(released: Repo, cli: Cli) -> None:
    result = cli("-C", str(released.path), "bump", "minor", "--changelog", "--dry-run")
    assert result.code == 0, result.err
    assert "+## [1.3.0] - " in result.out
    assert "would add the 1.3.0 section to CHANGELOG.md" in result.out
    assert git(released.path, "status", "--porcelain") == ""


def test_no_changelog_file_is_one_line_exit_2(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo({"pyproject.toml": PYPROJECT})
    merge(repo, "x", "x.txt", "x", 3, "release:patch")
    result = cli("-C", str(repo.path), "notes", "--local", "--changelog")
    assert result.code == 2
    assert "no changelog file in" in result.err
    assert result.err.count("\n") == 1


TOWNCRIER = """
[tool.towncrier]
directory = "changes"
filename = "CHANGELOG.md"
name = "sample-pkg"
"""


def test_towncrier_fragments_are_built_by_towncrier(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo(
        {
            "pyproject.toml": PYPROJECT + TOWNCRIER,
            "CHANGELOG.md": "# Changelog\n\n<!-- towncrier release notes start -->\n",
            "changes/7.feature.md": "Sails.\n",
            "changes/8.bugfix.md": "Rudder.\n",
        }
    )
    result = cli("-C", str(repo.path), "bump", "minor", "--changelog", "--commit")
    assert result.code == 0, result.err
    assert "towncrier wrote the 1.3.0 notes from its fragments" in result.out
    text = (repo.path / "CHANGELOG.md").read_text()
    assert "1.3.0" in text
    assert "- Sails. (#7)" in text
    assert "- Rudder. (#8)" in text
    assert not (repo.path / "changes/7.feature.md").exists()
    assert git(repo.path, "status", "--porcelain") == ""  # fragments' removal committed too
    assert 'version = "1.3.0"' in (repo.path / "pyproject.toml").read_text()


def test_a_failing_towncrier_changes_nothing(make_repo: MakeRepo, cli: Cli) -> None:
    broken = TOWNCRIER.replace(
        'directory = "changes"', 'directory = "changes"\ntemplate = "nope.j2"'
    )
    repo = make_repo({"pyproject.toml": PYPROJECT + broken, "CHANGELOG.md": "# Changelog\n"})
    result = cli("-C", str(repo.path), "bump", "minor", "--changelog")
    assert result.code == 3, result.out
    assert result.err.startswith("tagship: error: towncrier failed")
    assert git(repo.path, "status", "--porcelain") == ""


def test_scriv_fragments_are_collected_by_scriv(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo(
        {
            "pyproject.toml": PYPROJECT + '\n[tool.scriv]\nformat = "md"\n',
            "CHANGELOG.md": "# Changelog\n\n<!-- scriv-insert-here -->\n",
            "changelog.d/20250102_sails.md": "### Added\n\n- Sails.\n",
        }
    )
    result = cli("-C", str(repo.path), "notes", "--local", "--changelog")
    # no merged pull requests: nothing to release, so scriv is not run
    assert "nothing to release" in result.out
    bumped = cli("-C", str(repo.path), "bump", "minor", "--changelog")
    assert bumped.code == 0, bumped.err
    assert "scriv wrote the 1.3.0 notes from its fragments" in bumped.out
    text = (repo.path / "CHANGELOG.md").read_text()
    assert "1.3.0" in text
    assert "- Sails." in text
