"""Shared pieces of the hotfix and rollback tests: a released project and its ledger."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conftest import git
from tagship.adapters.git import Git
from tagship.adapters.ledger_store import read_ledger

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import MakeRepo, Repo
    from tagship.core.ledger import Record

PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "sample-pkg"
version = "{version}"
description = "A sample"
{extra}"""


def set_version(repo: Repo, version: str, extra: str = "") -> None:
    repo.write("pyproject.toml", PYPROJECT.format(version=version, extra=extra))


def merge(
    repo: Repo, branch: str, path: str, text: str, number: int, label: str | None = None
) -> str:
    """A GitHub-style merge of a one-file change on `branch` into main; returns its sha. With
    `label`, the merge's body is the pull request's title and a `Release-Label:` trailer."""
    git(repo.path, "switch", "--quiet", "-c", branch)
    repo.write(path, text)
    repo.commit(f"change {path}")
    git(repo.path, "switch", "--quiet", "main")
    body = ["-m", f"The {branch} change\n\nRelease-Label: {label}"] if label else []
    subject = f"Merge pull request #{number} from someone/{branch}"
    git(repo.path, "merge", "--quiet", "--no-ff", "-m", subject, *body, branch)
    return git(repo.path, "rev-parse", "HEAD")


def released_project(make_repo: MakeRepo, extra: str = "") -> Repo:
    """sample-pkg released as v1.2.3 and then v1.3.0, both tags pushed, main at 1.3.0."""
    repo = make_repo({"pyproject.toml": PYPROJECT.format(version="1.2.3", extra=extra)})
    repo.write("app.py", "VALUE = 1\n")
    repo.commit("app")
    repo.tag("v1.2.3")
    set_version(repo, "1.3.0", extra)
    repo.write("feature.py", "FEATURE = True\n")
    repo.commit("feature and 1.3.0")
    repo.tag("v1.3.0")
    repo.push("main", "refs/tags/v1.2.3", "refs/tags/v1.3.0")
    return repo


def records(path: Path) -> list[Record]:
    check = read_ledger(Git(path), remote=None)
    assert check.ok, check.problem
    return list(check.records)


def state(path: Path) -> tuple[str, str, str]:
    """HEAD, branch and porcelain status: what must not change when a step refuses."""
    return (
        git(path, "rev-parse", "HEAD"),
        git(path, "branch", "--show-current"),
        git(path, "status", "--porcelain", "--untracked-files=all"),
    )
