"""git fails closed: a git command that fails is a service error (exit 3), never a default
answer (a corrupt index is not a clean tree); paths come from `-z` output, decoded as UTF-8
with other bytes kept; git never follows GIT_DIR and friends from the environment."""

from __future__ import annotations

import json
import subprocess
from typing import TYPE_CHECKING

import pytest

from conftest import STATIC_PYPROJECT, git
from hostile import assert_refused, snapshot
from tagship.adapters.git import Git
from tagship.adapters.git_base import git_environment
from tagship.core.errors import ConfigError, ServiceError

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Cli, MakeRepo, Repo

ZEROS = "0" * 40
# an index on loopback where nothing listens: its gates fail, and no byte leaves the machine
LOCAL_INDEX = (
    "--set",
    'indexes.here.upload-url="http://127.0.0.1:9/"',
    "--set",
    'indexes.here.simple-url="http://127.0.0.1:9/simple/"',
)


@pytest.fixture(autouse=True)
def _one_try(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAGSHIP_HTTP_ATTEMPTS", "1")  # LOCAL_INDEX answers nothing


def _corrupt_index(repo: Repo) -> None:
    (repo.path / ".git" / "index").write_bytes(b"garbage")


def test_a_corrupt_index_is_not_a_clean_tree(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo()
    _corrupt_index(repo)
    assert subprocess.run(["git", "status"], cwd=repo.path, check=False).returncode == 128
    status = cli("-C", str(repo.path), "status")
    line = assert_refused(status, 3)
    assert "git status" in line
    assert "index file" in line  # git's own reason
    assert "work tree\tclean" not in status.out


@pytest.mark.parametrize("command", [["tag", "--dry-run"], ["dry-run", "--dry-run"]])
def test_the_tree_clean_gate_is_closed_when_git_cannot_tell(
    make_repo: MakeRepo, cli: Cli, command: list[str]
) -> None:
    repo = make_repo()
    _corrupt_index(repo)
    before = snapshot(repo.path)
    result = cli("-C", str(repo.path), *LOCAL_INDEX, *command, "--index", "here")
    assert result.code != 0, result.out
    assert "[passed] tree clean" not in result.out
    assert "index file" in result.out + result.err
    assert "Traceback" not in result.out + result.err
    assert snapshot(repo.path) == before


def test_build_refuses_a_tree_git_cannot_read(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo()
    _corrupt_index(repo)
    before = snapshot(repo.path)
    assert_refused(cli("-C", str(repo.path), "build"), 3)
    assert snapshot(repo.path) == before  # no dist/


def test_a_repository_git_cannot_read_is_not_mistaken_for_none(
    make_repo: MakeRepo, cli: Cli, tmp_path: Path
) -> None:
    repo = make_repo()
    (repo.path / ".git" / "HEAD").write_text("garbage\n")
    line = assert_refused(cli("-C", str(repo.path), "status"), 3)
    assert "git cannot read the repository" in line
    outside = tmp_path / "plain"
    outside.mkdir()
    (outside / "pyproject.toml").write_text(STATIC_PYPROJECT)
    with pytest.raises(ConfigError, match="not inside a git repository"):
        Git.discover(outside)


def test_lookups_answer_absent_only_when_git_says_so(make_repo: MakeRepo) -> None:
    repo = make_repo()
    adapter = Git(repo.path)
    assert adapter.tag_target("v9") is None
    assert adapter.commit_of("nope") is None
    assert adapter.ref_sha("refs/tagship/nothing") is None
    assert not adapter.branch_exists("nope")
    assert adapter.config_value("no.such") is None
    assert adapter.remote_url("upstream") is None
    assert adapter.read_blob("HEAD:no-such-file") is None
    assert adapter.current_branch() == "main"
    git(repo.path, "switch", "--quiet", "--detach")
    assert adapter.current_branch() is None
    git(repo.path, "switch", "--quiet", "main")
    # a packed-refs file git cannot parse: every lookup of a ref fails, loudly
    (repo.path / ".git" / "packed-refs").write_text("garbage\n")
    for lookup in (
        lambda: adapter.tag_target("v9"),
        lambda: adapter.commit_of("nope"),
        lambda: adapter.ref_sha("refs/tagship/nothing"),
        lambda: adapter.branch_exists("nope"),
        lambda: adapter.read_blob("nope:file"),
        adapter.current_branch,
    ):
        with pytest.raises(ServiceError, match="packed-refs"):
            lookup()


def test_a_broken_config_is_an_error_not_an_unset_key(make_repo: MakeRepo) -> None:
    repo = make_repo()
    adapter = Git(repo.path)
    with (repo.path / ".git" / "config").open("a") as handle:
        handle.write("[broken\n")
    with pytest.raises(ServiceError, match="bad config"):
        adapter.config_value("user.email")
    with pytest.raises(ServiceError, match="bad config"):
        adapter.remote_url()


def test_a_missing_object_is_an_error_not_an_absent_blob(make_repo: MakeRepo) -> None:
    repo = make_repo()
    blob = git(repo.path, "rev-parse", "HEAD:pyproject.toml")
    (repo.path / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    with pytest.raises(ServiceError, match="cat-file"):
        Git(repo.path).read_blob("HEAD:pyproject.toml")


def test_staged_changes_are_read_or_refused(make_repo: MakeRepo) -> None:
    repo = make_repo()
    adapter = Git(repo.path)
    assert not adapter.has_staged_changes()
    repo.write("new.txt", "x")
    git(repo.path, "add", "new.txt")
    assert adapter.has_staged_changes()
    _corrupt_index(repo)
    with pytest.raises(ServiceError):
        adapter.has_staged_changes()


def test_updates_fail_as_moved_or_as_errors(make_repo: MakeRepo) -> None:
    repo = make_repo()
    adapter = Git(repo.path)
    head = adapter.head_sha()
    assert adapter.update_refs([("refs/tagship/a", head, ZEROS)])
    # the ref moved meanwhile: not applied, the caller may retry
    assert not adapter.update_refs([("refs/tagship/a", head, ZEROS)])
    assert not adapter.update_ref("refs/tagship/a", head, "1" * 40)
    # a ref that cannot exist next to refs/tagship/a: a failure, not "moved"
    with pytest.raises(ServiceError, match="update-ref"):
        adapter.update_refs([("refs/tagship/a/b", head, ZEROS)])
    with pytest.raises(ServiceError, match="update-ref"):
        adapter.update_ref("refs/tagship/a/b", head)


def test_fetching_a_ref_the_remote_lacks_is_not_an_error(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    repo = make_repo()
    adapter = Git(repo.path)
    head = adapter.head_sha()
    assert adapter.update_ref("refs/tagship/tracking", head)
    assert not adapter.fetch_ref("refs/tagship/none", "refs/tagship/tracking")
    assert adapter.ref_sha("refs/tagship/tracking") is None
    assert adapter.fetch_ref("refs/heads/main", "refs/tagship/tracking")
    git(repo.path, "remote", "set-url", "origin", str(tmp_path / "gone"))
    with pytest.raises(ServiceError, match="does not appear to be a git repository"):
        adapter.fetch_ref("refs/heads/main", "refs/tagship/tracking")


def test_describe_tells_no_tag_from_a_failure(make_repo: MakeRepo) -> None:
    repo = make_repo()
    adapter = Git(repo.path)
    described = adapter.describe("v*")
    assert (described.tag, described.distance) == (None, 1)
    repo.tag("v1.0.0")
    repo.commit("after")
    described = adapter.describe("v*")
    assert (described.tag, described.distance) == ("v1.0.0", 1)
    (repo.path / ".git" / "packed-refs").write_text("garbage\n")
    with pytest.raises(ServiceError):
        adapter.describe("v*")


NAMES = ["with space.txt", 'q"uote.txt', "new\nline.txt", "tab\there.txt", " lead.txt", "trail "]


def test_paths_are_read_exactly(make_repo: MakeRepo) -> None:
    repo = make_repo()
    for name in NAMES:
        repo.write(name, "x")
    repo.write("old name.txt", "x")
    repo.commit("files")
    git(repo.path, "mv", "old name.txt", "new -> name.txt")
    for name in NAMES:
        repo.write(name, "changed")
    repo.write("untracked é.txt", "x")
    adapter = Git(repo.path)
    dirty = adapter.dirty_files()
    assert sorted(dirty) == sorted([*NAMES, "new -> name.txt", "old name.txt", "untracked é.txt"])
    assert "untracked é.txt" not in adapter.dirty_files(untracked=False)
    sha = adapter.head_sha()
    assert sorted(adapter.changed_paths(sha)) == sorted([*NAMES, "old name.txt"])


def test_bytes_that_are_not_utf8_survive(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo()
    raw = repo.path.as_posix().encode() + b"/caf\xe9.txt"
    with open(raw, "wb") as handle:  # noqa: PTH123 - a name pathlib cannot spell as text
        handle.write(b"x")
    (name,) = Git(repo.path).dirty_files()
    assert name.encode("utf-8", "surrogateescape") == b"caf\xe9.txt"
    status = cli("-C", str(repo.path), "status", "--format", "json")
    assert status.code == 0, status.err
    assert json.loads(status.out)["dirty_files"] == [name]
    gate = cli("-C", str(repo.path), *LOCAL_INDEX, "tag", "--dry-run", "--index", "here")
    assert "uncommitted changes: caf\\udce9.txt" in gate.out
    assert "Traceback" not in gate.out + gate.err


def test_a_commit_message_that_is_not_utf8_is_read(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo()
    git(repo.path, "switch", "--quiet", "-c", "feature")
    repo.commit("feature")
    git(repo.path, "switch", "--quiet", "main")
    message = repo.path.parent / "message"
    message.write_bytes(b"Merge caf\xe9 (#7)\n\nbody \xff\n")
    done = subprocess.run(
        ["git", "merge", "--no-ff", "--quiet", "-F", str(message), "feature"],
        cwd=repo.path,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = cli("-C", str(repo.path), "notes", "--local")
    assert "Traceback" not in result.out + result.err
    assert "internal error" not in result.err
    assert result.code == 0, result.err


HOOK_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY")


def test_git_ignores_where_a_hook_points_it(
    make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    repo = make_repo()
    other = make_repo(name="other")
    git(other.path, "switch", "--quiet", "-c", "elsewhere")
    other.write("stray.txt", "x")
    garbage = tmp_path / "index"
    garbage.write_bytes(b"garbage")
    # as git sets them for a hook (and `git rebase --exec`): they name another repository
    monkeypatch.setenv("GIT_DIR", str(other.path / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other.path))
    monkeypatch.setenv("GIT_INDEX_FILE", str(garbage))
    monkeypatch.setenv("GIT_OBJECT_DIRECTORY", str(tmp_path / "no-objects"))
    result = cli("-C", str(repo.path), "status", "--format", "json")
    assert result.code == 0, result.err
    status = json.loads(result.out)
    assert status["branch"] == "main"
    assert status["dirty_files"] == []


def test_the_environment_git_gets() -> None:
    env = {
        **dict.fromkeys(HOOK_VARIABLES, "x"),
        "GIT_NAMESPACE": "x",
        "GIT_CEILING_DIRECTORIES": "/",
        "GIT_TRACE": "1",
        "GIT_SSH_COMMAND": "ssh -i key",
        "GIT_ASKPASS": "pass",
        "GIT_CONFIG_GLOBAL": "/home/me/.gitconfig",
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "http.extraheader",
        "GIT_CONFIG_VALUE_0": "AUTHORIZATION: basic x",
        "GIT_COMMITTER_NAME": "CI",
        "PATH": "/bin",
    }
    kept = git_environment(env)
    assert sorted(kept) == [
        "GIT_ASKPASS",
        "GIT_COMMITTER_NAME",
        "GIT_CONFIG_COUNT",
        "GIT_CONFIG_GLOBAL",
        "GIT_CONFIG_KEY_0",
        "GIT_CONFIG_VALUE_0",
        "GIT_SSH_COMMAND",
        "PATH",
    ]
