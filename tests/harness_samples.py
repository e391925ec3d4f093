"""Six small projects for the workflow harness, one per build backend, each with its own lint,
typecheck and test tools (as `tagship init` finds them) and no docs."""

from __future__ import annotations

from dataclasses import dataclass

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

    @property
    def package(self) -> str:
        return self.name.replace("-", "_")


def _pyproject(
    name: str, requires: str, backend: str, *, version: str = '"0.1.0"', extra: str = ""
) -> str:
    version_line = 'dynamic = ["version"]' if version == "dynamic" else f"version = {version}"
    return f"""\
[build-system]
requires = [{requires}]
build-backend = "{backend}"

[project]
name = "{name}"
{version_line}
description = "A sample released by the tagship workflow harness"
readme = "README.md"
requires-python = ">=3.10"
{extra}"""


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
