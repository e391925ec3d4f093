"""What the configuration a check's tool reads says where it changes the check: mypy's `files`
(the command), and the requirements the project's docs build with (the install)."""

from __future__ import annotations

import configparser
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

# the files mypy reads its configuration from, in its order (mypy/defaults.py CONFIG_NAMES then
# SHARED_CONFIG_NAMES); the shared two count only with a mypy table or section
MYPY_CONFIGS = ("mypy.ini", ".mypy.ini", "pyproject.toml", "setup.cfg")
# where projects keep their docs' requirements when Read the Docs' configuration names none
DOCS_REQUIREMENT_FILES = (
    "docs/requirements.txt",
    "doc/requirements.txt",
    "docs/requirements-docs.txt",
    "requirements-docs.txt",
    "docs-requirements.txt",
    "requirements/docs.txt",
    "requirements/doc.txt",
)
READTHEDOCS_FILES = (".readthedocs.yaml", ".readthedocs.yml")


def settings(root: Path, pyproject: Mapping[str, Any]) -> frozenset[str]:
    """The options, as `tool.option`, that decide a check's command: `mypy.files` when the
    configuration mypy reads names the files to check (a bare `mypy` checks exactly those)."""
    return frozenset({"mypy.files"} if _mypy_files(root, pyproject) else ())


def _mypy_files(root: Path, pyproject: Mapping[str, Any]) -> bool:
    for name in MYPY_CONFIGS:
        if name == "pyproject.toml":
            tool = pyproject.get("tool")
            table = tool.get("mypy") if isinstance(tool, dict) else None
            if isinstance(table, dict):
                return bool(table.get("files"))
            continue
        parser = configparser.RawConfigParser()
        try:
            if not parser.read(root / name, encoding="utf-8"):
                continue
        except (configparser.Error, UnicodeDecodeError):
            continue  # mypy reports the file and reads the next one
        if not parser.has_section("mypy"):
            if name == "setup.cfg":
                continue
            return False  # mypy.ini is mypy's even without the section
        return bool(parser.get("mypy", "files", fallback="").strip())
    return False


def docs_install(root: Path) -> tuple[dict[str, str], tuple[str, ...]]:
    """The requirement files (path -> text) and extras the docs build with: Read the Docs'
    `python.install` when its configuration has one, else a conventional docs requirements file."""
    listed = _readthedocs_install(root)
    paths, extras = listed if listed is not None else (DOCS_REQUIREMENT_FILES, ())
    texts = {}
    for name in paths:
        path = root / name
        if path.is_file():
            texts[name] = path.read_text(encoding="utf-8", errors="replace")
    return texts, extras


def _readthedocs_install(root: Path) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """Read the Docs' `python.install` entries: `requirements: <file>` and, for the project
    itself (`path: .`), `extra_requirements: [...]`. None: no such list to follow."""
    for name in READTHEDOCS_FILES:
        path = root / name
        if not path.is_file():
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            return None  # Read the Docs refuses it too; the conventional file is the guess
        python = data.get("python") if isinstance(data, dict) else None
        install = python.get("install") if isinstance(python, dict) else None
        if not isinstance(install, list):
            return None
        files, extras = [], []
        for entry in install:
            if not isinstance(entry, dict):
                continue
            if isinstance(entry.get("requirements"), str):
                files.append(entry["requirements"].removeprefix("./"))
            wanted = entry.get("extra_requirements")
            if entry.get("path") in (".", "./") and isinstance(wanted, list):
                extras += [e for e in wanted if isinstance(e, str)]
        return tuple(files), tuple(extras)
    return None
