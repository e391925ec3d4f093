"""`tagship verify-install`: a clean venv, the exact version from the index, real installers."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from buildkit import rewrite_wheel
from releases import make_release
from servers import PypiServer, make_wheel, running_pypiserver
from tagship.steps.build.artifacts import dist_files, manifest_entry, write_manifest
from tagship.steps.verify.import_targets import importable_modules
from tagship.steps.verify.verify_install import wheel_record

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from conftest import Cli, CliResult, MakeRepo

pytestmark = pytest.mark.integration


@pytest.fixture
def index(tmp_path: Path) -> Iterator[PypiServer]:
    with running_pypiserver(tmp_path / "packages") as server:
        yield server


@pytest.mark.slow
@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_published_release_installs_and_matches_the_manifest(
    index: PypiServer, make_repo: MakeRepo, cli: Cli, installer: str
) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url, name="inst-pkg")
    path = str(release.repo.path)
    assert cli("-C", path, "publish", "--to", "local").code == 0
    result = cli(
        "-C",
        path,
        "--set",
        "smoke-command=python -c 'import inst_pkg; assert inst_pkg.VERSION == \"1.0.0\"'",
        "verify-install",
        "--index",
        "local",
        "--installer",
        installer,
    )
    assert result.code == 0, result.err + result.out
    for check in ("install", "installed wheel", "files match RECORD", "import", "smoke command"):
        assert f"{check}\tok" in result.out
    assert release.manifest.wheels[0].sha256[:16] in result.out


def test_a_release_missing_from_the_index_fails_at_install(
    index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url, name="absent-pkg")
    result = cli("-C", str(release.repo.path), "verify-install", "--index", "local")
    assert result.code == 1
    assert "verify-install failed at install" in result.err
    assert "install\tFAILED" in result.out


def test_other_bytes_on_the_index_fail_the_hash_check(
    index: PypiServer, make_repo: MakeRepo, cli: Cli, tmp_path: Path
) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url, name="swap-pkg")
    other = make_wheel(tmp_path / "other", "swap-pkg", "1.0.0", payload="EVIL = 1\n")
    (index.directory / other.name).write_bytes(other.read_bytes())
    result = cli("-C", str(release.repo.path), "verify-install", "--index", "local")
    assert result.code == 1
    assert "verify-install failed at install" in result.err


def test_a_failing_smoke_command(index: PypiServer, make_repo: MakeRepo, cli: Cli) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url, name="smoke-pkg")
    path = str(release.repo.path)
    assert cli("-C", path, "publish", "--to", "local").code == 0
    result = cli(
        "-C",
        path,
        "--set",
        "smoke-command=python -c 'raise SystemExit(3)'",
        "verify-install",
        "--index",
        "local",
    )
    assert result.code == 1
    assert "verify-install failed at smoke command" in result.err


def test_every_module_a_wheel_installs(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, "My-Pkg", "2.0")
    assert importable_modules(path for path, _ in wheel_record(wheel)) == ["my_pkg"]
    paths = [
        "a/__init__.py",
        "a/b/c.py",  # b has no __init__.py: a namespace package
        "a/__main__.py",  # importing it would run the program
        "a/py.typed",
        "b.py",
        "c.cpython-311-x86_64-linux-gnu.so",
        "c.libs/libz-1a2b3c.so.1",  # what auditwheel vendors: not a package
        "d/libhelper.so",  # a shared library beside modules, not a module
        "d/_e.abi3.so",
        "jaraco/functools/__init__.py",  # a namespace package's portion
        "my-data/x.py",  # not an identifier: not importable
        "p-1.0.data/purelib/f.py",  # installed into site-packages too
        "p-1.0.data/scripts/tool",
        "p-1.0.dist-info/METADATA",
        "__pycache__/b.cpython-311.pyc",
        "a/__pycache__/x.cpython-311.pyc",
    ]
    assert importable_modules(paths) == [
        "a",
        "a.b",
        "a.b.c",
        "b",
        "c",
        "d",
        "d._e",
        "f",
        "jaraco",
        "jaraco.functools",
    ]


def _released_with(
    make_repo: MakeRepo, index: PypiServer, name: str, members: dict[str, bytes]
) -> Path:
    """A release of `name` whose wheel holds `members` instead of its one module."""
    release = make_release(make_repo, index.upload_url, index.simple_url, name=name)
    wheel = release.dist / release.manifest.wheels[0].name
    module = f"{name.replace('-', '_')}/"
    rewrite_wheel(
        wheel, lambda n, d: None if n.startswith(module) else d, add=members, fix_record=True
    )
    files = tuple(manifest_entry(d) for d in dist_files(release.dist))
    write_manifest(release.dist, replace(release.manifest, files=files))
    return release.repo.path


def _verify_install(cli: Cli, path: Path, *extra: str) -> CliResult:
    published = cli("-C", str(path), *extra, "publish", "--to", "local")
    assert published.code == 0, published.out + published.err
    return cli("-C", str(path), *extra, "verify-install", "--index", "local")


def test_a_broken_namespace_subpackage_fails_though_its_namespace_imports(
    index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    members = {
        "jaraco/functools/__init__.py": b"from jaraco.functools.core import missing\n",
        "jaraco/functools/core.py": b"present = 1\n",
    }
    path = _released_with(make_repo, index, "ns-broken", members)
    # the namespace is not in the sample's committed tree: declared, as such a project would
    result = _verify_install(cli, path, "--set", 'allow-top-level=["jaraco"]')
    assert result.code == 1
    assert (
        "verify-install failed at import: jaraco.functools: ImportError: cannot import name "
        "'missing'" in result.err
    )


def test_a_module_needing_an_optional_dependency_is_not_imported_by_default(
    index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    """Only the top-level package is imported unless `import = "all"` asks for more."""
    members = {
        "opt_pkg/__init__.py": b"print('output of its own at import')\nVALUE = 1\n",
        "opt_pkg/django_support.py": b"import django_not_installed_here\n",
    }
    path = _released_with(make_repo, index, "opt-pkg", members)
    result = _verify_install(cli, path)
    assert result.code == 0, result.out + result.err
    assert "import\tok\ttop-level: opt_pkg\n" in result.out
    every = cli("-C", str(path), "--set", "verify-install.import=all", "verify-install",
                "--index", "local")  # fmt: skip
    assert every.code == 1
    assert (
        "verify-install failed at import: opt_pkg.django_support: ModuleNotFoundError: No module "
        "named 'django_not_installed_here'" in every.err
    )


WINDOWS_ONLY = b"""import sys
if sys.platform != "win32":
    raise ImportError(f"{__name__} is for Windows")
"""


def test_a_module_refusing_this_platform_is_excluded_by_name(
    index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    """rich's `_win32_console` raises ImportError off Windows, and `_windows` imports it:
    with `import = "all"` they fail the check unless excluded, and the report names them."""
    members = {
        "plat_pkg/__init__.py": b"VALUE = 1\n",
        "plat_pkg/_win32_console.py": WINDOWS_ONLY,
        "plat_pkg/_windows.py": b"from plat_pkg import _win32_console\n",
    }
    path = _released_with(make_repo, index, "plat-pkg", members)
    every = _verify_install(cli, path, "--set", "verify-install.import=all")
    assert every.code == 1
    assert "plat_pkg._win32_console: ImportError: plat_pkg._win32_console is for Windows" in (
        every.err
    )
    exclude = 'verify-install.exclude=["plat_pkg._win*"]'
    result = cli("-C", str(path), "--set", "verify-install.import=all", "--set", exclude,
                 "verify-install", "--index", "local")  # fmt: skip
    assert result.code == 0, result.out + result.err
    assert (
        "import\tok\tall: 1 module of plat_pkg; excluded: plat_pkg._win32_console, "
        "plat_pkg._windows" in result.out
    )


def test_a_package_refusing_this_platform_fails(
    index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    members = {"win_only/__init__.py": WINDOWS_ONLY}
    result = _verify_install(cli, _released_with(make_repo, index, "win-only", members))
    assert result.code == 1
    assert "win_only: ImportError: win_only is for Windows" in result.err


ENTRY_POINTS = b"[console_scripts]\njsontool = json.tool:main\n"


@pytest.mark.parametrize("smoke", [False, True])
def test_a_wheel_without_modules_runs_its_scripts_or_the_smoke_command(
    index: PypiServer, make_repo: MakeRepo, cli: Cli, smoke: bool
) -> None:
    members = {"scripts_only-1.0.0.dist-info/entry_points.txt": ENTRY_POINTS}
    path = _released_with(make_repo, index, "scripts-only", members)
    extra = ["--set", "smoke-command=jsontool --help"] if smoke else []
    result = _verify_install(cli, path, *extra)
    assert result.code == 0, result.out + result.err
    if smoke:
        assert "import\tok\tthe wheel provides no importable module: the smoke test instead" in (
            result.out
        )
        assert "smoke command\tok\tjsontool --help" in result.out
    else:
        # json.tool has no --version: --help answers, and the report says which did
        assert "scripts\tok\tjsontool --help" in result.out


def test_a_wheel_with_nothing_to_run_fails(
    index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    members = {"empty_pkg-1.0.0.dist-info/top_level.txt": b"\n"}
    result = _verify_install(cli, _released_with(make_repo, index, "empty-pkg", members))
    assert result.code == 1
    assert "no importable module and no script: set [tool.tagship.verify-install] smoke" in (
        result.err
    )


def test_installed_code_sees_no_credential_and_no_other_index(
    index: PypiServer, make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url, name="secret-pkg")
    path = str(release.repo.path)
    assert cli("-C", path, "publish", "--to", "local").code == 0
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_not_for_packages")
    monkeypatch.setenv("TAGSHIP_INDEX_LOCAL_PASSWORD", "pw-not-for-packages")
    smoke = "smoke-command=sh -c 'test -z \"$GITHUB_TOKEN$TAGSHIP_INDEX_LOCAL_PASSWORD\"'"
    result = cli("-C", path, "--set", smoke, "verify-install", "--index", "local")
    assert result.code == 0, result.out + result.err
    assert "smoke command\tok" in result.out


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_find_links_in_the_environment_cannot_stand_in_for_the_index(
    index: PypiServer,
    make_repo: MakeRepo,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    installer: str,
) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url, name="local-only")
    monkeypatch.setenv("UV_FIND_LINKS", str(release.dist))
    monkeypatch.setenv("PIP_FIND_LINKS", str(release.dist))
    result = cli(
        "-C", str(release.repo.path), "verify-install", "--index", "local", "--installer", installer
    )
    assert result.code == 1
    assert "verify-install failed at install" in result.err


def test_a_wheel_missing_from_the_build_directory_is_an_integrity_error(
    index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url, name="gone-pkg")
    (release.dist / release.manifest.wheels[0].name).unlink()
    result = cli("-C", str(release.repo.path), "verify-install", "--index", "local")
    assert result.code == 4
    assert "missing from" in result.err
