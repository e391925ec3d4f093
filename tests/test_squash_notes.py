"""Release notes and changelogs see squash-merged pull requests (`Title (#123)`) as well as
GitHub's merge commits: from local history (real git repositories) and through the GitHub API
(a local stand-in speaking its protocol)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

import github_payloads as gh
from conftest import git
from rollback_kit import merge
from tagship.core.notes import MergedPull
from tagship.core.pull_commits import github_login, parse_pull_commit, pull_number

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

    from conftest import Cli, MakeRepo, Repo

PYPROJECT = """\
[project]
name = "sample-pkg"
version = "1.2.0"
"""
CHANGELOG = "# Changelog\n\n## 1.2.0 (2024-05-01)\n\n- Old\n"


def squash(repo: Repo, path: str, subject: str, *, email: str = "", body: str = "") -> str:
    """A squash merge as GitHub lands it: one ordinary commit on main, `Title (#N)`."""
    repo.write(path, subject)
    git(repo.path, "add", "--all")
    author = ["-c", f"user.email={email}"] if email else []
    message = ["-m", subject, *(["-m", body] if body else [])]
    git(repo.path, *author, "commit", "--quiet", *message)
    return git(repo.path, "rev-parse", "HEAD")


@pytest.fixture
def squashed(make_repo: MakeRepo) -> Repo:
    """1.2.0 released, then three squash merges, a direct commit and a GitHub merge commit."""
    repo = make_repo({"pyproject.toml": PYPROJECT, "CHANGELOG.md": CHANGELOG})
    repo.tag("v1.2.0")
    squash(repo, "a.txt", "Add sails (#31)", email="7+alice@users.noreply.github.com")
    squash(repo, "b.txt", "Fix the rudder (#32)", body="* wip\n\nRelease-Label: release:minor")
    squash(repo, "c.txt", "Tidy up without a pull request")
    merge(repo, "mast", "d.txt", "mast", 33, "release:patch")
    squash(repo, "e.txt", "Paint the hull (#34)", email="carol@example.com")
    return repo


# -- commit messages ---------------------------------------------------------------------------


NOREPLY = "7+alice@users.noreply.github.com"
TRAILER = "Release-Label: release:patch"


@pytest.mark.parametrize(
    ("subject", "body", "email", "expected"),
    [
        ("Add sails (#31)", "", NOREPLY, MergedPull(31, "Add sails", "alice")),
        ("Fix (#5)", TRAILER, "", MergedPull(5, "Fix", "", ("release:patch",))),
        ('Revert "Sails (#31)" (#40)', "", "a@b.c", MergedPull(40, 'Revert "Sails (#31)"', "")),
        ("Backport: fix (#12) (#15)", "", "", MergedPull(15, "Backport: fix (#12)", "")),
        ("(#9)", "", "", MergedPull(9, "(#9)", "")),
        ("Merge pull request #3 from bob/x", "Add it", "", MergedPull(3, "Add it", "bob")),
        ("Mention #12 in passing", "", "", None),
        ("Fix (#12) and more", "", "", None),
    ],
)
def test_a_commit_names_the_pull_request_it_merged(
    subject: str, body: str, email: str, expected: MergedPull | None
) -> None:
    assert parse_pull_commit(subject, body, email) == expected
    assert pull_number(f"{subject}\n\n{body}") == (expected.number if expected else None)


@pytest.mark.parametrize(
    ("email", "login"),
    [
        ("7+alice@users.noreply.github.com", "alice"),
        ("bob-x@users.noreply.github.com", "bob-x"),
        ("alice@example.com", ""),
        ("", ""),
    ],
)
def test_only_a_noreply_address_names_a_github_account(email: str, login: str) -> None:
    assert github_login(email) == login


# -- local history ----------------------------------------------------------------------------


def test_local_notes_list_squash_merges_and_merge_commits(squashed: Repo, cli: Cli) -> None:
    result = cli("-C", str(squashed.path), "notes", "--local", "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert (data["since"], data["bump"], data["next_version"]) == ("v1.2.0", "minor", "1.3.0")
    assert data["sections"] == {
        "minor": [{"number": 32, "title": "Fix the rudder", "author": ""}],
        "patch": [{"number": 33, "title": "The mast change", "author": "someone"}],
        "unlabelled": [
            {"number": 31, "title": "Add sails", "author": "alice"},
            {"number": 34, "title": "Paint the hull", "author": ""},
        ],
    }


def test_local_notes_say_once_that_history_has_no_labels(squashed: Repo, cli: Cli) -> None:
    result = cli("-C", str(squashed.path), "notes", "--local")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == (
        "4 pull requests since v1.2.0 (0 skipped); suggested next version: 1.3.0 "
        "(minor bump of 1.2.0)"
    )
    warnings = [row for row in lines if row.startswith("warning:")]
    said = (
        "warning: local history carries no pull-request labels: 2 pull requests are listed "
        "as unlabelled (a Release-Label: trailer in a commit labels one; without --local, "
        "notes reads the labels on GitHub)"
    )
    assert warnings == [said]
    assert "- Add sails (#31) @alice" in lines
    assert "- Fix the rudder (#32)" in lines  # no account known: no @


def test_bump_changelog_lists_the_squash_merges(squashed: Repo, cli: Cli) -> None:
    result = cli("-C", str(squashed.path), "bump", "minor", "--changelog", "--commit")
    assert result.code == 0, result.err
    text = (squashed.path / "CHANGELOG.md").read_text()
    section = text.split("## 1.2.0")[0]
    assert "No user-facing changes." not in section
    assert "- Add sails (#31) @alice\n" in section
    assert "- Fix the rudder (#32)\n" in section
    assert "- The mast change (#33) @someone\n" in section
    assert "- Paint the hull (#34)\n" in section
    assert "Tidy up" not in section


def test_a_package_of_several_sees_only_its_squash_merges(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo(
        {
            "pyproject.toml": '[project]\nname = "root-app"\nversion = "1.0.0"\n\n'
            '[tool.tagship]\npackages = ["pkgs/*"]\n',
            "pkgs/one/pyproject.toml": '[project]\nname = "one"\nversion = "1.0.0"\n',
            "pkgs/two/pyproject.toml": '[project]\nname = "two"\nversion = "1.0.0"\n',
        }
    )
    squash(repo, "pkgs/one/a.py", "Change one (#1)")
    squash(repo, "pkgs/two/b.py", "Change two (#2)")
    squash(repo, "README.md", "Root docs (#3)")
    result = cli("-C", str(repo.path), "--package", "one", "notes", "--local", "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["sections"] == {
        "unlabelled": [{"number": 1, "title": "Change one", "author": ""}]
    }


# -- the GitHub API ---------------------------------------------------------------------------

REPO = f"/repos/{gh.FULL}"


def _comparison(*commits: tuple[str, str]) -> dict[str, Any]:
    """GitHub's comparison of the commits, each with its message."""
    payload = gh.comparison(*(sha for sha, _ in commits))
    for entry, (_, message) in zip(payload["commits"], commits, strict=True):
        entry["commit"]["message"] = message
    return payload


def test_github_notes_find_a_pull_request_github_does_not_associate(
    squashed: Repo, cli: Cli, github: HTTPServer
) -> None:
    """A squash merge cherry-picked onto a branch (or mirrored) is not associated with its
    pull request by GitHub: its `(#N)` names it, and GitHub gives its labels."""
    associated, picked, plain = "1" * 40, "2" * 40, "3" * 40
    github.expect_request(f"{REPO}/compare/v1.2.0...main").respond_with_json(
        _comparison(
            (associated, "Add sails (#31)"),
            (picked, "Fix the rudder (#32)\n\n(cherry picked from commit abc)"),
            (plain, "Tidy up"),
        )
    )
    github.expect_request(f"{REPO}/commits/{associated}/pulls").respond_with_json(
        [gh.pull(31, "Add sails", ("release:minor",), author="alice")]
    )
    for sha in (picked, plain):
        github.expect_request(f"{REPO}/commits/{sha}/pulls").respond_with_json([])
    github.expect_request(f"{REPO}/pulls/32").respond_with_json(
        gh.pull(32, "Fix the rudder", ("release:patch",), author="bob")
    )
    result = cli("-C", str(squashed.path), "notes", "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["sections"] == {
        "minor": [{"number": 31, "title": "Add sails", "author": "alice"}],
        "patch": [{"number": 32, "title": "Fix the rudder", "author": "bob"}],
    }


def test_github_notes_skip_a_named_pull_request_that_was_not_merged(
    squashed: Repo, cli: Cli, github: HTTPServer
) -> None:
    closed, issue = "4" * 40, "5" * 40
    github.expect_request(f"{REPO}/compare/v1.2.0...main").respond_with_json(
        _comparison((closed, "Try something (#50)"), (issue, "Fix the bug of issue (#51)"))
    )
    for sha in (closed, issue):
        github.expect_request(f"{REPO}/commits/{sha}/pulls").respond_with_json([])
    github.expect_request(f"{REPO}/pulls/50").respond_with_json(
        gh.pull(50, "Try something", merged=False)
    )
    github.expect_request(f"{REPO}/pulls/51").respond_with_json(
        gh.error("Not Found", 404), status=404
    )
    result = cli("-C", str(squashed.path), "notes", "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert (data["sections"], data["next_version"]) == ({}, None)
