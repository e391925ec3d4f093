"""Versions as the backend computes them: real backends asked between tags, and versions only
the backend knows (imported by flit, computed in setup.py)."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest

from buildkit import README_MD, README_RST, SAMPLES
from conftest import git
from tagship.adapters.process import Completed, run
from tagship.core.errors import ConfigError, UsageError
from tagship.core.manifest import MANIFEST_NAME
from tagship.core.version_source import writable_path
from tagship.workspace import open_workspace

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from conftest import Cli, MakeRepo, Repo

pytestmark = pytest.mark.integration


def _pyproject(name: str, requires: str, backend: str, tail: str = "") -> str:
    readme = "README.rst" if backend.startswith("setuptools") else "README.md"
    return (
        f'[build-system]\nrequires = [{requires}]\nbuild-backend = "{backend}"\n\n'
        f'[project]\nname = "{name}"\ndynamic = ["version"]\ndescription = "A sample"\n'
        f'readme = "{readme}"\nrequires-python = ">=3.10"\n{tail}'
    )


def _files(name: str, requires: str, backend: str, tail: str = "") -> dict[str, str]:
    package = f"src/{name.replace('-', '_')}/__init__.py"
    readme = {"README.rst": README_RST} if backend.startswith("setuptools") else {}
    return {
        ".gitignore": "dist/\n",
        "pyproject.toml": _pyproject(name, requires, backend, tail),
        "README.md": README_MD,
        **readme,
        package: '"""Sample."""\n',
    }


SCM_SAMPLES = {
    "setuptools-scm": _files(
        "sample-scm",
        '"setuptools>=77", "setuptools-scm>=8"',
        "setuptools.build_meta",
        "\n[tool.setuptools_scm]\n",
    ),
    "hatch-vcs": {".gitignore": "dist/\n", **SAMPLES["hatch-vcs"][0]},
    "pdm-scm": _files(
        "sample-pdm-scm", '"pdm-backend"', "pdm.backend", '\n[tool.pdm.version]\nsource = "scm"\n'
    ),
}


@dataclass
class Recorder:
    """The real runner, noting the PEP 517 hooks it runs."""

    hooks: list[str] = field(default_factory=list)

    def __call__(
        self,
        args: Sequence[str],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        stdin: str | None = None,
    ) -> Completed:
        if len(args) > 2 and args[1].endswith("_in_process.py"):  # python script hook dir
            self.hooks.append(args[2])
        return run(args, cwd=cwd, env=env, timeout=timeout, stdin=stdin)


def _between_tags(make_repo: MakeRepo, files: dict[str, str]) -> Repo:
    repo = make_repo(files)
    repo.tag("v1.2.3")
    package = next(path for path in files if path.endswith("__init__.py"))
    repo.write(package, '"""Sample, changed."""\n')
    repo.commit("a change after 1.2.3")
    return repo


def _manifest(repo: Repo) -> dict[str, object]:
    data: dict[str, object] = json.loads((repo.path / "dist" / MANIFEST_NAME).read_text())
    return data


@pytest.mark.parametrize("sample", sorted(SCM_SAMPLES))
def test_between_tags_the_version_is_what_the_backend_builds(
    make_repo: MakeRepo, cli: Cli, sample: str
) -> None:
    repo = _between_tags(make_repo, SCM_SAMPLES[sample])
    asked = cli("-C", str(repo.path), "version")
    assert asked.code == 0, asked.err
    version = asked.out.strip()
    built = cli("-C", str(repo.path), "build")
    assert built.code == 0, built.err
    assert _manifest(repo)["version"] == version
    match = re.fullmatch(r"1\.2\.4\.dev1\+g([0-9a-f]+)", version)
    assert match is not None, version
    assert git(repo.path, "rev-parse", "HEAD").startswith(match[1])
    # setuptools-scm (and so hatch-vcs) cuts "g" and the commit id to 10 characters,
    # pdm-backend to 8
    assert len(match[1]) == (7 if sample == "pdm-scm" else 9)
    assert git(repo.path, "status", "--porcelain") == ""


def test_the_answer_is_cached_per_commit_and_tag(make_repo: MakeRepo) -> None:
    repo = _between_tags(make_repo, SCM_SAMPLES["hatch-vcs"])
    recorder = Recorder()

    def version() -> str:
        return str(open_workspace(repo.path, env=dict(os.environ), runner=recorder).version())

    first = version()
    assert recorder.hooks == ["prepare_metadata_for_build_wheel"]
    recorder.hooks.clear()
    assert version() == first
    assert recorder.hooks == []  # asked once per commit
    repo.commit("another change")
    assert version().startswith("1.2.4.dev2+g")
    assert recorder.hooks == ["prepare_metadata_for_build_wheel"]
    recorder.hooks.clear()
    repo.tag("v1.3.0")
    assert version() == "1.3.0"  # on a release tag every scheme agrees: nothing to ask
    assert recorder.hooks == []


SETUPTOOLS_ATTR = (
    '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
    '[project]\nname = "st-attr"\ndynamic = ["version"]\n'
    '[tool.setuptools.dynamic]\nversion = {attr = "st_attr.__version__"}\n'
)
FLIT_ELSEWHERE = (
    '[build-system]\nrequires = ["flit_core>=3.4"]\nbuild-backend = "flit_core.buildapi"\n'
    '[project]\nname = "elsewhere"\ndynamic = ["version", "description"]\n'
)


@pytest.mark.parametrize(
    ("pyproject", "where"),
    [
        ('[project]\nname = "x"\ndynamic = ["version"]\n', "build backend setuptools"),
        (  # the module is nowhere tagship looks
            SETUPTOOLS_ATTR,
            "setuptools attr st_attr.__version__, computed by the build backend",
        ),
        (FLIT_ELSEWHERE, "flit module elsewhere.__version__, computed by the build backend"),
    ],
)
def test_sources_only_the_backend_reads(tmp_path: Path, pyproject: str, where: str) -> None:
    """It is asked of a checkout of HEAD, so outside git there is none; nothing to bump."""
    (tmp_path / "pyproject.toml").write_text(pyproject)
    workspace = open_workspace(tmp_path, env={})
    assert (workspace.meta.source.kind, workspace.meta.source.where) == ("backend", where)
    with pytest.raises(ConfigError, match="is not inside a git repository"):
        workspace.version()
    with pytest.raises(UsageError, match="is computed by the build backend"):
        writable_path(workspace.meta.source)


FLIT_IMPORTED = {
    **_files("sample-flit-import", '"flit_core>=3.11,<4"', "flit_core.buildapi"),
    "src/sample_flit_import/__init__.py": '"""Sample."""\n\nfrom ._version import __version__\n',
    "src/sample_flit_import/_version.py": '__version__ = "2.3.4"\n',
}
SETUP_PY = """\
from setuptools import setup


def compute():
    return ".".join(["3", "1", "4"])


setup(version=compute())
"""
COMPUTED = {
    **_files("sample-computed", '"setuptools>=77"', "setuptools.build_meta"),
    "setup.py": SETUP_PY,
}


@pytest.mark.parametrize(
    ("files", "version", "where"),
    [
        (FLIT_IMPORTED, "2.3.4", "flit module sample_flit_import.__version__"),
        (COMPUTED, "3.1.4", "build backend setuptools.build_meta"),
    ],
    ids=["flit-imported", "setup-py"],
)
def test_versions_only_the_backend_knows(
    make_repo: MakeRepo, cli: Cli, files: dict[str, str], version: str, where: str
) -> None:
    repo = make_repo(files)
    path = str(repo.path)
    asked = cli("-C", path, "version")
    assert (asked.code, asked.out) == (0, f"{version}\n"), asked.err
    status = cli("-C", path, "status")
    assert status.code == 0, status.err
    assert f"version\t{version} ({where})" in status.out
    assert cli("-C", path, "check-tag", f"v{version}").code == 0
    init = cli("-C", path, "init", "--owner", "CharmAIOS", "--repo", "Charm")
    assert init.code == 0, init.err
    repo.commit("workflows")
    doctor = cli("-C", path, "doctor")
    assert doctor.code == 0, doctor.out + doctor.err
    built = cli("-C", path, "build")
    assert built.code == 0, built.err
    assert _manifest(repo)["version"] == version
    assert git(repo.path, "status", "--porcelain") == ""


WANTS_MORE_BACKEND = """\
from hatchling.build import *  # noqa: F403
from hatchling.build import prepare_metadata_for_build_wheel as _prepare


def get_requires_for_build_wheel(config_settings=None):
    return ["tomli-w"]


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    import tomli_w  # noqa: F401 - there only when its request was heard

    return _prepare(metadata_directory, config_settings)
"""


def test_a_backend_that_needs_more_to_tell_the_version(make_repo: MakeRepo) -> None:
    files = _files(
        "sample-code",
        '"hatchling"',
        "tree_backend",
        '\n[tool.hatch.version]\nsource = "code"\npath = "src/sample_code/version.py"\n',
    )
    files["pyproject.toml"] = files["pyproject.toml"].replace(
        'build-backend = "tree_backend"', 'build-backend = "tree_backend"\nbackend-path = ["."]'
    )
    files["tree_backend.py"] = WANTS_MORE_BACKEND
    files["src/sample_code/version.py"] = '__version__ = ".".join(["5", "6", "7"])\n'
    repo = make_repo(files)
    recorder = Recorder()
    workspace = open_workspace(repo.path, env=dict(os.environ), runner=recorder)
    assert workspace.meta.source.kind == "backend"
    assert str(workspace.version()) == "5.6.7"
    assert recorder.hooks == [
        "prepare_metadata_for_build_wheel",  # fails: tomli-w is missing
        "get_requires_for_build_wheel",
        "prepare_metadata_for_build_wheel",  # in an environment that has it
    ]
