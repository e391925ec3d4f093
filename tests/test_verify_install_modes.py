"""verify-install's import modes and smoke tests on wheels built by a real backend
(hatchling), published to and installed from a real local index: what real packages do
at import time (asserts, RuntimeErrors for missing extras, templates shipped as `.py`,
namespace packages) passes or fails as it should, and the report names what was imported."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from buildkit import README_MD
from release_world import bump, files_on, ok, release_world
from servers import PypiServer, make_wheel, running_pypiserver, twine_upload
from tagship.adapters.git import Git
from tagship.adapters.ledger_store import read_ledger

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from conftest import Cli, CliResult, MakeRepo

pytestmark = pytest.mark.integration

_PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "{name}"
version = "1.0.0"
description = "A package with an import-time quirk"
readme = "README.md"
requires-python = ">=3.10"
{project}
[tool.hatch.build.targets.wheel]
packages = [{packages}]

[tool.tagship]
dependency-index = "{simple}"
{tagship}
[tool.tagship.indexes.local]
upload-url = "{upload}"
simple-url = "{simple}"
{tables}"""


@pytest.fixture
def index(tmp_path: Path) -> Iterator[PypiServer]:
    with running_pypiserver(tmp_path / "packages") as server:
        yield server


def _published(
    make_repo: MakeRepo,
    cli: Cli,
    index: PypiServer,
    files: dict[str, str],
    *,
    packages: tuple[str, ...],
    project: str = "",
    tagship: str = "",
    tables: str = "",
    beside: dict[str, str] | None = None,
) -> str:
    """A hatchling project holding `files` (under src/) and `beside` them, built by
    `tagship build` and published to the local index; its path."""
    name = packages[0].replace("_", "-") + "-dist"
    pyproject = _PYPROJECT.format(
        name=name,
        project=project,
        packages=", ".join(f'"src/{p}"' for p in packages),
        tagship=tagship,
        tables=tables,
        upload=index.upload_url,
        simple=index.simple_url,
    )
    sources = {f"src/{path}": text for path, text in files.items()} | (beside or {})
    repo = make_repo(
        {".gitignore": "dist/\n", "pyproject.toml": pyproject, "README.md": README_MD, **sources}
    )
    path = str(repo.path)
    built = cli("-C", path, "build")
    assert built.code == 0, built.err
    assert cli("-C", path, "publish", "--index", "local").code == 0
    return path


def _verify(cli: Cli, path: str, *overrides: str) -> CliResult:
    sets = [arg for o in overrides for arg in ("--set", o)]
    return cli("-C", path, *sets, "verify-install", "--index", "local")


# a module asserting it runs on Windows, one refusing to work without an extra, and a
# template shipped as .py (cookiecutter-style) that names what only its renderer defines
QUIRKS = {
    "winonly/__init__.py": '"""Cross-platform API."""\nVALUE = 1\n',
    "winonly/_win32.py": 'import sys\nassert sys.platform == "win32", "Windows only"\n',
    "extras/__init__.py": '"""Core."""\n',
    "extras/contrib.py": (
        "try:\n    import a_missing_extra\nexcept ImportError:\n"
        "    raise RuntimeError('install extras[contrib]') from None\n"
    ),
    "templated/__init__.py": '"""Generates projects."""\n',
    "templated/templates/__init__.py": "",
    "templated/templates/app.py": "app = make_app(settings)\n",
    "templated/tests/__init__.py": "",
    "templated/tests/test_app.py": "import a_test_only_dependency\n",
}


def test_real_packages_pass_by_default_and_all_names_every_failure(
    make_repo: MakeRepo, cli: Cli, index: PypiServer
) -> None:
    path = _published(make_repo, cli, index, QUIRKS, packages=("winonly", "extras", "templated"))
    result = _verify(cli, path)
    assert result.code == 0, result.out + result.err
    assert "import\tok\ttop-level: extras, templated, winonly\n" in result.out
    assert "imported (top-level, 3): extras, templated, winonly\n" in result.out
    every = _verify(cli, path, "verify-install.import=all")
    assert every.code == 1
    assert "verify-install failed at import: extras.contrib: RuntimeError: install extras" in (
        every.err
    )
    for failure in (
        "templated.templates.app: NameError: name 'make_app' is not defined",
        "templated.tests.test_app: ModuleNotFoundError: No module named 'a_test_only_dependency'",
        "winonly._win32: AssertionError: Windows only",
    ):
        assert failure in every.err
    assert "(or leave it out: [tool.tagship.verify-install] exclude)" in every.err
    assert "files of 1.0.0" in every.err  # on the index already: how to go on from there


def test_all_with_exclude_patterns_imports_the_rest_and_names_both(
    make_repo: MakeRepo, cli: Cli, index: PypiServer
) -> None:
    tables = (
        '[tool.tagship.verify-install]\nimport = "all"\n'
        'exclude = ["templated.templates.*", "templated.tests", "extras.contrib", '
        '"winonly._win*", "gone.*"]\n'
    )
    path = _published(
        make_repo,
        cli,
        index,
        QUIRKS,
        packages=("winonly", "extras", "templated"),
        tables=tables,
    )
    result = _verify(cli, path)
    assert result.code == 0, result.out + result.err
    excluded = (
        "extras.contrib, templated.templates.app, templated.tests, templated.tests.test_app, "
        "winonly._win32"
    )
    assert (
        f"import\tok\tall: 4 modules of extras, templated, winonly; excluded: {excluded}; "
        "exclude patterns matching nothing: gone.*\n" in result.out
    )
    assert "imported (all, 4): extras, templated, templated.templates, winonly\n" in result.out
    assert f"excluded (5): {excluded}\n" in result.out
    shown = cli("-C", path, "config")
    assert "verify-install.import\tall\tpyproject" in shown.out


def test_a_top_level_package_raising_import_error_fails(
    make_repo: MakeRepo, cli: Cli, index: PypiServer
) -> None:
    """No "refuses this platform" pass at the top level: the package itself does not work."""
    files = {
        "gpu/__init__.py": "raise ImportError('gpu needs CUDA')\n",
        "cpu/__init__.py": "VALUE = 1\n",
    }
    path = _published(make_repo, cli, index, files, packages=("gpu", "cpu"))
    result = _verify(cli, path)
    assert result.code == 1
    assert "verify-install failed at import: gpu: ImportError: gpu needs CUDA" in result.err
    assert "import\tFAILED\tgpu: ImportError: gpu needs CUDA\n" in result.out
    assert "import tried (top-level, 2): cpu, gpu\n" in result.out


@pytest.mark.parametrize("style", ["pep420", "pkgutil"])
def test_a_namespace_package_is_proven_by_the_packages_under_it(
    make_repo: MakeRepo, cli: Cli, index: PypiServer, style: str
) -> None:
    """The empty namespace proves nothing: each real package under it is imported, and one
    that fails fails the check though the namespace imports."""
    files = {
        "acme/plugins/good/__init__.py": "VALUE = 1\n",
        "acme/plugins/bad/__init__.py": "from acme.plugins.good import MISSING\n",
        "acme/tool.py": "VALUE = 2\n",
    }
    if style == "pkgutil":
        extend = "__path__ = __import__('pkgutil').extend_path(__path__, __name__)\n"
        files |= {"acme/__init__.py": extend, "acme/plugins/__init__.py": extend}
    path = _published(make_repo, cli, index, files, packages=("acme",))
    result = _verify(cli, path)
    assert result.code == 1
    assert "acme.plugins.bad: ImportError: cannot import name 'MISSING'" in result.err
    fixed = _verify(cli, path, 'verify-install.exclude=["acme.plugins.bad"]')
    assert fixed.code == 0, fixed.out + fixed.err
    assert (
        "import\tok\ttop-level: acme.plugins.good, acme.tool (through namespace acme, "
        "acme.plugins); excluded: acme.plugins.bad\n" in fixed.out
    )


def test_import_none_switches_the_import_off_and_the_smoke_test_still_runs(
    make_repo: MakeRepo, cli: Cli, index: PypiServer
) -> None:
    files = {"gpu/__init__.py": "raise ImportError('gpu needs CUDA')\n"}
    tables = (
        '[tool.tagship.verify-install]\nimport = "none"\n'
        'smoke = "python -c \'import importlib.util as u; assert u.find_spec(\\"gpu\\")\'"\n'
    )
    path = _published(make_repo, cli, index, files, packages=("gpu",), tables=tables)
    result = _verify(cli, path)
    assert result.code == 0, result.out + result.err
    assert (
        'import\tok\tnot imported: [tool.tagship.verify-install] import = "none": the smoke '
        "test instead" in result.out
    )
    assert "smoke command\tok\tpython -c" in result.out


CIBUILDWHEEL = """\
[tool.cibuildwheel]
test-command = [
  "python {package}/tests/check_installed.py",
  "python -c 'import helper_req, helper_extra, os; assert not os.path.exists(\\"src\\")'",
]
test-requires = "helper-req"
test-extras = ["test"]
test-sources = ["tests"]
"""
CHECK_INSTALLED = """\
import os, sys, wheelpkg
here = os.path.dirname(wheelpkg.__file__)
assert os.path.realpath(here).startswith(os.path.realpath(sys.prefix)), here
assert os.path.isfile("tests/check_installed.py")  # test-sources: copied beside the test
print("installed", wheelpkg.VALUE)
"""


def test_the_cibuildwheel_test_command_is_the_smoke_test(
    make_repo: MakeRepo, cli: Cli, index: PypiServer, tmp_path: Path
) -> None:
    """cibuildwheel's test runs as cibuildwheel runs it: placeholders filled, test-requires
    and the test extra's requirements installed (after the import check), test-sources
    copied into an empty working directory, so the installed release is what is tested."""
    helpers = [
        make_wheel(tmp_path / "helpers", "helper-req", "1.0"),
        make_wheel(tmp_path / "helpers", "helper-extra", "1.0"),
    ]
    twine_upload(index, *helpers)
    files = {"wheelpkg/__init__.py": "VALUE = 7\n"}
    repo_files_project = '[project.optional-dependencies]\ntest = ["helper-extra"]\n'
    path = _published(
        make_repo,
        cli,
        index,
        files,
        packages=("wheelpkg",),
        project=repo_files_project,
        tables=CIBUILDWHEEL,
        beside={"tests/check_installed.py": CHECK_INSTALLED},  # outside the wheel
    )
    result = _verify(cli, path)
    assert result.code == 0, result.out + result.err
    assert "test requirements\tok\thelper-req helper-extra\n" in result.out
    assert f"python {path}/tests/check_installed.py && python -c" in result.out
    assert "([tool.cibuildwheel] test-command)" in result.out
    off = _verify(cli, path, "verify-install.smoke=false")
    assert off.code == 0, off.out + off.err
    assert "smoke command" not in off.out


def test_test_requirements_cannot_supply_an_undeclared_dependency(
    make_repo: MakeRepo, cli: Cli, index: PypiServer, tmp_path: Path
) -> None:
    twine_upload(index, make_wheel(tmp_path / "helpers", "helper-req", "1.0"))
    files = {"leaky/__init__.py": "import helper_req\n"}
    tables = (
        '[tool.cibuildwheel]\ntest-command = "python -c pass"\ntest-requires = ["helper-req"]\n'
    )
    path = _published(make_repo, cli, index, files, packages=("leaky",), tables=tables)
    result = _verify(cli, path)
    assert result.code == 1
    assert "leaky: ModuleNotFoundError: No module named 'helper_req'" in result.err


def test_a_dry_run_failing_on_the_test_index_says_how_to_go_on(tmp_path: Path, cli: Cli) -> None:
    """Nothing is half done: the ledger records the publish and the failed check, no dry run;
    the step alone reruns on the files already there, uploading nothing, and the dry run it
    records is the one `tag` needs."""
    with release_world(tmp_path) as world:
        bump(world, cli)
        failing = "smoke-command=python -c 'raise SystemExit(3)'"
        failed = cli("-C", world.path, "--set", failing, "dry-run", "--checks", "local")
        assert failed.code == 1
        assert (
            "nothing was tagged or released (the ledger records this run) and the files of "
            "0.2.0 stay on testpypi" in failed.err
        )
        assert "tagship verify-install --index testpypi --record-dry-run" in failed.err
        kinds = [r.event.kind for r in read_ledger(Git(world.sample.work)).records]
        assert kinds[-3:] == ["publish", "wait", "verify-install"]
        assert "dry-run" not in kinds
        uploaded = files_on(world.test_index)
        tried = cli("-C", world.path, "--set", "verify-install.import=all",
                    "verify-install", "--index", "testpypi")  # fmt: skip
        assert tried.code == 0, tried.out + tried.err
        rerun = ok(cli("-C", world.path, "verify-install", "--index", "testpypi",
                       "--record-dry-run"))  # fmt: skip
        assert "smoke command\tok" in rerun.out
        assert files_on(world.test_index) == uploaded
        records = read_ledger(Git(world.sample.work)).records
        assert [r.event.kind for r in records][len(kinds) :] == [
            "verify-install",
            "verify-install",
            "dry-run",
        ]
        assert records[-2].event.details["imported"] == "demo_pkg"
        assert (
            "[passed] dry run recorded" in ok(cli("-C", world.path, "tag", "--checks", "local")).out
        )
