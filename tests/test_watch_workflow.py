"""`tagship init --watch`: the scheduled workflow that runs `tagship watch`, least privilege,
accepted by zizmor (pedantic) and actionlint, and kept current by later `init` runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

from conftest import STATIC_PYPROJECT, git
from workflow_lint import WORKFLOWS, assert_linted

if TYPE_CHECKING:
    from conftest import Cli, MakeRepo, Repo

WATCH = f"{WORKFLOWS}/tagship-watch.yml"


def _init(cli: Cli, repo: Repo, *extra: str, code: int = 0) -> str:
    result = cli("-C", str(repo.path), "init", "--owner", "CharmAIOS", "--repo", "Charm", *extra)
    assert result.code == code, result.err
    return result.out + result.err


def _watch(repo: Repo) -> dict[Any, Any]:
    data = yaml.safe_load((repo.path / WATCH).read_text())
    assert isinstance(data, dict)
    return data


def test_init_watch_writes_a_read_only_scheduled_watch(cli: Cli, make_repo: MakeRepo) -> None:
    repo = make_repo({"pyproject.toml": STATIC_PYPROJECT})
    _init(cli, repo)
    assert not (repo.path / WATCH).exists()  # only when asked for
    _init(cli, repo, "--watch")
    workflow = _watch(repo)
    assert workflow["permissions"] == {}
    assert set(workflow[True]) == {"schedule", "workflow_dispatch"}  # YAML 1.1 reads `on` so
    [job] = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read"}
    [step] = [s for s in job["steps"] if s.get("run") == "tagship watch"]
    assert step["env"] == {"GITHUB_TOKEN": "${{ github.token }}"}
    assert all(s.get("with", {}).get("persist-credentials") is not True for s in job["steps"])
    assert_linted(repo.path)
    # written once, init keeps it current (and --check counts it) without --watch
    git(repo.path, "add", "--all")
    git(repo.path, "commit", "--quiet", "-m", "workflows")
    _init(cli, repo, "--check")
    (repo.path / WATCH).write_text((repo.path / WATCH).read_text().replace("23 5", "0 0"))
    assert "tagship-watch.yml" in _init(cli, repo, "--check", code=1)
    _init(cli, repo)
    assert "23 5 * * *" in (repo.path / WATCH).read_text()


def test_a_watch_workflow_of_the_project_is_left_alone(cli: Cli, make_repo: MakeRepo) -> None:
    own = "name: our watch\non: workflow_dispatch\njobs: {}\n"
    repo = make_repo({"pyproject.toml": STATIC_PYPROJECT, WATCH: own})
    _init(cli, repo, "--watch")
    assert (repo.path / WATCH).read_text() == own
    assert (repo.path / f"{WORKFLOWS}/tagship-tagship-watch.yml").exists()
