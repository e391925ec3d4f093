"""`tagship check-docs`: the docs check of a project without Sphinx or MkDocs: what it
publishes renders on PyPI, and the docs files the release rewrites exist."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tagship.adapters.project_files import read_text
from tagship.core.errors import ConfigError
from tagship.core.words import plural
from tagship.steps.verify.metadata_check import render_problem

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.workspace import Workspace

_TYPES = {".md": "text/markdown", ".markdown": "text/markdown", ".rst": "text/x-rst"}


@dataclass(frozen=True)
class DocsReport:
    checked: tuple[str, ...]
    problems: tuple[str, ...]


def _readme(root: Path, readme: Any) -> tuple[str | None, str | None, str]:
    """(text, content type, where) of [project].readme; text None when there is none."""
    if isinstance(readme, str):
        readme = {"file": readme}
    if not isinstance(readme, dict):
        return None, None, "[project].readme"
    if isinstance(readme.get("text"), str):
        return readme["text"], readme.get("content-type"), "[project].readme text"
    name = readme.get("file")
    if not isinstance(name, str):
        return None, None, "[project].readme"
    path = root / name
    kind = readme.get("content-type") or _TYPES.get(path.suffix.lower(), "text/plain")
    try:
        return read_text(path), kind, name  # a FIFO or a device is refused, never read
    except (OSError, UnicodeDecodeError, ConfigError) as exc:
        return "", kind, f"{name} ({exc})"


def check_docs(workspace: Workspace) -> DocsReport:
    checked: list[str] = []
    problems: list[str] = []
    project = workspace.pyproject_data.get("project", {})
    if "readme" in project.get("dynamic", ()):
        checked.append("the long description is dynamic: verify-artifacts renders the built one")
    else:
        text, kind, where = _readme(workspace.root, project.get("readme"))
        problem = render_problem(text, kind)
        if problem is None:
            checked.append(f"{where} renders on PyPI ({kind})")
        else:
            problems.append(f"{where} {problem}")
    for pattern in workspace.config.docs_files:
        matched = [p for p in workspace.root.glob(pattern) if p.is_file()]
        if matched:
            checked.append(f"docs-files {pattern!r}: {plural(len(matched), 'file')}")
        else:
            problems.append(f"docs-files {pattern!r} matches no file: the release cannot update it")
    return DocsReport(tuple(checked), tuple(problems))
