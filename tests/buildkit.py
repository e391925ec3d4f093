"""Sample projects for every build backend, and tools to tamper with built files."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import pwd
import shutil
import tarfile
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import git

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

_SCRUB_PREFIXES = ("GITHUB_", "TAGSHIP_", "SETUPTOOLS_SCM_", "PDM_BUILD_SCM_", "ACTIONS_")
_SCRUB = ("CI", "GH_TOKEN", "SOURCE_DATE_EPOCH", "GIT_DIR", "GIT_WORK_TREE")

README_MD = "# Sample\n\nA *sample* project.\n"
README_RST = "Sample\n======\n\nA *sample* project.\n"


def _project(
    name: str, requires: str, backend: str, *, readme: str = "README.md", extra: str = ""
) -> str:
    return f"""\
[build-system]
requires = [{requires}]
build-backend = "{backend}"

[project]
name = "{name}"
version = "0.1.0"
description = "A sample for {backend}"
readme = "{readme}"
requires-python = ">=3.10"
{extra}"""


def _package(name: str) -> str:
    return f"src/{name.replace('-', '_')}/__init__.py"


# backend id -> (files of the project, expected version, the wheel Generator's first word)
SAMPLES: dict[str, tuple[dict[str, str], str, str]] = {
    "hatchling": (
        {
            "pyproject.toml": _project("sample-hatch", '"hatchling"', "hatchling.build"),
            "README.md": README_MD,
            _package("sample-hatch"): '"""Sample."""\n',
        },
        "0.1.0",
        "hatchling",
    ),
    "setuptools": (
        {
            "pyproject.toml": _project(
                "sample-setuptools",
                '"setuptools>=77"',
                "setuptools.build_meta",
                readme="README.rst",
            ),
            "README.rst": README_RST,
            _package("sample-setuptools"): '"""Sample."""\n',
        },
        "0.1.0",
        "setuptools",
    ),
    "flit_core": (
        {
            "pyproject.toml": _project("sample-flit", '"flit_core>=3.11,<4"', "flit_core.buildapi"),
            "README.md": README_MD,
            _package("sample-flit"): '"""Sample."""\n',
        },
        "0.1.0",
        "flit",
    ),
    "pdm-backend": (
        {
            "pyproject.toml": _project("sample-pdm", '"pdm-backend"', "pdm.backend"),
            "README.md": README_MD,
            _package("sample-pdm"): '"""Sample."""\n',
        },
        "0.1.0",
        "pdm-backend",
    ),
    "hatch-vcs": (
        {
            "pyproject.toml": _project(
                "sample-vcs", '"hatchling", "hatch-vcs"', "hatchling.build"
            ).replace('version = "0.1.0"', 'dynamic = ["version"]')
            + '\n[tool.hatch.version]\nsource = "vcs"\n',
            "README.md": README_MD,
            _package("sample-vcs"): '"""Sample."""\n',
        },
        "1.2.3",
        "hatchling",
    ),
}


@contextmanager
def isolated(home: Path, cache: Path) -> Iterator[None]:
    """What conftest's autouse fixture does per test, for session-scoped fixtures."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith(_SCRUB_PREFIXES) or name in _SCRUB:
                patch.delenv(name)
        gitconfig = home / ".gitconfig"
        gitconfig.write_text(
            "[user]\n\tname = Test Maintainer\n\temail = maintainer@example.invalid\n"
        )
        for key, value in {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "UV_CACHE_DIR": str(cache / "uv"),
            "PIP_CACHE_DIR": str(cache / "pip"),
            "XDG_CACHE_HOME": str(cache / "xdg"),
            "GIT_CONFIG_GLOBAL": str(gitconfig),
            "GIT_CONFIG_NOSYSTEM": "1",
        }.items():
            patch.setenv(key, value)
        yield


def init_repo(path: Path, files: dict[str, str], tag: str | None = None) -> Path:
    """A git repository at `path` with `files` committed on main (and tagged)."""
    git(path.parent, "init", "--quiet", "--initial-branch=main", str(path))
    for relative, text in {".gitignore": "dist/\n", **files}.items():
        target = path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    git(path, "add", "--all")
    git(path, "commit", "--quiet", "-m", "initial")
    if tag is not None:
        git(path, "tag", "-a", tag, "-m", f"release {tag}")
    return path


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def rewrite_wheel(
    path: Path,
    edit: Callable[[str, bytes], bytes | None],
    *,
    add: dict[str, bytes] | None = None,
    fix_record: bool = False,
) -> None:
    """Rewrite a wheel in place: `edit(name, data)` returns new bytes (None drops the member).

    With `fix_record` the RECORD is regenerated, so only the edit itself is wrong.
    """
    members: dict[str, bytes] = {}
    with zipfile.ZipFile(path) as wheel:
        for info in wheel.infolist():
            data = edit(info.filename, wheel.read(info))
            if data is not None:
                members[info.filename] = data
    members.update(add or {})
    record = next(name for name in members if name.endswith(".dist-info/RECORD"))
    if fix_record:
        rows = [f"{n},{_record_hash(d)},{len(d)}" for n, d in members.items() if n != record]
        members[record] = ("\n".join([*rows, f"{record},,"]) + "\n").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in members.items():
            wheel.writestr(name, data)


def write_sdist(path: Path, members: dict[str, bytes], mtime: int = 1_700_000_000) -> None:
    """A .tar.gz with the given members (all regular files, mode 0644)."""
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), mtime, 0o644
            tar.addfile(info, io.BytesIO(data))


def rust_tools() -> tuple[str, dict[str, str]] | None:
    """Where cargo is, and what rustup needs to find its toolchains under the real home (the
    tests' home is a temporary one); cargo kept offline, crates.io being out of reach. None
    when cargo is not installed."""
    cargo = shutil.which("cargo")
    if cargo is None:
        return None
    home = Path(pwd.getpwuid(os.getuid()).pw_dir)
    return str(Path(cargo).parent), {
        "RUSTUP_HOME": os.environ.get("RUSTUP_HOME", str(home / ".rustup")),
        "CARGO_HOME": os.environ.get("CARGO_HOME", str(home / ".cargo")),
        "CARGO_NET_OFFLINE": "true",
    }


def sample_pyproject(
    name: str, requires: str, backend: str, version: str | None, description: str, extra: str = ""
) -> str:
    """A sample project's pyproject.toml: `version` static, or None for a dynamic one."""
    version_line = f'version = "{version}"' if version else 'dynamic = ["version"]'
    return f"""\
[build-system]
requires = [{requires}]
build-backend = "{backend}"

[project]
name = "{name}"
{version_line}
description = "{description}"
readme = "README.md"
requires-python = ">=3.10"
{extra}"""
