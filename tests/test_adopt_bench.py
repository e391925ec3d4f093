"""bench/adopt.py, the adoption harness, on two local snapshots: one releases untouched (its
old publisher switched off), one cannot be adopted (no [project] table)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import git

if TYPE_CHECKING:
    from conftest import MakeRepo

pytestmark = pytest.mark.integration

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "adopt.py"
PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "adopt-sample"
version = "0.1.0"
description = "A project adopting tagship"
readme = "README.md"
requires-python = ">=3.10"
"""
OLD_PUBLISHER = """\
name: Publish
on:
  push:
    tags: ["*"]
permissions: {}
jobs:
  publish:
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@v4
      - run: pipx run build
      - uses: pypa/gh-action-pypi-publish@release/v1
"""


def _snapshot(make_repo: MakeRepo, into: Path, files: dict[str, str], name: str) -> None:
    """A repository with a release tag and one more squash-merged change, as a bare git
    directory laid out as the fetch tool leaves it (OWNER+NAME/repo)."""
    repo = make_repo(files, name=name)
    repo.tag("0.1.0", push=True)
    repo.write("src/adopt_sample/__init__.py", '"""Adopted."""\n\nANSWER = 42\n')
    repo.commit("Add the answer (#2)")
    repo.push()
    git(into, "clone", "--quiet", "--bare", str(repo.origin), str(into / f"acme+{name}" / "repo"))


def test_adopt_releases_a_snapshot_and_reports(make_repo: MakeRepo, tmp_path: Path) -> None:
    snapshots = tmp_path / "snapshots"
    snapshots.mkdir()
    adoptable = {
        "pyproject.toml": PYPROJECT,
        "README.md": "# adopt-sample\n",
        ".gitignore": "dist/\n",
        "src/adopt_sample/__init__.py": '"""Adopted."""\n',
        ".github/workflows/publish.yml": OLD_PUBLISHER,
    }
    _snapshot(make_repo, snapshots, adoptable, "sample")
    _snapshot(make_repo, snapshots, {"pyproject.toml": "[tool.black]\n"}, "legacy")
    report = tmp_path / "report.json"
    argv = [sys.executable, str(SCRIPT), str(snapshots), "--all", "--report", str(report)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pass rate: 1/2 released untouched" in done.stdout

    found = json.loads(report.read_text())
    assert found["counts"] == {
        "released untouched": 1,
        "needed edits": 0,
        "could not release": 1,
        "snapshot incomplete": 0,
    }
    sample, legacy = sorted(found["repositories"], key=lambda r: r["repository"] != "acme/sample")
    assert sample["verdict"] == "released untouched", sample
    assert (sample["branch"], sample["tag"]) == ("main", "0.1.1")  # bumped: 0.1.0 was tagged
    names = [s["name"] for s in sample["steps"]]
    assert names == [
        "clone", "init", "local indexes", "commit", "status", "bump", "dry-run", "tag",
        "release", "audit",
    ]  # fmt: skip
    assert all(c["ok"] for c in sample["checks"]), sample["checks"]
    assert sample["doctor"]["old_publishers"] == [
        {"path": ".github/workflows/publish.yml", "job": "publish", "armed": False}
    ]

    assert legacy["verdict"] == "could not release"
    assert legacy["cause"].startswith("init: tagship: error: ")
    assert "no [project] table" in legacy["cause"]
    assert [s["name"] for s in legacy["steps"]] == ["clone", "init"]
