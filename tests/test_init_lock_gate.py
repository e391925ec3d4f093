"""`init` never writes workflows that cannot install tagship: with a real pypiserver as the
dependency index, one that lacks tagship refuses init (exit 2, nothing written); one that
has it gives a lock, and `init --check` and `doctor` then refuse a lock that is missing or
stale (exit 1, one line each)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

import tagship
from servers import make_wheel, running_pypiserver
from tagship.ci.github.workflows.install_tagship import LOCK_FILE

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from conftest import Cli, MakeRepo, Repo
    from servers import PypiServer

pytestmark = pytest.mark.integration


@pytest.fixture
def index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PypiServer]:
    """An empty index; init asks it (TAGSHIP_OFFLINE off)."""
    monkeypatch.delenv("TAGSHIP_OFFLINE")
    with running_pypiserver(tmp_path / "index") as served:
        yield served


def _project(make_repo: MakeRepo, index: PypiServer) -> Repo:
    text = (
        '[project]\nname = "sample"\nversion = "1.0.0"\ndescription = "s"\n'
        'requires-python = ">=3.10"\n\n[build-system]\nrequires = ["hatchling"]\n'
        'build-backend = "hatchling.build"\n\n'
        f'[tool.tagship]\ndependency-index = "{index.simple_url}"\n'
    )
    return make_repo({"pyproject.toml": text})


def _tree(path: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(path)): p.read_bytes()
        for p in path.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(path).parts
    }


def _doctor_lock(cli: Cli, path: Path) -> tuple[int, list[str]]:
    done = cli("-C", str(path), "doctor", "--format", "json")
    report = json.loads(done.out)
    return done.code, [f["rule"] for f in report["findings"] if f["path"] == LOCK_FILE]


def test_an_index_without_tagship_refuses_init_and_writes_nothing(
    cli: Cli, make_repo: MakeRepo, index: PypiServer
) -> None:
    repo = _project(make_repo, index)
    before = _tree(repo.path)
    result = cli("-C", str(repo.path), "init")
    assert result.code == 2, result.out + result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith(
        f"tagship: error: cannot lock tagship=={tagship.__version__} (requirements "
    )
    assert f"from {index.simple_url}" in lines[0]
    assert "(hint: publish tagship there, or set install-tagship in [tool.tagship]" in lines[0]
    assert "Traceback" not in result.err
    assert _tree(repo.path) == before  # no workflow, no lock, pyproject untouched
    # --check makes no lock and asks no index: nothing there, so nothing matches
    check = cli("-C", str(repo.path), "init", "--check")
    assert check.code == 1
    assert f"{LOCK_FILE} is missing" in check.err


def test_an_index_with_tagship_locks_and_check_and_doctor_refuse_a_missing_or_stale_lock(
    cli: Cli, make_repo: MakeRepo, index: PypiServer
) -> None:
    make_wheel(index.directory, "tagship", tagship.__version__)
    repo = _project(make_repo, index)
    assert cli("-C", str(repo.path), "init").code == 0
    lock = repo.path / LOCK_FILE
    text = lock.read_text()
    assert f"tagship=={tagship.__version__} \\\n    --hash=sha256:" in text
    assert cli("-C", str(repo.path), "init", "--check").code == 0
    assert _doctor_lock(cli, repo.path)[1] == []

    lock.unlink()
    check = cli("-C", str(repo.path), "init", "--check")
    assert check.code == 1
    missing = f"tagship: error: {LOCK_FILE} is missing: the workflows install tagship from it"
    assert check.err.strip().splitlines() == [
        f"{missing} (hint: run `tagship init` and commit the result)"
    ]
    code, rules = _doctor_lock(cli, repo.path)
    assert (code, rules) == (1, ["tagship-lock-missing"])

    # a lock of another tagship version: what the jobs would install is not this tagship
    lock.write_text(text.replace(f"tagship=={tagship.__version__}", "tagship==0.0.1"))
    check = cli("-C", str(repo.path), "init", "--check")
    assert check.code == 1
    assert f"{LOCK_FILE} does not lock tagship=={tagship.__version__}" in check.err
    code, rules = _doctor_lock(cli, repo.path)
    assert (code, rules) == (1, ["tagship-lock-stale"])
    text_out = cli("-C", str(repo.path), "doctor").out
    stale = [ln for ln in text_out.splitlines() if "tagship-lock-stale" in ln]
    assert len(stale) == 1
    assert ".github/workflows/" in stale[0]  # names a workflow that installs from it

    # init makes it again, and everything agrees
    assert cli("-C", str(repo.path), "init").code == 0
    assert cli("-C", str(repo.path), "init", "--check").code == 0
    assert _doctor_lock(cli, repo.path) == (0, [])


def test_install_tagship_needs_no_lock(cli: Cli, make_repo: MakeRepo, index: PypiServer) -> None:
    repo = _project(make_repo, index)
    pyproject = repo.path / "pyproject.toml"
    url = "git+https://example.invalid/tagship@v1"
    pyproject.write_text(pyproject.read_text() + f'install-tagship = "{url}"\n')
    assert cli("-C", str(repo.path), "init").code == 0
    assert not (repo.path / LOCK_FILE).exists()
    assert cli("-C", str(repo.path), "init", "--check").code == 0
    assert _doctor_lock(cli, repo.path)[1] == []


def test_offline_init_says_the_lock_was_skipped_and_doctor_too(
    cli: Cli, make_repo: MakeRepo, index: PypiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAGSHIP_OFFLINE", "1")
    repo = _project(make_repo, index)
    result = cli("-C", str(repo.path), "init")
    assert result.code == 0
    assert f"note: TAGSHIP_OFFLINE is set: {LOCK_FILE} was not refreshed" in result.out
    report = json.loads(cli("-C", str(repo.path), "doctor", "--format", "json").out)
    tools = {t["name"]: t for t in report["tools"]}
    assert tools["tagship lock"] == {
        "name": "tagship lock",
        "ran": False,
        "note": "TAGSHIP_OFFLINE is set",
    }
