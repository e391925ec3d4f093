"""`[tool.tagship]`: defaults from the policy, overrides, and errors that name the key."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tagship.adapters.project_files import load_pyproject
from tagship.ci import read_run
from tagship.core.config import (
    BUILTIN_INDEXES,
    REQUIRED_CHECKS,
    Config,
    credentials,
    github_repo_from_url,
    load_config,
)
from tagship.core.config_view import describe
from tagship.core.errors import ConfigError

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Cli


def _load(
    tmp_path: Path,
    tool: str = "",
    *,
    env: dict[str, str] | None = None,
    overrides: tuple[str, ...] = (),
    origin: str | None = None,
) -> Config:
    path = tmp_path / "pyproject.toml"
    path.write_text(f'[project]\nname = "x"\nversion = "1.0"\n{tool}')
    return load_config(
        path,
        load_pyproject(path),
        ci_repository=read_run(env or {}).repository,
        overrides=overrides,
        origin_url=origin,
    )


def test_defaults_are_the_charmos_policy(tmp_path: Path) -> None:
    config = _load(tmp_path)
    assert config.tag_format == "v{version}"
    assert config.release_branch == "main"
    assert config.hotfix_branches == "hotfix/*"
    assert (
        config.required_checks
        == REQUIRED_CHECKS
        == (
            "lint",
            "typecheck",
            "tests",
            "package-build",
            "docs-validation",
            "build-validation",
            "release-label",
        )
    )
    pypi, testpypi = config.index("pypi"), config.index("testpypi")
    assert (pypi.environment, pypi.workflow, pypi.official) == ("pypi", "publish-pypi.yml", True)
    assert (testpypi.environment, testpypi.workflow) == ("testpypi", "publish-testpypi.yml")
    assert testpypi.upload_url == "https://test.pypi.org/legacy/"
    assert config.release_labels == (
        "release:major",
        "release:minor",
        "release:patch",
        "release:skip",
    )


def test_extra_index_and_partial_override_of_a_builtin(tmp_path: Path) -> None:
    config = _load(
        tmp_path,
        '[tool.tagship.indexes.local]\nupload-url = "http://127.0.0.1:8081/"\n'
        'simple-url = "http://127.0.0.1:8081/simple/"\nofficial = false\n'
        '[tool.tagship.indexes.testpypi]\nsimple-url = "http://127.0.0.1:9/simple/"\n',
    )
    local = config.index("local")
    assert (local.upload_url, local.official, local.environment) == (
        "http://127.0.0.1:8081/",
        False,
        None,
    )
    testpypi = config.index("testpypi")
    assert testpypi.simple_url == "http://127.0.0.1:9/simple/"
    assert testpypi.upload_url == BUILTIN_INDEXES["testpypi"].upload_url
    assert testpypi.official is True
    assert config.sources["indexes.testpypi.simple-url"] == "pyproject"


def test_unknown_index_is_explained(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown index 'nope'"):
        _load(tmp_path).index("nope")


@pytest.mark.parametrize(
    ("tool", "message"),
    [
        ("[tool.tagship]\ntag-fromat = 'v{version}'\n", r"unknown key `tool.tagship.tag-fromat`"),
        (
            "[tool.tagship]\nrequired-checks = 'lint'\n",
            r"`tool.tagship.required-checks` .* must be a list of strings, got str",
        ),
        ("[tool.tagship]\nrelease-branch = 3\n", r"must be a string, got int"),
        ("[tool.tagship.indexes.x]\nupload-url = 'http://h/'\n", r"needs simple-url"),
        ("[tool.tagship.indexes.pypi]\nofficial = 'yes'\n", r"must be true or false"),
        (
            "[tool.tagship.indexes.pypi]\nurl = 'x'\n",
            r"unknown key `tool.tagship.indexes.pypi.url`",
        ),
        ("[tool.tagship.github]\nowner = 1\n", r"`tool.tagship.github.owner`"),
        ("[tool.tagship]\ntag-format = 'release'\n", r"must hold \{version\} once"),
        ("[tool.tagship]\ntag-format = 'v {version}'\n", r"'v \{version\}' makes tag names git"),
        ("[tool]\ntagship = 1\n", r"`tool.tagship` .* must be a table"),
    ],
)
def test_bad_config_names_key_and_file(tmp_path: Path, tool: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        _load(tmp_path, tool)
    assert info.value.exit_code == 2


def test_unknown_key_suggests_the_close_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, "[tool.tagship]\ntag-fromat = 'v{version}'\n")
    assert str(tmp_path / "pyproject.toml") in info.value.message
    assert info.value.hint == "did you mean 'tag-format'?"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("git@github.com:CharmAIOS/Charm.git", ("CharmAIOS", "Charm")),
        ("https://github.com/CharmAIOS/Charm", ("CharmAIOS", "Charm")),
        ("https://github.com/CharmAIOS/Charm.git/", ("CharmAIOS", "Charm")),
        ("ssh://git@github.com/CharmAIOS/Charm.git", ("CharmAIOS", "Charm")),
        ("https://ghe.example.com/team/tool.git", ("team", "tool")),
        ("/srv/git/origin.git", None),
        ("file:///srv/git/origin.git", None),
        ("https://gitlab.com/group/sub/project.git", None),
        (None, None),
    ],
)
def test_github_repository_from_remote_url(
    url: str | None, expected: tuple[str, str] | None
) -> None:
    assert github_repo_from_url(url) == expected


def test_source_precedence(tmp_path: Path) -> None:
    tool = "[tool.tagship]\nrelease-branch = 'trunk'\n[tool.tagship.github]\nowner = 'Me'\n"
    config = _load(tmp_path, tool, origin="git@github.com:CharmAIOS/Charm.git")
    assert (config.github_owner, config.github_repository) == ("Me", "Charm")
    assert config.sources["github.owner"] == "pyproject"
    assert config.sources["github.repository"] == "git remote origin"
    env = {"GITHUB_REPOSITORY": "Other/Repo"}
    config = _load(tmp_path, tool, env=env, overrides=("release-branch=release",))
    assert (config.github_owner, config.release_branch) == ("Other", "release")
    assert config.sources["github.owner"] == "environment"
    assert config.sources["release-branch"] == "command line"


def test_command_line_overrides_are_typed(tmp_path: Path) -> None:
    config = _load(
        tmp_path,
        overrides=(
            "indexes.local.upload-url=http://127.0.0.1:1/",
            "indexes.local.simple-url=http://127.0.0.1:1/simple/",
            "indexes.local.official=false",
            'required-checks=["lint"]',
        ),
    )
    assert config.index("local").official is False
    assert config.required_checks == ("lint",)
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        _load(tmp_path, overrides=("no-equals-sign",))
    with pytest.raises(ConfigError, match="command line must be true or false"):
        _load(tmp_path, overrides=("indexes.pypi.official=maybe",))


def test_credentials_only_from_environment_and_never_shown(tmp_path: Path) -> None:
    env = {
        "TAGSHIP_INDEX_MY_LOCAL_USERNAME": "alice",
        "TAGSHIP_INDEX_MY_LOCAL_PASSWORD": "s3cret-value",
        "TAGSHIP_INDEX_PYPI_TOKEN": "pypi-AgEtoken",
    }
    found = credentials("my-local", env)
    assert found is not None
    assert (found.username, found.password) == ("alice", "s3cret-value")
    assert "s3cret" not in repr(found)
    token = credentials("pypi", env)
    assert token is not None
    assert (token.username, token.password) == ("__token__", "pypi-AgEtoken")
    assert credentials("testpypi", env) is None
    tool = (
        "[tool.tagship.indexes.my-local]\nupload-url = 'http://127.0.0.1:1/'\n"
        "simple-url = 'http://127.0.0.1:1/simple/'\n"
    )
    rows = describe(_load(tmp_path, tool), env)
    text = repr(rows)
    assert "s3cret" not in text
    assert "pypi-AgE" not in text
    assert ("indexes.my-local.credentials", "set (hidden)") in [(k, v) for k, v, _ in rows]
    assert ("indexes.testpypi.credentials", "not set") in [(k, v) for k, v, _ in rows]


def test_command_line_overrides_one_key_of_an_index_declared_in_pyproject(tmp_path: Path) -> None:
    tool = (
        "[tool.tagship.indexes.local]\nupload-url = 'http://127.0.0.1:1/'\n"
        "simple-url = 'http://127.0.0.1:1/simple/'\n"
    )
    config = _load(tmp_path, tool, overrides=("indexes.local.upload-url=http://127.0.0.1:2/",))
    local = config.index("local")
    assert (local.upload_url, local.simple_url) == (
        "http://127.0.0.1:2/",
        "http://127.0.0.1:1/simple/",
    )
    assert config.sources["indexes.local.upload-url"] == "command line"
    assert config.sources["indexes.local.simple-url"] == "pyproject"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("indexes=3", "`tool.tagship.indexes` given with --set on the command line must be a"),
        ("github=x", "`tool.tagship.github` given with --set on the command line must be a"),
        ("checks=1", "`tool.tagship.checks` given with --set on the command line must be a"),
        ("indexes.new.official=true", "index `tool.tagship.indexes.new` given with --set"),
        ("indexes.pypi=1", "`tool.tagship.indexes.pypi` given with --set on the command line"),
        ("tag-fromat=x", "unknown key `tool.tagship.tag-fromat` given with --set on the"),
        ("github.ownr=x", "unknown key `tool.tagship.github.ownr` given with --set on the"),
        ("indexes.pypi.url=x", "unknown key `tool.tagship.indexes.pypi.url` given with --set"),
    ],
)
def test_set_errors_blame_the_command_line(
    tmp_path: Path, cli: Cli, override: str, message: str
) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1.0"\n')
    result = cli("-C", str(tmp_path), "--set", override, "config")
    assert result.code == 2, result.err
    assert message in result.err
    assert "pyproject.toml" not in result.err
    assert result.err.count("\n") == 1
