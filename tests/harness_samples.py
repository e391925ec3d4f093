"""Six small projects for the workflow harness, one per build backend, each with its own lint,
typecheck and test tools (as `tagship init` finds them) and no docs."""

from __future__ import annotations

from dataclasses import dataclass

from buildkit import sample_pyproject

GITIGNORE = "dist/\nbuild/\n*.egg-info/\n__pycache__/\n"
MYPY = '[tool.mypy]\nstrict = true\nmypy_path = "src"\n'
RUFF = '[tool.ruff]\nline-length = 100\n\n[tool.ruff.lint]\nselect = ["E", "F", "I", "UP"]\n'
PYTEST = '[tool.pytest.ini_options]\naddopts = "-ra"\ntestpaths = ["tests"]\n'


@dataclass(frozen=True)
class Sample:
    """A project to release: its files, the version released and how it publishes."""

    id: str  # the build backend
    name: str  # the distribution
    files: dict[str, str]
    version: str  # what the release publishes
    scm: bool = False  # the version comes from git tags: the dry run is told it
    reproducible: bool = True  # the tag's rebuild is byte-identical to the promoted files
    tools: tuple[str, ...] = ()  # what the maintainer installs beyond the usual tools
    rust: bool = False  # the runner and the maintainer need Rust (cargo)
    installs: tuple[str, ...] = (".",)  # what the maintainer installs editable
    policy: str = ""  # more [tool.tagship] keys

    @property
    def package(self) -> str:
        return self.name.replace("-", "_")


def _pyproject(
    name: str, requires: str, backend: str, *, version: str = "0.1.0", extra: str = ""
) -> str:
    static = None if version == "dynamic" else version
    about = "A sample released by the tagship workflow harness"
    return sample_pyproject(name, requires, backend, static, about, extra)


def _module(backend: str, version: str | None = None) -> str:
    line = f'\n__version__ = "{version}"\n' if version else ""
    return f'''"""A sample package built with {backend}."""
{line}

def greet(name: str) -> str:
    """Say hello."""
    return f"Hello, {{name}}!"
'''


def _pytest(package: str) -> str:
    return f"""from {package} import greet


def test_greet() -> None:
    assert greet("x") == "Hello, x!"
"""


def _unittest(package: str) -> str:
    return f"""import unittest

from {package} import greet


class GreetTest(unittest.TestCase):
    def test_greet(self) -> None:
        self.assertEqual(greet("x"), "Hello, x!")
"""


def _sample(
    sample_id: str, name: str, pyproject: str, extra_files: dict[str, str], **kw: object
) -> Sample:
    package = name.replace("-", "_")
    files = {
        ".gitignore": GITIGNORE,
        "README.md": f"# {name}\n\nA sample built with *{sample_id}*.\n",
        "pyproject.toml": pyproject,
        f"src/{package}/__init__.py": _module(sample_id),
        f"src/{package}/py.typed": "",
        **extra_files,
    }
    return Sample(sample_id, name, files, **kw)  # type: ignore[arg-type]


SAMPLES = (
    # ruff, mypy and pytest from pyproject.toml, installed through a `dev` extra
    _sample(
        "hatchling",
        "sample-hatch",
        _pyproject(
            "sample-hatch",
            '"hatchling"',
            "hatchling.build",
            extra='\n[project.optional-dependencies]\ndev = ["ruff", "mypy", "pytest"]\n\n'
            + RUFF
            + "\n"
            + MYPY
            + "\n"
            + PYTEST,
        ),
        {"tests/test_greet.py": _pytest("sample_hatch")},
        version="0.1.0",
    ),
    # flake8 (.flake8), mypy (mypy.ini), unittest: tools the project does not declare
    _sample(
        "setuptools",
        "sample-setuptools",
        _pyproject("sample-setuptools", '"setuptools>=77"', "setuptools.build_meta"),
        {
            ".flake8": "[flake8]\nmax-line-length = 100\n",
            "mypy.ini": "[mypy]\nstrict = True\nmypy_path = src\n",
            "tests/test_greet.py": _unittest("sample_setuptools"),
        },
        version="0.1.0",
        reproducible=False,  # sdist member mtimes and the gzip header time
    ),
    # the version from git tags; ruff.toml, mypy and pytest from requirements-dev.txt
    _sample(
        "setuptools-scm",
        "sample-scm",
        _pyproject(
            "sample-scm",
            '"setuptools>=77", "setuptools-scm>=8"',
            "setuptools.build_meta",
            version="dynamic",
            extra="\n[tool.setuptools_scm]\n\n" + MYPY + "\n" + PYTEST,
        ),
        {
            "ruff.toml": "line-length = 100\n",
            "requirements-dev.txt": "ruff\nmypy\npytest\n",
            "tests/test_greet.py": _pytest("sample_scm"),
        },
        version="1.0.0",
        scm=True,
        reproducible=False,  # sdist member mtimes and the gzip header time
    ),
    # flit's version from __version__; flake8 in tox.ini, pytest.ini, mypy undeclared
    _sample(
        "flit",
        "sample-flit",
        _pyproject(
            "sample-flit",
            '"flit_core>=3.11,<4"',
            "flit_core.buildapi",
            version="dynamic",
            extra="\n" + MYPY,
        ),
        {
            "tox.ini": "[flake8]\nmax-line-length = 100\n",
            "pytest.ini": "[pytest]\ntestpaths = tests\n",
            "tests/test_greet.py": _pytest("sample_flit"),
            "src/sample_flit/__init__.py": _module("flit", "0.1.0"),
        },
        version="0.1.0",
    ),
    # poetry-core 2 with a [project] table; ruff and mypy from pyproject.toml, unittest
    _sample(
        "poetry-core",
        "sample-poetry",
        _pyproject(
            "sample-poetry",
            '"poetry-core>=2"',
            "poetry.core.masonry.api",
            extra='\n[tool.poetry]\npackages = [{ include = "sample_poetry", from = "src" }]\n\n'
            + RUFF
            + "\n"
            + MYPY,
        ),
        {"tests/test_greet.py": _unittest("sample_poetry")},
        version="0.1.0",
    ),
    # PEP 735 dependency group `dev`; ruff, mypy, pytest (tests/conftest.py)
    _sample(
        "pdm-backend",
        "sample-pdm",
        _pyproject(
            "sample-pdm",
            '"pdm-backend"',
            "pdm.backend",
            extra='\n[dependency-groups]\ndev = ["ruff", "mypy", "pytest"]\n\n'
            + RUFF
            + "\n"
            + MYPY,
        ),
        {"tests/conftest.py": "", "tests/test_greet.py": _pytest("sample_pdm")},
        version="0.1.0",
        reproducible=False,  # the sdist's gzip header time
    ),
)

# the release (TestPyPI, tag, PyPI, audit) runs for every sample, as the checks do: about
# 15 s each on this machine once the backends are cached
RELEASED = SAMPLES


C_MODULE = """\
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *add(PyObject *self, PyObject *args) {
    long a, b;
    if (!PyArg_ParseTuple(args, "ll", &a, &b)) return NULL;
    return PyLong_FromLong(a + b);
}

static PyMethodDef methods[] = {{"add", add, METH_VARARGS, "a + b"}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_speed", NULL, -1, methods};

PyMODINIT_FUNC PyInit__speed(void) { return PyModule_Create(&module); }
"""
CARGO = """\
[package]
name = "sample-rs"
version = "0.1.0"
edition = "2021"

[[bin]]
name = "sample-rs"
path = "src/main.rs"
"""
MAIN_RS = """\
fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("--version") => println!("sample-rs {}", env!("CARGO_PKG_VERSION")),
        _ => println!("usage: sample-rs [--version]"),
    }
}
"""
# setup.py imports setuptools, which the maintainer's mypy has no types for
SETUPTOOLS_UNTYPED = (
    '\n[[tool.mypy.overrides]]\nmodule = ["setuptools"]\nignore_missing_imports = true\n'
)
C_PACKAGE = '''"""A sample package with a C extension module."""

from sample_cext._speed import add

__all__ = ["add", "greet"]


def greet(name: str) -> str:
    """Say hello."""
    return f"Hello, {name}!"
'''
TEST_ADD = (
    "\n\ndef test_add() -> None:\n    from sample_cext import add\n\n    assert add(2, 3) == 5\n"
)
# a Rust program has no Python to lint, type-check or test: those checks are skipped by policy
RUST_CHECKS = '[tool.tagship.checks]\nlint = ""\ntypecheck = ""\ntests = ""\n'

# compiled projects: their publish workflows build with cibuildwheel or maturin's action,
# of which the harness runs the Linux x86_64 rows (the others need other runners)
COMPILED = (
    _sample(
        "setuptools-c",
        "sample-cext",
        _pyproject(
            "sample-cext",
            '"setuptools>=77"',
            "setuptools.build_meta",
            extra="\n" + RUFF + "\n" + MYPY + SETUPTOOLS_UNTYPED + "\n" + PYTEST,
        ),
        {
            "setup.py": "from setuptools import Extension, setup\n\nsetup(ext_modules=[Extension("
            '"sample_cext._speed", ["src/sample_cext/_speed.c"])])\n',
            "src/sample_cext/__init__.py": C_PACKAGE,
            "src/sample_cext/_speed.pyi": "def add(a: int, b: int, /) -> int: ...\n",
            "src/sample_cext/_speed.c": C_MODULE,
            "tests/test_greet.py": _pytest("sample_cext") + TEST_ADD,
        },
        version="0.1.0",
        reproducible=False,  # sdist member mtimes and the gzip header time
        tools=("auditwheel", "patchelf"),
    ),
    Sample(
        "maturin",
        "sample-rs",
        {
            ".gitignore": GITIGNORE + "target/\n",
            "README.md": "# sample-rs\n\nA Rust program shipped by *maturin*.\n",
            "pyproject.toml": _pyproject(
                "sample-rs",
                '"maturin>=1.5,<2"',
                "maturin",
                version="dynamic",
                extra='\n[tool.maturin]\nbindings = "bin"\n\n' + RUST_CHECKS,
            ),
            "Cargo.toml": CARGO,
            "src/main.rs": MAIN_RS,
        },
        "0.1.0",
        reproducible=False,
        tools=("auditwheel", "patchelf"),
        rust=True,
    ),
)


def _member(name: str, depends: str = "") -> dict[str, str]:
    package = name.replace("-", "_")
    extra = f"dependencies = [{depends}]\n"
    if depends:  # uv takes a workspace member as a dependency only when told so
        extra += "\n[tool.uv.sources]\nws-core = { workspace = true }\n"
    pyproject = _pyproject(name, '"hatchling"', "hatchling.build", extra=extra)
    return {
        f"packages/{name}/pyproject.toml": pyproject,
        f"packages/{name}/README.md": f"# {name}\n\nA member of the harness workspace.\n",
        f"packages/{name}/src/{package}/__init__.py": _module("hatchling"),
        f"packages/{name}/tests/__init__.py": "",
        f"packages/{name}/tests/test_greet.py": _unittest(package),
    }


# the checks each package's jobs run, in its directory (the package's own sources)
WORKSPACE_ROOT = """\
[tool.uv.workspace]
members = ["packages/*"]

[tool.tagship.checks]
lint = "python -m compileall -q src"
tests = "PYTHONPATH=src python -m unittest discover -s tests -t ."
"""
# three packages of a uv workspace, ws-app depending on ws-core; ws-core is released
WORKSPACE = Sample(
    "uv-workspace",
    "ws-core",
    {
        ".gitignore": GITIGNORE,
        "pyproject.toml": WORKSPACE_ROOT,
        **_member("ws-core"),
        **_member("ws-app", '"ws-core>=0.1"'),
        **_member("ws-extra"),
    },
    "0.1.0",
    installs=("packages/ws-core", "packages/ws-app", "packages/ws-extra"),
    policy='required-checks = ["lint", "tests", "release-label"]\n',
)
