"""Where real projects keep their version: reading it, and bumping it byte-for-byte."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from conftest import Cli, MakeRepo, git
from tagship.adapters.project_files import read_pyproject
from tagship.core.errors import ConfigError, UsageError
from tagship.steps.status import project_status
from tagship.steps.versions.bump import bump_version
from tagship.workspace import open_workspace

if TYPE_CHECKING:
    from pathlib import Path

HATCH_PATH = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "hatch-path"
dynamic = ["version"]

[tool.hatch.version]
path = "src/hatch_path/__about__.py"
"""
SETUPTOOLS_ATTR = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "st-attr"
dynamic = ["version"]

[tool.setuptools.dynamic]
version = {attr = "st_attr.__version__"}
"""
SETUPTOOLS_FILE = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "st-file"
dynamic = ["version"]

[tool.setuptools.dynamic]
version = {file = "VERSION"}
"""
PDM_FILE = """\
[build-system]
requires = ["pdm-backend"]
build-backend = "pdm.backend"

[project]
name = "pdm-file"
dynamic = ["version"]

[tool.pdm.version]
source = "file"
path = "src/pdm_file/__init__.py"
"""
FLIT = """\
[build-system]
requires = ["flit_core>=3.4"]
build-backend = "flit_core.buildapi"

[project]
name = "flit-mod"
dynamic = ["version", "description"]
"""
POETRY = """\
[build-system]
requires = ["poetry-core"]
build-backend = "poetry.core.masonry.api"

[tool.poetry]
name = "poetry-pkg"
version = '1.4.0'  # single-quoted on purpose
"""

POETRY2_DYNAMIC = """\
[build-system]
requires = ["poetry-core>=2"]
build-backend = "poetry.core.masonry.api"

[project]
name = "poetry-two"
dynamic = ["version"]

[tool.poetry]
version = "0.7.0"
"""
SETUPTOOLS_FIND_WHERE = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "libpkg"
dynamic = ["version"]

[tool.setuptools.packages.find]
where = ["lib"]

[tool.setuptools.dynamic]
version = {attr = "libpkg.__version__"}
"""


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return tmp_path


CASES = {
    "hatch-path": (
        {"pyproject.toml": HATCH_PATH, "src/hatch_path/__about__.py": '__version__ = "2.1.0"\n'},
        "src/hatch_path/__about__.py",
        "2.1.0",
    ),
    "setuptools-attr": (
        {
            "pyproject.toml": SETUPTOOLS_ATTR,
            "src/st_attr/__init__.py": (
                '"""Doc."""\n\n__version__: str = "0.9.1"\nOTHER = "0.9.1"\n'
            ),
        },
        "src/st_attr/__init__.py",
        "0.9.1",
    ),
    "setuptools-file": (
        {"pyproject.toml": SETUPTOOLS_FILE, "VERSION": "3.0.0\n"},
        "VERSION",
        "3.0.0",
    ),
    "pdm-file": (
        {"pyproject.toml": PDM_FILE, "src/pdm_file/__init__.py": "__version__ = '0.2.0'\n"},
        "src/pdm_file/__init__.py",
        "0.2.0",
    ),
    "flit": (
        {"pyproject.toml": FLIT, "flit_mod.py": '"""A flit module."""\n__version__ = "5.5.5"\n'},
        "flit_mod.py",
        "5.5.5",
    ),
    "poetry": ({"pyproject.toml": POETRY}, "pyproject.toml", "1.4.0"),
    "poetry2-dynamic": ({"pyproject.toml": POETRY2_DYNAMIC}, "pyproject.toml", "0.7.0"),
    "setuptools-find-where": (
        {
            "pyproject.toml": SETUPTOOLS_FIND_WHERE,
            "lib/libpkg/__init__.py": '__version__ = "4.2.0"\n',
        },
        "lib/libpkg/__init__.py",
        "4.2.0",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_reads_and_bumps_file_versions_byte_for_byte(tmp_path: Path, case: str) -> None:
    files, version_file, version = CASES[case]
    root = _project(tmp_path, files)
    workspace = open_workspace(root, env={})
    assert str(workspace.version()) == version
    before = (root / version_file).read_bytes()
    result = bump_version(workspace, "minor", commit=False, dry_run=False)
    after = (root / version_file).read_bytes()
    major, minor, _ = version.split(".")
    new = f"{major}.{int(minor) + 1}.0"
    assert result.new == new
    assert after == before.replace(version.encode(), new.encode(), 1)
    assert str(workspace.version()) == new


def test_static_bump_keeps_every_other_byte(tmp_path: Path) -> None:
    text = (
        "# a comment\n[project]\nname = 'x'   # trailing\nversion   =   '0.4.22'  # keep me\n"
        'dependencies = [\n  "a",  # why\n]\n\n[tool.other]\nversion = "0.4.22"\n'
    )
    root = _project(tmp_path, {"pyproject.toml": text})
    bump_version(open_workspace(root, env={}), "patch", commit=False, dry_run=False)
    assert (root / "pyproject.toml").read_text() == text.replace("'0.4.22'", "'0.4.23'")


def test_dry_run_changes_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path, {"pyproject.toml": '[project]\nname = "x"\nversion = "1.0.0"\n'})
    result = bump_version(open_workspace(root, env={}), "major", commit=False, dry_run=True)
    assert (result.old, result.new, result.written) == ("1.0.0", "2.0.0", False)
    assert "1.0.0" in (root / "pyproject.toml").read_text()


@pytest.mark.parametrize(
    ("tool_table", "requires"),
    [
        ('[tool.hatch.version]\nsource = "vcs"\n', '["hatchling", "hatch-vcs"]'),
        ("[tool.setuptools_scm]\n", '["setuptools>=64", "setuptools-scm>=8"]'),
        ('[tool.pdm.version]\nsource = "scm"\n', '["pdm-backend"]'),
    ],
)
def test_scm_versions_without_the_backend_follow_setuptools_scm(
    make_repo: MakeRepo, tmp_path: Path, tool_table: str, requires: str
) -> None:
    """When the backend cannot be asked (here: no cache to make its environment in), a
    version from git tags follows setuptools-scm's default scheme."""
    pyproject = (
        f'[build-system]\nrequires = {requires}\nbuild-backend = "x"\n\n'
        f'[project]\nname = "scm-pkg"\ndynamic = ["version"]\n\n{tool_table}'
    )
    repo = make_repo({"pyproject.toml": pyproject})
    (tmp_path / "a-file").write_text("not a directory")
    no_cache = {"TAGSHIP_CACHE_DIR": str(tmp_path / "a-file" / "cache")}
    workspace = open_workspace(repo.path, env=no_cache)
    assert str(workspace.version()).startswith("0.1.dev1+g")
    repo.tag("v1.4.0")
    assert str(workspace.version()) == "1.4.0"
    repo.commit("fix")
    node = git(repo.path, "rev-parse", "HEAD")[:9]  # setuptools-scm: g and 9 hex digits
    assert str(workspace.version()) == f"1.4.1.dev1+g{node}"
    pretend = {"SETUPTOOLS_SCM_PRETEND_VERSION": "9.9.9"}
    assert str(open_workspace(repo.path, env=pretend).version()) == "9.9.9"
    with pytest.raises(UsageError, match="comes from git tags"):
        bump_version(workspace, "patch", commit=False, dry_run=False)


def test_shallow_clone_without_tags_is_explained(make_repo: MakeRepo, tmp_path: Path) -> None:
    pyproject = (
        '[build-system]\nrequires = ["hatch-vcs"]\nbuild-backend = "hatchling.build"\n'
        '[project]\nname = "scm-pkg"\ndynamic = ["version"]\n[tool.hatch.version]\nsource = "vcs"\n'
    )
    repo = make_repo({"pyproject.toml": pyproject})
    repo.commit("second")
    repo.push()
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "--quiet", "--depth", "1", f"file://{repo.origin}", str(clone))
    with pytest.raises(ConfigError, match="shallow") as info:
        open_workspace(clone, env={}).version()
    assert "fetch-depth: 0" in (info.value.hint or "")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"pyproject.toml": "[tool.black]\n", "setup.py": "setup()\n"},
            r"no \[project\] table.*setup\.py",
        ),
        ({"pyproject.toml": "[tool.black]\n"}, r"no \[project\] table"),
        (
            {"pyproject.toml": '[project]\nname = "x"\n'},
            "no version and does not declare it dynamic",
        ),
        ({"pyproject.toml": '[project]\nversion = "1.0"\n'}, "has no name"),
        (
            {"pyproject.toml": '[project]\nname = "x"\nversion = 1\n'},
            r"\[project\]\.version in .* must be a string, not an integer",
        ),
        (
            {"pyproject.toml": '[project]\nname = ["x"]\nversion = "1.0"\n'},
            r"\[project\]\.name in .* must be a string, not an array",
        ),
        ({"pyproject.toml": 'project = "x"\n'}, r"\[project\] in .* must be a table, not a string"),
        (
            {
                "pyproject.toml": SETUPTOOLS_ATTR,
                "src/st_attr/__init__.py": "from importlib.metadata import version\n"
                '__version__ = version("st-attr")\n',
            },
            "no literal version found",
        ),
    ],
)
def test_projects_tagship_cannot_read(tmp_path: Path, files: dict[str, str], message: str) -> None:
    root = _project(tmp_path, files)
    with pytest.raises(ConfigError, match=message):
        open_workspace(root, env={}).version()


def test_invalid_pep440_version_names_the_file(tmp_path: Path) -> None:
    root = _project(tmp_path, {"pyproject.toml": '[project]\nname = "x"\nversion = "1.0-banana"\n'})
    with pytest.raises(ConfigError, match=r"invalid PEP 440 version '1.0-banana' in pyproject"):
        open_workspace(root, env={}).version()


def test_version_file_that_is_not_utf8_is_a_config_error(tmp_path: Path, cli: Cli) -> None:
    root = _project(tmp_path, {"pyproject.toml": SETUPTOOLS_FILE})
    (root / "VERSION").write_bytes(b"1.0.0 \xff\xfe\n")
    result = cli("-C", str(root), "version")
    assert result.code == 2, result.err
    assert f"the version file {root / 'VERSION'} is not valid UTF-8" in result.err
    assert result.err.count("\n") == 1  # one line, no traceback


@pytest.mark.parametrize(
    ("files", "version_file"),
    [
        ({"pyproject.toml": '# c\n[project]\nname = "x"\nversion = "1.0.0"  # v\n'}, None),
        (
            {
                "pyproject.toml": HATCH_PATH,
                "src/hatch_path/__about__.py": '"""A."""\n__version__ = "1.0.0"\n',
            },
            "src/hatch_path/__about__.py",
        ),
    ],
)
def test_bump_keeps_crlf_line_endings(
    tmp_path: Path, cli: Cli, files: dict[str, str], version_file: str | None
) -> None:
    for relative, text in files.items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.replace("\n", "\r\n").encode())
    path = tmp_path / (version_file or "pyproject.toml")
    before = path.read_bytes()
    pyproject_before = (tmp_path / "pyproject.toml").read_bytes()
    result = cli("-C", str(tmp_path), "bump", "minor")
    assert result.code == 0, result.err
    assert path.read_bytes() == before.replace(b"1.0.0", b"1.1.0", 1)
    assert b"\r\n" in path.read_bytes()
    if version_file is not None:
        assert (tmp_path / "pyproject.toml").read_bytes() == pyproject_before


def test_check_tag_names_where_a_dynamic_version_lives(
    tmp_path: Path, make_repo: MakeRepo, cli: Cli
) -> None:
    root = _project(
        tmp_path,
        {"pyproject.toml": HATCH_PATH, "src/hatch_path/__about__.py": '__version__ = "1.2.0"\n'},
    )
    bad = cli("-C", str(root), "check-tag", "v1.3.0")
    assert bad.code == 1
    assert bad.err == (
        "tagship: error: tag v1.3.0 does not match version 1.2.0 from hatch version path "
        "src/hatch_path/__about__.py (expected tag v1.2.0) (hint: bump the version "
        "(tagship bump) or tag the commit that carries it)\n"
    )
    pyproject = HATCH_PATH.replace('path = "src/hatch_path/__about__.py"', 'source = "vcs"')
    repo = make_repo({"pyproject.toml": pyproject})
    repo.tag("v1.2.0")
    repo.commit("fix")
    scm = cli("-C", str(repo.path), "check-tag", "v1.3.0")
    assert scm.code == 1
    assert "does not match version 1.2.1.dev1+g" in scm.err
    assert "from hatch-vcs (git tags)" in scm.err
    assert "tagship bump" not in scm.err
    assert "commit you release" in scm.err


def test_status_reads_pyproject_once(make_repo: MakeRepo) -> None:
    repo = make_repo()
    reads: list[Path] = []

    def counted(path: Path) -> str:
        reads.append(path)
        return read_pyproject(path)

    workspace = open_workspace(repo.path, env={}, read=counted)
    (repo.path / "pyproject.toml").unlink()  # a second read would now fail
    status = project_status(workspace)
    assert (status.version, status.expected_tag) == ("0.4.22", "v0.4.22")
    assert reads == [repo.path.resolve() / "pyproject.toml"]


def test_a_version_file_is_read_once_and_bump_updates_it(tmp_path: Path) -> None:
    root = _project(tmp_path, {"pyproject.toml": SETUPTOOLS_FILE, "VERSION": "3.0.0\n"})
    workspace = open_workspace(root, env={})
    assert str(workspace.version()) == "3.0.0"
    (root / "VERSION").write_text("garbage\n")  # not read again: the run keeps its version
    assert workspace.expected_tag() == "v3.0.0"
    (root / "VERSION").write_text("3.0.0\n")
    bump_version(workspace, "minor", commit=False, dry_run=False)
    # the workspace and its copies report what bump wrote
    assert str(replace(workspace, env={"CI": "true"}).version()) == "3.1.0"
