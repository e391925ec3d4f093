"""`tagship init` in a repository of several packages reads each package's tag format from
the tags naming it (`ws-core-v0.2.0`, `pkg-cli@0.3.0`, `core/1.0.0`), the root package's from
the tags naming none, writes the shared one at the root and the others in each package's own
pyproject.toml, and the publish workflow runs on every one; `status` finds each last release."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import yaml

from conftest import git
from tagship.core.pyproject import loads
from workflow_lint import assert_linted

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Cli, CliResult

MEMBER = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "{name}"
version = "{version}"
"""
ROOT_PROJECT = MEMBER.format(name="suite", version="3.0.0")
WORKSPACE = '\n[tool.uv.workspace]\nmembers = ["libs/*", "tools/*"]\n'


def _ok(result: CliResult) -> CliResult:
    assert result.code == 0, result.out + result.err
    return result


def _repository(tmp_path: Path, root: str, members: dict[str, tuple[str, str]]) -> Path:
    """A repository on master (origin's default) with `members`: directory -> (name, version)."""
    work = tmp_path / "work"
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=master", str(origin))
    git(tmp_path, "init", "--quiet", "--initial-branch=master", str(work))
    git(work, "remote", "add", "origin", str(origin))
    (work / "pyproject.toml").write_text(root)
    for directory, (name, version) in members.items():
        (work / directory).mkdir(parents=True)
        (work / directory / "pyproject.toml").write_text(MEMBER.format(name=name, version=version))
    git(work, "add", "--all")
    git(work, "commit", "--quiet", "-m", "initial")
    git(work, "push", "--quiet", "origin", "master")
    return work


def _tagship(path: Path) -> dict[str, Any]:
    table = loads(path.read_text()).get("tool", {}).get("tagship", {})
    assert isinstance(table, dict)
    return table


def _tags_of_publish(work: Path) -> list[str]:
    data = yaml.safe_load((work / ".github/workflows/publish-pypi.yml").read_text())
    tags = data[True]["push"]["tags"]  # YAML 1.1 reads `on` as true
    assert isinstance(tags, list)
    return tags


def test_each_package_keeps_its_own_tag_style(tmp_path: Path, cli: Cli) -> None:
    members = {"libs/core": ("ws-core", "0.2.0"), "tools/cli": ("pkg-cli", "0.3.0")}
    work = _repository(tmp_path, ROOT_PROJECT + WORKSPACE, members)
    for tag in ("v3.0.0", "ws-core-v0.1.0", "ws-core-v0.2.0", "pkg-cli@0.3.0"):
        git(work, "tag", "-a", tag, "-m", tag)
    result = _ok(cli("-C", str(work), "init"))
    out = result.out.splitlines()
    assert (
        'release-branch = "master": origin\'s default branch (git ls-remote --symref origin)' in out
    )
    assert 'tag-format of suite = "v{version}": the 1 newest release tags look like v3.0.0' in out
    assert (
        'tag-format of ws-core = "{name}-v{version}": the 2 newest tags naming the package '
        "look like ws-core-v0.2.0"
    ) in out
    assert (
        'tag-format of pkg-cli = "{name}@{version}": the 1 newest tags naming the package '
        "look like pkg-cli@0.3.0"
    ) in out
    # the root holds the repository's policy and the root package's format; a member whose
    # format differs holds its own
    assert _tagship(work / "pyproject.toml") == {
        "release-branch": "master",
        "tag-format": "v{version}",
    }
    assert _tagship(work / "libs/core/pyproject.toml") == {"tag-format": "{name}-v{version}"}
    assert _tagship(work / "tools/cli/pyproject.toml") == {"tag-format": "{name}@{version}"}
    assert sorted(_tags_of_publish(work)) == ["pkg-cli@*", "v*", "ws-core-v*"]
    _ok(cli("-C", str(work), "init", "--check"))
    assert_linted(work)
    _ok(cli("-C", str(work), "doctor"))

    git(work, "add", "--all")
    git(work, "commit", "--quiet", "-m", "adopt tagship")
    status = _ok(cli("-C", str(work), "status"))
    lines = status.out.splitlines()
    assert lines[1] == "package\tdirectory\tversion\tlast tag\tcommits since\trelease\trequires"
    rows = {line.split("\t")[0]: line.split("\t")[3] for line in lines[2:-1]}  # then next:
    assert rows == {"pkg-cli": "pkg-cli@0.3.0", "suite": "v3.0.0", "ws-core": "ws-core-v0.2.0"}
    for tag, version in (("pkg-cli@0.3.0", "0.3.0"), ("ws-core-v0.2.0", "0.2.0")):
        checked = _ok(cli("-C", str(work), "check-tag", tag))
        assert checked.out.splitlines()[0] == f"tag {tag} matches version {version}"


def test_a_style_the_tags_share_goes_to_the_root(tmp_path: Path, cli: Cli) -> None:
    members = {
        "libs/core": ("ws-core", "1.0.0"),
        "libs/extra": ("ws-extra", "0.1.0"),
        "tools/cli": ("pkg-cli", "0.3.0"),
    }
    work = _repository(tmp_path, WORKSPACE.lstrip(), members)  # a virtual root
    for tag in ("core/1.0.0", "pkg-cli/0.3.0"):  # the directory's name, or the package's
        git(work, "tag", "-a", tag, "-m", tag)
    result = _ok(cli("-C", str(work), "init"))
    assert (
        'tag-format of ws-extra = "{name}/{version}": as the other packages\' tags (none '
        "names ws-extra)"
    ) in result.out
    assert _tagship(work / "pyproject.toml")["tag-format"] == "{name}/{version}"
    assert _tagship(work / "tools/cli/pyproject.toml") == {}
    assert _tagship(work / "libs/extra/pyproject.toml") == {}
    # ws-core's tags spell its directory, not its name: its own format says so
    assert _tagship(work / "libs/core/pyproject.toml") == {"tag-format": "core/{version}"}
    assert sorted(_tags_of_publish(work)) == ["core/*", "pkg-cli/*", "ws-extra/*"]
    status = json.loads(_ok(cli("-C", str(work), "status", "--format", "json")).out)
    last = {p["package"]: p["last_release_tag"] for p in status["packages"]}
    assert last == {"pkg-cli": "pkg-cli/0.3.0", "ws-core": "core/1.0.0", "ws-extra": None}


def test_a_tag_format_given_serves_every_package(tmp_path: Path, cli: Cli) -> None:
    members = {"libs/core": ("ws-core", "1.0.0"), "tools/cli": ("pkg-cli", "0.3.0")}
    work = _repository(tmp_path, WORKSPACE.lstrip(), members)
    git(work, "tag", "-a", "ws-core-v1.0.0", "-m", "r")
    result = _ok(cli("-C", str(work), "init", "--tag-format", "{name}/v{version}"))
    assert 'tag-format of ws-core = "{name}/v{version}": given with --tag-format' in result.out
    assert _tagship(work / "pyproject.toml")["tag-format"] == "{name}/v{version}"
    assert _tagship(work / "libs/core/pyproject.toml") == {}
    # one format for two packages that cannot tell their tags apart is refused, nothing written
    refused = cli("-C", str(work), "init", "--tag-format", "v{version}", "--check")
    assert refused.code == 2
    assert "have tags one cannot tell apart" in refused.err
