"""Several packages in one repository: finding them, choosing one, their tags and status."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import pytest

from conftest import git
from tagship.core.errors import ConfigError, UsageError
from tagship.core.packages import check_distinct_tags, package_of_tag
from tagship.repository import find_packages

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Cli, CliResult, MakeRepo, Repo


BUILD = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'


def member(name: str, version: str = "0.1.0", extra: str = "") -> str:
    """A package's pyproject.toml: built (uv takes a member without a build system for no
    package of its own)."""
    return f'{BUILD}[project]\nname = "{name}"\nversion = "{version}"\n{extra}'


UV_ROOT = '[tool.uv.workspace]\nmembers = ["libs/*"]\n'


def _workspace(make_repo: MakeRepo, root: str = UV_ROOT, **members: str) -> Repo:
    files = {"pyproject.toml": root}
    for directory, text in members.items():
        files[f"{directory.replace('__', '/')}/pyproject.toml"] = text
    return make_repo(files)


def test_a_uv_workspace_s_members_are_found_without_configuration(make_repo: MakeRepo) -> None:
    repo = _workspace(make_repo, libs__a=member("Pkg_A"), libs__b=member("pkg-b"))
    packages = find_packages(repo.path)
    assert packages is not None
    assert packages.names == ("pkg-a", "pkg-b")
    assert [p.relative for p in packages.members] == ["libs/a", "libs/b"]
    assert packages.declared_by == "[tool.uv.workspace] members"


def test_tagship_packages_win_and_a_root_with_a_project_is_a_package(
    make_repo: MakeRepo,
) -> None:
    root = '[project]\nname = "root-app"\nversion = "1.0"\n\n[tool.tagship]\n'
    root += 'packages = ["tools/cli"]\n\n' + UV_ROOT
    repo = _workspace(make_repo, root, tools__cli=member("cli"), libs__a=member("a"))
    packages = find_packages(repo.path / "tools" / "cli")
    assert packages is not None
    assert packages.names == ("cli", "root-app")
    assert packages.containing(repo.path / "tools" / "cli" / "src") == packages.named("cli")
    assert packages.containing(repo.path) is None  # at the root, every package is in view


def test_uv_exclude_drops_members(make_repo: MakeRepo) -> None:
    root = UV_ROOT + 'exclude = ["libs/old"]\n'
    repo = _workspace(make_repo, root, libs__a=member("a"), libs__old=member("old"))
    packages = find_packages(repo.path)
    assert packages is not None
    assert packages.names == ("a",)


def test_a_repository_without_a_declaration_has_no_packages(make_repo: MakeRepo) -> None:
    repo = make_repo()
    assert find_packages(repo.path) is None


@pytest.mark.parametrize(
    ("root", "members", "message"),
    [
        ('[tool.tagship]\npackages = ["nothing/*"]\n', {}, "'nothing/*' matches no directory"),
        (UV_ROOT, {"libs__a": member("a"), "libs__b": member("A")}, "two packages are named a"),
        ('[tool.tagship]\npackages = "libs/*"\n', {}, "must be a list of strings"),
        ('[tool.tagship]\npackages = ["../x"]\n', {}, "is not inside the repository"),
    ],
)
def test_bad_declarations_are_one_line_errors(
    make_repo: MakeRepo, root: str, members: dict[str, str], message: str
) -> None:
    repo = _workspace(make_repo, root, **members)
    with pytest.raises(ConfigError, match=re.escape(message)):
        find_packages(repo.path)


def test_a_member_directory_without_pyproject_is_named(make_repo: MakeRepo) -> None:
    root = '[tool.tagship]\npackages = ["libs/*"]\n'
    repo = make_repo({"pyproject.toml": root, "libs/a/README.md": "no pyproject\n"})
    with pytest.raises(ConfigError, match=r"libs/a has no pyproject\.toml"):
        find_packages(repo.path)


def test_a_uv_workspace_counts_what_uv_builds_as_packages(make_repo: MakeRepo, cli: Cli) -> None:
    """uv lets a glob match nothing and a matched directory hold no project, and builds only
    members with a build system (or `package = true`): a repository of one package with such
    a workspace table stays one, with its `v{version}` tags."""
    root = member("app", "1.0.0") + '\n[tool.uv.workspace]\nmembers = ["plugins/*", "none/*"]\n'
    root += 'exclude = ["plugins/gone"]\n'
    repo = make_repo(
        {
            "pyproject.toml": root,
            "plugins/helper/pyproject.toml": '[project]\nname = "helper"\nversion = "0"\n',
            "plugins/__pycache__/x.pyc": "",
            "plugins/docs/index.md": "docs\n",
            "plugins/forced/pyproject.toml": '[project]\nname = "forced"\nversion = "0"\n'
            "[tool.uv]\npackage = false\n",
        }
    )
    packages = find_packages(repo.path)
    assert packages is not None
    assert packages.names == ("app",)
    assert cli("-C", str(repo.path), "version", "--tag").out == "v1.0.0\n"
    files = {"pyproject.toml": UV_ROOT, "libs/x/pyproject.toml": "[project]\n"}
    virtual = make_repo(files, name="virtual")
    assert find_packages(virtual.path) is None  # nothing uv builds: the project at -C


def test_a_member_linked_out_of_the_repository_is_refused(
    make_repo: MakeRepo, cli: Cli, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "pyproject.toml").write_text(member("ext"))
    repo = _workspace(make_repo, UV_ROOT, libs__a=member("a"))
    (repo.path / "libs" / "ext").symlink_to(outside)
    result = cli("-C", str(repo.path), "status")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "libs/ext leads out of the repository" in result.err


def test_tags_that_could_name_two_packages_are_refused() -> None:
    check_distinct_tags({"a": "a-v{version}", "a-b": "a-b-v{version}"})
    with pytest.raises(ConfigError, match="packages a and a-b have tags one cannot tell apart"):
        check_distinct_tags({"a": "a-{version}", "a-b": "a-b-{version}"})
    with pytest.raises(ConfigError, match="cannot tell apart"):
        check_distinct_tags({"a": "v{version}", "b": "v{version}"})


def test_a_tag_names_its_package() -> None:
    formats = {"a": "a-v{version}", "a-b": "a-b-v{version}"}
    assert package_of_tag("refs/tags/a-b-v1.2", formats)[0] == "a-b"
    assert str(package_of_tag("a-v1.2rc1", formats)[1]) == "1.2rc1"
    with pytest.raises(UsageError, match="release tag of no package"):
        package_of_tag("v1.2", formats)


@pytest.fixture
def trio(make_repo: MakeRepo) -> Repo:
    """Three packages; b depends on a; the root shares a policy, c overrides it."""
    root = UV_ROOT + '\n[tool.tagship]\nrelease-branch = "trunk"\n'
    own = '\n[tool.tagship]\nrelease-branch = "main"\ntag-format = "c/{version}"\n'
    repo = _workspace(
        make_repo,
        root,
        libs__a=member("a"),
        libs__b=member("b", extra='dependencies = ["a>=0.1,<0.2"]\n'),
        libs__c=member("c", extra=own),
    )
    for name, tag in (("a", "a-v0.1.0"), ("b", "b-v0.1.0"), ("c", "c/0.1.0")):
        git(repo.path, "tag", "-a", tag, "-m", f"release {name}")
    repo.write("libs/a/src.py", "x = 1\n")
    repo.commit("change a")
    return repo


def test_commands_acting_on_one_package_refuse_without_a_choice(trio: Repo, cli: Cli) -> None:
    result = cli("-C", str(trio.path), "version")
    assert result.code == 2
    assert "this repository has 3 packages (a, b, c): this command acts on one" in result.err
    assert "--package NAME" in result.err
    unknown = cli("-C", str(trio.path), "--package", "d", "version")
    assert unknown.code == 2
    assert "no package 'd' in this repository; its packages: a, b, c" in unknown.err


def test_a_package_is_chosen_by_name_or_directory(trio: Repo, cli: Cli) -> None:
    assert cli("-C", str(trio.path), "--package", "B", "version", "--tag").out == "b-v0.1.0\n"
    inside = trio.path / "libs" / "c"
    assert cli("-C", str(inside), "version", "--tag").out == "c/0.1.0\n"


def _config(shown: CliResult) -> dict[str, tuple[str, str]]:
    assert shown.code == 0, shown.err
    return {row["key"]: (row["value"], row["source"]) for row in json.loads(shown.out)["settings"]}


def test_each_package_inherits_the_root_policy_and_keeps_its_own(trio: Repo, cli: Cli) -> None:
    config = _config(cli("-C", str(trio.path), "--package", "a", "config", "--format", "json"))
    assert config["release-branch"] == ("trunk", "repository pyproject")
    assert config["tag-format"] == ("a-v{version}", "default (several packages)")
    own = _config(cli("-C", str(trio.path / "libs" / "c"), "config", "--format", "json"))
    assert own["release-branch"] == ("main", "pyproject")


def test_check_tag_finds_the_package_from_the_tag_alone(trio: Repo, cli: Cli) -> None:
    assert (
        cli("-C", str(trio.path), "check-tag", "b-v0.1.0").out.splitlines()[0]
        == "tag b-v0.1.0 matches version 0.1.0"
    )
    assert cli("-C", str(trio.path), "check-tag", "c/0.1.0").code == 0
    wrong = cli("-C", str(trio.path), "check-tag", "a-v0.2.0")
    assert wrong.code == 1
    assert "does not match pyproject version 0.1.0 (expected tag a-v0.1.0)" in wrong.err


def test_status_shows_a_row_per_package_and_the_releases_a_release_forces(
    trio: Repo, cli: Cli
) -> None:
    trio.write("libs/a/pyproject.toml", member("a", "0.2.0"))
    trio.commit("bump a")
    shown = cli("-C", str(trio.path), "status", "--format", "json")
    assert shown.code == 0, shown.err
    rows = {p["package"]: p for p in json.loads(shown.out)["packages"]}
    assert rows["a"]["commits_since_release"] == 2
    assert rows["a"]["next_version"] == "0.2.0"
    assert rows["a"]["requires"] == ["releasing 0.2.0 requires releasing b (it pins a>=0.1,<0.2)"]
    assert rows["b"]["commits_since_release"] == 0
    assert rows["b"]["next_version"] is None
    assert rows["c"]["last_release_tag"] == "c/0.1.0"
    one = cli("-C", str(trio.path), "--package", "a", "status")
    assert "expected tag\ta-v0.2.0" in one.out


def test_a_repository_of_one_package_takes_its_own_name(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo()
    assert cli("-C", str(repo.path), "--package", "Sample_Pkg", "version").out == "0.4.22\n"
    other = cli("-C", str(repo.path), "--package", "other", "version")
    assert other.code == 2
    assert "no package 'other' here" in other.err


def test_each_package_has_its_own_hotfix_line(trio: Repo, cli: Cli) -> None:
    """Hotfix branches name their package, and `finish` reads the package's own changelog."""
    path = str(trio.path)
    git(trio.path, "branch", "trunk")  # the release branch the root's policy names
    started = cli("-C", path, "--package", "a", "hotfix", "start", "a-v0.1.0")
    assert started.code == 0, started.err
    assert git(trio.path, "branch", "--show-current") == "hotfix/a-0.1.1"
    trio.write("libs/a/fix.py", "FIXED = True\n")
    fix = trio.commit("Fix a")
    trio.write("libs/a/CHANGELOG.md", "# Changes\n\n## 0.1.1\n\n- Fixes a-v0.1.0.\n")
    trio.commit("notes")  # only the changelog: no fix of its own
    git(trio.path, "switch", "--quiet", "trunk")
    git(trio.path, "cherry-pick", "-x", fix)
    # b's patch line does not collide with a's
    other = cli("-C", path, "--package", "b", "hotfix", "start", "b-v0.1.0")
    assert other.code == 0, other.err
    assert git(trio.path, "branch", "--show-current") == "hotfix/b-0.1.1"
    finished = cli("-C", path, "--package", "a", "hotfix", "finish", "--branch", "hotfix/a-0.1.1")
    assert finished.code == 0, finished.out + finished.err
    assert "the 0.1.1 section of libs/a/CHANGELOG.md mention a-v0.1.0" in finished.out
    wrong = cli("-C", path, "--package", "b", "hotfix", "finish", "--branch", "hotfix/a-0.1.1")
    assert wrong.code == 2
    assert "hotfix/a-0.1.1 is no hotfix branch of b" in wrong.err
