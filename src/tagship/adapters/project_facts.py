"""The facts check inference reads from a project's files (core/infer_checks.py decides)."""

from __future__ import annotations

import configparser
from typing import TYPE_CHECKING, Any

from tagship.adapters.tool_settings import docs_install, settings
from tagship.core.infer_checks import ProjectFacts

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

# the files whose presence names a tool
MARKERS = (
    ".pre-commit-config.yaml",
    ".pre-commit-config.yml",
    "ruff.toml",
    ".ruff.toml",
    ".flake8",
    "mypy.ini",
    ".mypy.ini",
    "pyrightconfig.json",
    "pytest.ini",
    "conftest.py",
    "tests/conftest.py",
    "tox.toml",
    "noxfile.py",
    "tests",
    "test",
    "docs/conf.py",
    "docs/source/conf.py",
    "doc/conf.py",
    "doc/source/conf.py",
    "mkdocs.yml",
    "mkdocs.yaml",
)
INI_FILES = ("setup.cfg", "tox.ini")
REQUIREMENT_FILES = (
    "requirements-dev.txt",
    "dev-requirements.txt",
    "requirements_dev.txt",
    "requirements-test.txt",
    "test-requirements.txt",
    "requirements/dev.txt",
    "requirements/test.txt",
    "requirements/tests.txt",
)


def _ini_sections(root: Path) -> set[str]:
    found: set[str] = set()
    for name in INI_FILES:
        parser = configparser.RawConfigParser()
        try:
            parser.read(root / name, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError):
            continue  # a file its own tools cannot read names no tool either
        found.update(f"{name}:{section}" for section in parser.sections())
    return found


def _strings(table: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(table, dict):
        return {}
    return {
        str(key): tuple(v for v in value if isinstance(v, str))
        for key, value in table.items()
        if isinstance(value, list)
    }


def gather_facts(
    root: Path,
    pyproject: Mapping[str, Any],
    inherited: tuple[Path, Mapping[str, Any]] | None = None,
) -> ProjectFacts:
    """Read what the project at `root` declares (its parsed pyproject.toml given); a member of
    a repository of several packages also what the root declares (`inherited`: the root's
    pyproject.toml, its path and as parsed)."""
    tool = pyproject.get("tool")
    project = pyproject.get("project")
    requirements = {}
    for name in REQUIREMENT_FILES:
        path = root / name
        if path.is_file():
            requirements[name] = path.read_text(encoding="utf-8", errors="replace")
    docs_requirements, docs_extras = docs_install(root)
    return ProjectFacts(
        files=frozenset(name for name in MARKERS if (root / name).exists()),
        tool_tables=frozenset(tool) if isinstance(tool, dict) else frozenset(),
        ini_sections=frozenset(_ini_sections(root)),
        extras=_strings(project.get("optional-dependencies") if isinstance(project, dict) else {}),
        groups=_strings(pyproject.get("dependency-groups")),
        requirement_files=requirements,
        inherited=gather_facts(inherited[0].parent, inherited[1]) if inherited else None,
        settings=settings(root, pyproject),
        docs_requirements=docs_requirements,
        docs_extras=docs_extras,
    )
