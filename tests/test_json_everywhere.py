"""`--format json` on every command: one document on stdout in one envelope, the fields
docs/json.md lists, and nothing else on stdout (what a command says to people goes to stderr).
Here the commands a maintainer runs on a real repository; test_json_release.py runs the
release's own, test_json_github.py those that speak to GitHub."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

import pytest

from conftest import CHARMOS, STATIC_PYPROJECT, git
from json_kit import document, documented
from tagship.cli import COMMANDS, command_parser, main
from tagship.cli.json_document import Document, finish
from tagship.core.errors import EXIT_INTERNAL

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Cli, MakeRepo


def _leaves(name: str) -> dict[str, argparse.ArgumentParser]:
    """The parser of `tagship NAME`, or of each of its actions."""
    parser = command_parser(name)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return {f"{name} {sub}": leaf for sub, leaf in action.choices.items()}
    return {name: parser}


def _every_leaf() -> dict[str, argparse.ArgumentParser]:
    return {label: leaf for name in COMMANDS for label, leaf in _leaves(name).items()}


@pytest.mark.parametrize("label", sorted(_every_leaf()))
def test_every_command_takes_format_json(label: str) -> None:
    formats = [a for a in _every_leaf()[label]._actions if a.dest == "format"]
    assert len(formats) == 1, f"tagship {label} has no --format"
    assert formats[0].choices is not None
    assert {"text", "json"} <= set(formats[0].choices)


def test_docs_list_every_command_and_action() -> None:
    assert set(documented()) == set(_every_leaf())


def test_a_failure_is_one_line_on_stderr_and_a_document_on_stdout(
    make_repo: MakeRepo, cli: Cli
) -> None:
    repo = make_repo()
    result = cli("-C", str(repo.path), "check-tag", "v9.9.9", "--format", "json")
    data = json.loads(result.out)
    assert data == {
        "schema": "tagship.check-tag/1",
        "ok": False,
        "exit_code": 1,
        "error": {"message": data["error"]["message"], "hint": data["error"]["hint"]},
    }
    assert result.err.startswith(f"tagship: error: {data['error']['message']} (hint: ")
    assert result.err.count("\n") == 1
    assert "v9.9.9" in data["error"]["message"]


def test_a_crash_is_a_document_too(
    make_repo: MakeRepo, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An origin URL Python's parser rejects crashes `version` (exit 70): still one document."""
    monkeypatch.setenv("TAGSHIP_CACHE_DIR", str(tmp_path / "cache"))
    repo = make_repo()
    git(repo.path, "remote", "set-url", "origin", "https://[::1/owner/repo.git")
    crashed = document(cli("-C", str(repo.path), "version", "--format", "json"), "version", 70)
    assert crashed["error"]["message"] == "internal error: ValueError"


def test_a_usage_error_writes_no_document(
    make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo()
    with pytest.raises(SystemExit) as stopped:
        main(["-C", str(repo.path), "version", "--format", "json", "--bogus"])
    assert stopped.value.code == 2
    assert capsys.readouterr().out == ""


def test_the_maintainer_s_commands(make_repo: MakeRepo, cli: Cli) -> None:
    readme = 'readme = "README.md"\n'
    repo = make_repo({"pyproject.toml": STATIC_PYPROJECT + readme, "README.md": "# sample\n"})
    repo.tag("v0.4.22")
    here = ("-C", str(repo.path))

    def run(*args: str, code: int = 0) -> dict[str, Any]:
        label = " ".join(args[:2]) if args[0] in _SUBCOMMANDS else args[0]
        return document(cli(*here, *args, "--format", "json"), label, code)

    assert (run("version")["version"], run("version")["tag"]) == ("0.4.22", "v0.4.22")
    assert run("status")["version"] == "0.4.22"
    assert run("config")["settings"]
    assert run("check-tag", "v0.4.22")["draft"]
    assert run("check-docs")["problems"] == []
    assert run("ledger", "show")["records"] == []
    assert run("ledger", "verify")["count"] == 0
    assert run("notes", "--local")
    assert run("rollback", "plan", "0.4.22")["action"] == "plan"
    planned = run("bump", "patch", "--dry-run")
    assert (planned["new"], planned["written"]) == ("0.4.23", False)
    assert run("bump", "patch", "--commit")["commit"]
    repo.push()
    started = run("hotfix", "start", "v0.4.22")
    assert (started["branch"], started["ledger_seq"]) == ("hotfix/0.4.23", 1)
    finished = run("hotfix", "finish", code=1)
    assert finished["findings"]
    assert finished["error"]["hint"]


_SUBCOMMANDS = {"ledger", "rollback", "hotfix", "manifest", "github-release"}


def test_init_and_doctor(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo({"pyproject.toml": CHARMOS}, name="charm")
    here = ("-C", str(repo.path))
    wrote = document(cli(*here, "init", "--format", "json"), "init")
    written = {f["path"] for f in wrote["files"] if f["written"]}
    assert {".github/workflows/ci.yml", ".github/workflows/publish-pypi.yml"} <= written
    assert wrote["publishers"]
    assert document(cli(*here, "doctor", "--format", "json"), "doctor")["findings"] == []
    repo.commit("init")
    checked = document(cli(*here, "init", "--check", "--format", "json"), "init")
    assert checked["drifted"] == []
    ci = repo.path / ".github/workflows/ci.yml"
    ci.write_text(ci.read_text() + "# changed by hand\n")
    drifted = document(cli(*here, "init", "--check", "--format", "json"), "init", code=1)
    assert drifted["drifted"] == [".github/workflows/ci.yml"]
    assert ci.read_text().endswith("# changed by hand\n")  # --check writes nothing


def test_packages_of_a_workspace(make_repo: MakeRepo, cli: Cli) -> None:
    member = STATIC_PYPROJECT.replace("sample-pkg", "{name}")
    repo = make_repo(
        {
            "pyproject.toml": '[tool.uv.workspace]\nmembers = ["libs/*"]\n',
            "libs/a/pyproject.toml": member.format(name="a"),
            "libs/b/pyproject.toml": member.format(name="b"),
        }
    )
    listed = document(cli("-C", str(repo.path), "packages", "--format", "json"), "packages")
    assert [p["name"] for p in listed["packages"]] == ["a", "b"]
    every = json.loads(cli("-C", str(repo.path), "status", "--format", "json").out)
    assert (every["schema"], every["ok"]) == ("tagship.status/1", True)
    assert [p["package"] for p in every["packages"]] == ["a", "b"]


def test_a_report_that_is_not_json_is_an_internal_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    broken = Document("version", wanted=True)
    broken.add({"version": float("nan")})  # JSON has no NaN: a bug, never invalid JSON
    assert finish(broken, 0) == EXIT_INTERNAL
    shown = capsys.readouterr()
    data = json.loads(shown.out)
    assert (data["ok"], data["exit_code"], "version" in data) == (False, EXIT_INTERNAL, False)
    assert shown.err == f"tagship: {data['error']['message']} (please report it)\n"
