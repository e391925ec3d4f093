"""`bump` changes the files that carry the project's version and nothing else: not after a
refused commit, not outside the repository, not another package's `__version__`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import git

if TYPE_CHECKING:
    from conftest import Cli, MakeRepo, Repo

DEMO = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "demo"
version = "1.0.0"
"""
DEMO_INIT = '"""Demo."""\n\n__version__ = "1.0.0"\n'


def _snapshot(repo: Repo) -> dict[str, bytes]:
    """Every tracked file's bytes (a symlink's target, for a symlink)."""
    files = [repo.path / name for name in git(repo.path, "ls-files").splitlines()]
    return {
        p.relative_to(repo.path).as_posix(): (
            str(p.readlink()).encode() if p.is_symlink() else p.read_bytes()
        )
        for p in files
    }


def _one_line_error(result_err: str) -> None:
    assert result_err.count("\n") == 1, result_err
    assert "Traceback" not in result_err


def test_a_refused_commit_puts_every_file_and_the_index_back(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo({"pyproject.toml": DEMO, "src/demo/__init__.py": DEMO_INIT})
    hook = repo.path / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'hook: refusing' >&2\nexit 1\n")
    hook.chmod(0o755)
    head, before = git(repo.path, "rev-parse", "HEAD"), _snapshot(repo)
    result = cli("-C", str(repo.path), "bump", "patch", "--commit")
    assert result.code == 3, result.out
    _one_line_error(result.err)
    assert "hook: refusing" in result.err
    assert "every file was put back" in result.err
    assert "(hint: " in result.err
    assert _snapshot(repo) == before
    assert git(repo.path, "status", "--porcelain") == ""  # nothing left staged
    assert git(repo.path, "rev-parse", "HEAD") == head


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("../outside.txt", "../outside.txt is outside the repository"),
        ("docs/../../outside.txt", "docs/../../outside.txt is outside the repository"),
        ("{abs}", "is an absolute path"),
        ("escape/outside.txt", "escape/outside.txt is outside the repository"),
        ("docs/conf.py", "docs/conf.py is a symlink to docs/conf_real.py"),
    ],
)
def test_version_files_stay_inside_the_repository(
    make_repo: MakeRepo, cli: Cli, tmp_path: Path, entry: str, message: str
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("version 1.0.0\n")
    entry = entry.replace("{abs}", outside.as_posix())
    repo = make_repo(
        {
            "pyproject.toml": DEMO + f"\n[tool.tagship]\nversion-files = ['{entry}']\n",
            "docs/conf_real.py": 'release = "1.0.0"\n',
        }
    )
    (repo.path / "docs/conf.py").symlink_to("conf_real.py")
    (repo.path / "escape").symlink_to(tmp_path, target_is_directory=True)
    repo.commit("links")
    before = _snapshot(repo)
    result = cli("-C", str(repo.path), "bump", "patch")
    assert result.code == 2, result.out
    _one_line_error(result.err)
    assert message in result.err
    assert _snapshot(repo) == before
    assert (repo.path / "docs/conf.py").is_symlink()
    assert outside.read_text() == "version 1.0.0\n"


def test_without_git_the_project_directory_is_the_limit(tmp_path: Path, cli: Cli) -> None:
    project = tmp_path / "plain"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        DEMO + "\n[tool.tagship]\nversion-files = ['../outside.txt']\n"
    )
    (tmp_path / "outside.txt").write_text("1.0.0\n")
    result = cli("-C", str(project), "bump", "patch")
    assert result.code == 2, result.out
    assert "../outside.txt is outside the repository" in result.err
    assert (tmp_path / "outside.txt").read_text() == "1.0.0\n"
    assert 'version = "1.0.0"' in (project / "pyproject.toml").read_text()


VENDORED = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "demo-lib"
version = "1.0.0"

[tool.setuptools.packages.find]
where = ["src"]
"""


@pytest.mark.parametrize("own", ["demolib", "the_lib"])
def test_a_vendored_package_s_version_is_not_the_project_s(
    make_repo: MakeRepo, cli: Cli, own: str
) -> None:
    """`demolib` is recognised as the project's own package; `the_lib` is not, so only a
    literal equal to the version is taken as a duplicate."""
    repo = make_repo(
        {
            "pyproject.toml": VENDORED,
            f"src/{own}/__init__.py": '__version__ = "1.0.0"\n',
            "src/vendored_six/__init__.py": '__version__ = "1.16.0"\n',
        }
    )
    dry = cli("-C", str(repo.path), "bump", "patch", "--dry-run")
    assert dry.code == 0, dry.err
    assert f"__version__ in src/{own}/__init__.py" in dry.out
    assert "vendored_six" not in dry.out
    assert cli("-C", str(repo.path), "check-tag", "v1.0.0").code == 0
    assert cli("-C", str(repo.path), "bump", "patch").code == 0
    assert (repo.path / "src/vendored_six/__init__.py").read_text() == '__version__ = "1.16.0"\n'
    assert (repo.path / f"src/{own}/__init__.py").read_text() == '__version__ = "1.0.1"\n'


def test_an_unrecognised_package_with_a_stale_literal_is_not_flagged(
    make_repo: MakeRepo, cli: Cli
) -> None:
    repo = make_repo(
        {"pyproject.toml": VENDORED, "src/helpers/__init__.py": '__version__ = "0.9.0"\n'}
    )
    assert cli("-C", str(repo.path), "check-tag", "v1.0.0").code == 0


def _uv() -> str:
    return str(Path(sys.executable).parent / "uv")


def _uv_run(repo: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_uv(), "lock", *args, "--offline", "--no-python-downloads"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=False,
    )


def _member(name: str, version: str) -> str:
    return DEMO.replace('name = "demo"', f'name = "{name}"').replace("1.0.0", version)


WS_ROOT = """\
[project]
name = "ws-root"
version = "0.0.0"
requires-python = ">=3.10"

[tool.uv.workspace]
members = ["packages/*"]
"""


def test_a_uv_workspace_member_s_bump_edits_the_root_lock(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo(
        {
            "pyproject.toml": WS_ROOT,
            "packages/core/pyproject.toml": _member("ws-core", "0.3.0"),
            "packages/extra/pyproject.toml": _member("ws-extra", "0.3.0"),
        }
    )
    assert _uv_run(repo).returncode == 0
    repo.commit("lock")
    lock_before = (repo.path / "uv.lock").read_text()
    dry = cli("-C", str(repo.path), "--package", "ws-core", "bump", "minor", "--dry-run")
    assert dry.code == 0, dry.err
    assert "--- a/uv.lock\n+++ b/uv.lock\n" in dry.out
    assert "--- a/packages/core/pyproject.toml\n" in dry.out
    result = cli("-C", str(repo.path), "--package", "ws-core", "bump", "minor", "--commit")
    assert result.code == 0, result.err
    assert "and ../../uv.lock entry of ws-core" in result.out
    check = _uv_run(repo, "--check")
    assert check.returncode == 0, check.stderr
    lock_after = (repo.path / "uv.lock").read_text()
    # only ws-core's entry moved: ws-extra (also at 0.3.0) is untouched
    assert lock_after.count('version = "0.4.0"') == 1
    assert lock_after.replace('version = "0.4.0"', 'version = "0.3.0"') == lock_before
    assert git(repo.path, "status", "--porcelain") == ""


def test_a_member_does_not_inherit_the_root_s_version_files(make_repo: MakeRepo, cli: Cli) -> None:
    root = '[tool.tagship]\npackages = ["libs/*"]\nversion-files = ["docs/conf.py", "README.md"]\n'
    readme = "Install lib-a 2.0.0 with pip.\n"
    repo = make_repo(
        {
            "pyproject.toml": root,
            "docs/conf.py": 'release = "9.9.9"\n',
            "libs/a/pyproject.toml": _member("lib-a", "2.0.0"),
            "libs/a/README.md": readme,
            "libs/b/pyproject.toml": _member("lib-b", "1.0.0"),
        }
    )
    result = cli("-C", str(repo.path), "--package", "lib-a", "bump", "patch")
    assert result.code == 0, result.err
    assert (repo.path / "libs/a/README.md").read_text() == readme
    assert 'version = "2.0.1"' in (repo.path / "libs/a/pyproject.toml").read_text()


@pytest.mark.parametrize(
    "entries",
    [
        "['src/demo/__init__.py']",
        "['pyproject.toml']",
        "[{ path = 'src/demo/__init__.py', pattern = '__version__ = \"(?P<version>[^\"]+)\"' }]",
        "['src/demo/__init__.py', 'src/demo/__init__.py']",
    ],
)
def test_a_version_file_bump_already_edits_is_no_failure(
    make_repo: MakeRepo, cli: Cli, entries: str
) -> None:
    repo = make_repo(
        {
            "pyproject.toml": DEMO + f"\n[tool.tagship]\nversion-files = {entries}\n",
            "src/demo/__init__.py": DEMO_INIT,
        }
    )
    before = _snapshot(repo)
    result = cli("-C", str(repo.path), "bump", "patch")
    assert result.code == 0, result.err
    after = _snapshot(repo)
    for name in ("pyproject.toml", "src/demo/__init__.py"):
        assert after[name] == before[name].replace(b'"1.0.0"', b'"1.0.1"'), name


def test_a_version_file_that_also_carries_the_version_elsewhere_is_merged(
    make_repo: MakeRepo, cli: Cli
) -> None:
    init = DEMO_INIT + '\nRELEASE = "1.0.0"\n'
    repo = make_repo(
        {
            "pyproject.toml": DEMO + "\n[tool.tagship]\nversion-files = ['src/demo/__init__.py']\n",
            "src/demo/__init__.py": init,
        }
    )
    result = cli("-C", str(repo.path), "bump", "patch")
    assert result.code == 0, result.err
    assert (repo.path / "src/demo/__init__.py").read_text() == init.replace("1.0.0", "1.0.1")


def test_a_refused_commit_puts_back_what_the_fragment_tool_changed(
    make_repo: MakeRepo, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stand-in towncrier (on PATH, as a user's own would be) that edits the changelog,
    removes a fragment with git and adds a file: all of it is undone with the bump."""
    towncrier = '[tool.towncrier]\ndirectory = "changes"\nfilename = "CHANGELOG.md"\n'
    repo = make_repo(
        {
            "pyproject.toml": DEMO + towncrier,
            "CHANGELOG.md": "# Changelog\n",
            "changes/7.feature.md": "Sails.\n",
        }
    )
    hook = repo.path / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'hook: refusing' >&2\nexit 1\n")
    hook.chmod(0o755)
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    script = bin_dir / "towncrier"
    script.write_text(
        '#!/bin/sh\ncase "$*" in *--draft*) echo "- Sails."; exit 0;; esac\n'
        "printf '\\n## 1.0.1\\n\\n- Sails.\\n' >> CHANGELOG.md\n"
        "git rm --quiet changes/7.feature.md\necho new > NEWS.txt\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    before = _snapshot(repo)
    result = cli("-C", str(repo.path), "bump", "patch", "--changelog", "--commit")
    assert result.code == 3, result.out
    _one_line_error(result.err)
    assert "every file was put back" in result.err
    assert _snapshot(repo) == before
    assert git(repo.path, "status", "--porcelain") == ""
    assert not (repo.path / "NEWS.txt").exists()


def test_a_symlinked_version_module_is_refused(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo({"pyproject.toml": DEMO, "shared.py": DEMO_INIT})
    (repo.path / "src/demo").mkdir(parents=True)
    (repo.path / "src/demo/__init__.py").symlink_to("../../shared.py")
    repo.commit("link")
    before = _snapshot(repo)
    result = cli("-C", str(repo.path), "bump", "patch")
    assert result.code == 2, result.out
    _one_line_error(result.err)
    assert "src/demo/__init__.py is a symlink to shared.py" in result.err
    assert _snapshot(repo) == before
