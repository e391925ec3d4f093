"""`bump` rewrites every file that carries the version, and nothing else, or no file at all."""

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

PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "sample-pkg"
version = "1.2.0"
requires-python = ">=3.10"
"""
INIT = '''"""The sample package."""

__version__ = "1.2.0"  # kept in step by tagship bump

VERSION_INFO = (1, 2, 0)
'''
CONF = """\
project = "sample"
release = "1.2.0"
version = "1.2"
"""
DOCS = "Install sample-pkg 1.2.0 (not 11.2.0, 1.2.0.post1 or 1.2.01).\nAgain: 1.2.0\n"
VERSION_FILES = """
[tool.tagship]
version-files = [
  "docs/install.md",
  { path = "docs/conf.py", pattern = 'release = "(?P<version>[^"]+)"' },
]
"""


def _uv() -> str:
    return str(Path(sys.executable).parent / "uv")


def _lock(repo: Repo) -> None:
    done = subprocess.run(
        [_uv(), "lock", "--offline", "--no-python-downloads", "--quiet"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    repo.commit("lock")


@pytest.fixture
def sample(make_repo: MakeRepo) -> Repo:
    """A project with uv.lock, a __version__ duplicate and two version-files."""
    repo = make_repo(
        {
            "pyproject.toml": PYPROJECT + VERSION_FILES,
            "src/sample_pkg/__init__.py": INIT,
            "docs/conf.py": CONF,
            "docs/install.md": DOCS,
        }
    )
    _lock(repo)
    return repo


def _snapshot(repo: Repo) -> dict[str, bytes]:
    files = git(repo.path, "ls-files").splitlines()
    return {name: (repo.path / name).read_bytes() for name in files}


def test_bump_rewrites_every_carrier_and_no_other_byte(sample: Repo, cli: Cli) -> None:
    before = _snapshot(sample)
    result = cli("-C", str(sample.path), "bump", "minor", "--commit")
    assert result.code == 0, result.err
    assert "bumped 1.2.0 -> 1.3.0 in pyproject.toml [project].version" in result.out
    assert "and uv.lock entry of sample-pkg" in result.out
    assert "and __version__ in src/sample_pkg/__init__.py" in result.out
    after = _snapshot(sample)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {
        "pyproject.toml",
        "uv.lock",
        "src/sample_pkg/__init__.py",
        "docs/conf.py",
        "docs/install.md",
    }
    for name in changed:  # the version's characters and nothing else
        expected = before[name].replace(b'"1.2.0"', b'"1.3.0"')
        if name == "docs/install.md":
            expected = DOCS.replace("1.2.0 (", "1.3.0 (").replace(": 1.2.0", ": 1.3.0").encode()
        assert after[name] == expected, name
    assert (sample.path / "docs/conf.py").read_text() == CONF.replace('"1.2.0"', '"1.3.0"')
    # uv agrees with the edited lock, and the commit holds every file
    check = subprocess.run(
        [_uv(), "lock", "--check", "--offline", "--no-python-downloads"],
        cwd=sample.path,
        capture_output=True,
        check=False,
    )
    assert check.returncode == 0
    assert git(sample.path, "status", "--porcelain") == ""
    shown = git(sample.path, "show", "--stat", "--format=%s", "HEAD")
    assert shown.startswith("Bump version to 1.3.0")
    assert "5 files changed" in shown


def test_dry_run_shows_the_diff_of_every_file_and_changes_nothing(sample: Repo, cli: Cli) -> None:
    before = _snapshot(sample)
    result = cli("-C", str(sample.path), "bump", "rc", "--dry-run")
    assert result.code == 0, result.err
    assert "would bump 1.2.0 -> 1.2.1rc1" in result.out
    for name in ("pyproject.toml", "uv.lock", "src/sample_pkg/__init__.py", "docs/conf.py"):
        assert f"--- a/{name}\n+++ b/{name}\n" in result.out
    assert '-__version__ = "1.2.0"  # kept in step by tagship bump\n' in result.out
    assert '+__version__ = "1.2.1rc1"  # kept in step by tagship bump\n' in result.out
    assert _snapshot(sample) == before


def test_a_stale_duplicate_is_brought_in_step(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo(
        {
            "pyproject.toml": PYPROJECT,
            "src/sample_pkg/__init__.py": "from ._version import __version__\n",
            "src/sample_pkg/_version.py": "__version__: str = '1.1.0'\n",
        }
    )
    result = cli("-C", str(repo.path), "bump", "patch")
    assert result.code == 0, result.err
    assert "and __version__ in src/sample_pkg/_version.py (was 1.1.0)" in result.out
    assert (repo.path / "src/sample_pkg/_version.py").read_text() == "__version__: str = '1.2.1'\n"


@pytest.mark.parametrize(
    "module",
    [
        'from importlib.metadata import version\n\n__version__ = version("sample-pkg")\n',
        'try:\n    from ._v import v\nexcept ImportError:\n    __version__ = "1.2.0"\n',
        '__version__ = "unknown"\n',
        '"""Set it like this:\n\n__version__ = "1.2.0"\n"""\n',
        "NOTE = '''\n__version__ = \"1.2.0\"\n'''\n",
        'if True:\n    __version__ = "1.2.0"\n',
    ],
)
def test_a_computed_or_nested_version_is_never_touched(
    make_repo: MakeRepo, cli: Cli, module: str
) -> None:
    repo = make_repo({"pyproject.toml": PYPROJECT, "sample_pkg/__init__.py": module})
    result = cli("-C", str(repo.path), "bump", "patch")
    assert result.code == 0, result.err
    assert "__version__" not in result.out
    assert (repo.path / "sample_pkg/__init__.py").read_text() == module


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ('from typing import Final\n\n__version__: Final = "1.2.0"\n', None),
        ('__version__: "str" = r"1.2.0"  # 1.2.0\n', '__version__: "str" = r"1.2.1"  # 1.2.0\n'),
        ('\ufeff__version__ = "1.2.0"\n', None),
        ('"""Caf\u00e9 \u2028 \f."""\nNAME = "\u00e9t\u00e9"; __version__ = "1.2.0"\r\n', None),
        ('__version__ = \\\n    "1.2.0"\n', None),
        ('__author__, __version__ = "x", "1.2.0"\n', "unchanged"),
    ],
)
def test_a_module_level_literal_is_found_by_python_s_own_reading(
    make_repo: MakeRepo, cli: Cli, module: str, expected: str | None
) -> None:
    """Annotated, after a BOM, after non-ASCII text, or continued on the next line: the
    literal's characters change and no other byte."""
    repo = make_repo({"pyproject.toml": PYPROJECT})
    (repo.path / "sample_pkg").mkdir()
    (repo.path / "sample_pkg/__init__.py").write_bytes(module.encode())
    result = cli("-C", str(repo.path), "bump", "patch")
    assert result.code == 0, result.err
    if expected == "unchanged":
        expected = module
    elif expected is None:
        expected = module.replace('"1.2.0"', '"1.2.1"')
    assert (repo.path / "sample_pkg/__init__.py").read_bytes() == expected.encode()


def test_the_version_file_of_a_hatch_project_and_its_init(make_repo: MakeRepo, cli: Cli) -> None:
    pyproject = PYPROJECT.replace('version = "1.2.0"', 'dynamic = ["version"]')
    pyproject += '\n[tool.hatch.version]\npath = "src/sample_pkg/__about__.py"\n'
    repo = make_repo(
        {
            "pyproject.toml": pyproject,
            "src/sample_pkg/__about__.py": '__version__ = "1.2.0"\n',
            "src/sample_pkg/__init__.py": '__version__ = "1.2.0"\n',
        }
    )
    result = cli("-C", str(repo.path), "bump", "beta")
    assert result.code == 0, result.err
    assert "bumped 1.2.0 -> 1.2.1b1 in hatch version path src/sample_pkg/__about__.py" in result.out
    for name in ("__about__.py", "__init__.py"):
        text = (repo.path / "src/sample_pkg" / name).read_text()
        assert text == '__version__ = "1.2.1b1"\n'


def test_crlf_files_keep_their_line_endings(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo({"pyproject.toml": PYPROJECT})
    crlf = INIT.replace("\n", "\r\n").encode()
    (repo.path / "src/sample_pkg").mkdir(parents=True)
    (repo.path / "src/sample_pkg/__init__.py").write_bytes(crlf)
    result = cli("-C", str(repo.path), "bump", "major")
    assert result.code == 0, result.err
    after = (repo.path / "src/sample_pkg/__init__.py").read_bytes()
    assert after == crlf.replace(b'"1.2.0"', b'"2.0.0"')


def _refused(repo: Repo, cli: Cli, *args: str) -> str:
    before = _snapshot(repo)
    result = cli("-C", str(repo.path), "bump", *args)
    assert result.code == 2, result.out
    assert result.err.count("\n") == 1
    assert "Traceback" not in result.err
    assert _snapshot(repo) == before  # no file changed, pyproject.toml included
    return result.err


def test_a_malformed_uv_lock_changes_nothing(sample: Repo, cli: Cli) -> None:
    lock = sample.path / "uv.lock"
    lock.write_text(lock.read_text() + "\n[[package]\nname = \n")
    sample.commit("break the lock")
    err = _refused(sample, cli, "patch")
    assert "uv.lock is not valid TOML" in err


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{ path = 'docs/conf.py', pattern = 'nothing (?P<version>x)' }", "matches 0 times"),
        ("{ path = 'docs/conf.py', pattern = '\"(?P<version>1\\.2\\.0)\"' }", "matches 2 times"),
        ("{ path = 'docs/conf.py', pattern = 'version = \"(?P<version>[^\"]+)\"' }", "holds 1.2,"),
        ("'docs/missing.md'", "docs/missing.md does not exist"),
        ("'docs/other.md'", "docs/other.md does not mention the current version 1.2.0"),
    ],
)
def test_a_version_file_that_does_not_fit_changes_nothing(
    make_repo: MakeRepo, cli: Cli, entry: str, message: str
) -> None:
    conf = CONF.replace('version = "1.2"', 'version = "1.2"\ncopy = "1.2.0"')
    repo = make_repo(
        {
            "pyproject.toml": PYPROJECT + f"\n[tool.tagship]\nversion-files = [{entry}]\n",
            "src/sample_pkg/__init__.py": INIT,
            "docs/conf.py": conf if "2 times" in message else CONF,
            "docs/other.md": "no version here\n",
        }
    )
    assert message in _refused(repo, cli, "patch")


def test_a_non_utf8_module_changes_nothing(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo({"pyproject.toml": PYPROJECT})
    (repo.path / "sample_pkg").mkdir()
    (repo.path / "sample_pkg/__init__.py").write_bytes(b'# caf\xe9\n__version__ = "1.2.0"\n')
    repo.commit("latin-1")
    assert "sample_pkg/__init__.py is not valid UTF-8" in _refused(repo, cli, "patch")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("'docs/conf.py'", "must be a list of paths or {path, pattern} tables"),
        ("[{ path = 'a', pattern = '(' }]", "is not a regular expression"),
        ("[{ path = 'a', pattern = 'release' }]", "has no `version` group"),
        ("[{ path = 'a', glob = 'b' }]", "must be a list of paths or {path, pattern} tables"),
    ],
)
def test_version_files_config_errors(
    make_repo: MakeRepo, cli: Cli, value: str, message: str
) -> None:
    repo = make_repo({"pyproject.toml": PYPROJECT + f"\n[tool.tagship]\nversion-files = {value}\n"})
    assert message in _refused(repo, cli, "patch")


def test_config_lists_version_files(sample: Repo, cli: Cli) -> None:
    result = cli("-C", str(sample.path), "config", "--format", "json")
    assert result.code == 0, result.err
    assert '"key": "version-files"' in result.out
    assert "docs/install.md, docs/conf.py (release" in result.out


def _fake_uv(tmp_path: Path, script: str) -> Path:
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    uv = bin_dir / "uv"
    uv.write_text(f"#!/bin/sh\n{script}\n")
    uv.chmod(0o755)
    return bin_dir


def test_a_lock_uv_refuses_after_the_edit_puts_every_file_back(
    sample: Repo, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A uv that accepts the lock before the edit and refuses it after: nothing stays
    written (a stand-in uv on PATH, as a user could have a different uv)."""
    marker = tmp_path / "checked-once"
    script = f'if [ -e "{marker}" ]; then echo "error: lock out of date" >&2; exit 1; fi\n'
    script += f'touch "{marker}"'
    monkeypatch.setenv("PATH", f"{_fake_uv(tmp_path, script)}:{os.environ['PATH']}")
    before = _snapshot(sample)
    result = cli("-C", str(sample.path), "bump", "patch")
    assert result.code == 1
    assert "uv lock --check refuses the edited uv.lock: error: lock out of date" in result.err
    assert "no file was changed" in result.err
    assert _snapshot(sample) == before


def test_a_lock_already_stale_is_edited_and_said_unchecked(
    sample: Repo, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = 'echo "error: The lockfile needs to be updated" >&2; exit 1'
    monkeypatch.setenv("PATH", f"{_fake_uv(tmp_path, script)}:{os.environ['PATH']}")
    result = cli("-C", str(sample.path), "bump", "patch")
    assert result.code == 0, result.err
    assert "note: uv.lock edited but not checked by uv" in result.out
    assert 'version = "1.2.1"' in (sample.path / "uv.lock").read_text()


def test_check_tag_flags_a_stale_duplicate(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo(
        {"pyproject.toml": PYPROJECT, "src/sample_pkg/__init__.py": '__version__ = "1.1.0"\n'}
    )
    result = cli("-C", str(repo.path), "check-tag", "v1.2.0")
    assert result.code == 1
    assert result.err == (
        "tagship: error: src/sample_pkg/__init__.py says __version__ = '1.1.0', but the version "
        "is 1.2.0 (hint: set it to 1.2.0 and commit (tagship bump keeps it in step))\n"
    )
    repo.write("src/sample_pkg/__init__.py", '__version__ = "1.2.0"\n')
    assert cli("-C", str(repo.path), "check-tag", "v1.2.0").code == 0
