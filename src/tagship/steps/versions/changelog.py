"""The release's section in the project's changelog: written by tagship in the file's own style,
or by the project's own towncrier or scriv from its fragments (run, never reimplemented)."""

from __future__ import annotations

import fnmatch
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from tagship.adapters.build.builder import find_program
from tagship.adapters.files import write_atomic
from tagship.adapters.project_files import read_exact
from tagship.core.changelog import CHANGELOG_NAMES, entries, insert_section
from tagship.core.changelog_unreleased import date_unreleased
from tagship.core.errors import ConfigError, ServiceError, UsageError
from tagship.core.pyproject import table
from tagship.core.versions import tag_for
from tagship.steps.versions.version_files import FileEdit, repository_top

if TYPE_CHECKING:
    from datetime import date
    from pathlib import Path

    from packaging.version import Version

    from tagship.core.notes import ReleaseNotes
    from tagship.workspace import Workspace

Tool = Literal["towncrier", "scriv"]


@dataclass(frozen=True)
class ChangelogPlan:
    """What a release does to the changelog: an edit of the file, a fragment tool to run, or
    nothing (the file already has the version's section)."""

    path: Path | None
    edit: FileEdit | None = None
    tool: Tool | None = None
    # the edit dates the heading of the section the maintainer started (`1.1 (unreleased)`)
    dated: bool = False

    @property
    def already(self) -> bool:
        return self.edit is None and self.tool is None


def fragment_tool(workspace: Workspace) -> Tool | None:
    """towncrier or scriv, when the project keeps news fragments for one of them."""
    data, pyproject, root = (
        dict(workspace.pyproject_data),
        workspace.config.pyproject,
        workspace.root,
    )
    if table(data, "tool.towncrier", pyproject) or (root / "towncrier.toml").is_file():
        return "towncrier"
    if table(data, "tool.scriv", pyproject) or (root / "changelog.d" / "scriv.ini").is_file():
        return "scriv"
    return None


def find_changelog(root: Path) -> Path | None:
    """The project's changelog file, by its conventional names."""
    return next((root / n for n in CHANGELOG_NAMES if (root / n).is_file()), None)


def _target(workspace: Workspace, path: Path) -> Path:
    """The file to rewrite: a symlinked changelog's target (the link stays a link), which
    must be inside the repository."""
    top, resolved = repository_top(workspace), path.resolve()
    if not resolved.is_relative_to(top):
        raise ConfigError(
            f"{path.name} is a symlink to {resolved}, outside the repository {top}",
            hint="tagship only writes files of the repository: add the section by hand",
        )
    return resolved


def _fixes(workspace: Workspace, notes: ReleaseNotes) -> str | None:
    """On a hotfix branch, the release it fixes (the notes start there): `hotfix finish` wants
    the patch's notes to name it."""
    git = workspace.git
    branch = git.current_branch() if git is not None else None
    if branch is None or not fnmatch.fnmatchcase(branch, workspace.config.hotfix_branches):
        return None
    return notes.since


def plan_changelog(
    workspace: Workspace, notes: ReleaseNotes, version: Version, today: date
) -> ChangelogPlan:
    """The changelog's change for `version`, computed without writing anything."""
    tool = fragment_tool(workspace)
    if tool is not None:
        return ChangelogPlan(None, tool=tool)
    path = find_changelog(workspace.root)
    if path is None:
        raise UsageError(
            f"no changelog file in {workspace.root} ({', '.join(CHANGELOG_NAMES)})",
            hint="create CHANGELOG.md with a '# Changelog' title; tagship adds the sections",
        )
    path = _target(workspace, path)
    before = read_exact(path)
    suffix = path.suffix.lstrip(".")
    dated = date_unreleased(before, suffix, version=str(version), date=today.isoformat())
    if dated is not None:
        edit = FileEdit(path, f"{path.name} heading", str(version), before, dated)
        return ChangelogPlan(path, edit, dated=True)
    after = insert_section(
        before,
        suffix,
        version=str(version),
        tag=tag_for(version, workspace.config.tag_format),
        date=today.isoformat(),
        groups=entries(notes, _fixes(workspace, notes)),
    )
    if after is None:
        return ChangelogPlan(path)
    return ChangelogPlan(path, FileEdit(path, f"{path.name} section", str(version), before, after))


def run_tool(workspace: Workspace, tool: Tool, version: Version, *, draft: bool) -> str:
    """Run the project's towncrier or scriv for `version` (`draft`: write nothing, return the
    notes); ServiceError with the tool's own reason when it fails."""
    program = find_program(tool, workspace.env, sys.executable)
    if program is None:
        raise UsageError(
            f"the project keeps {tool} fragments, but {tool} is not installed",
            hint=f"install it where tagship runs: pip install {tool}",
        )
    if tool == "towncrier":
        argv = [str(program), "build", "--version", str(version), "--draft" if draft else "--yes"]
    else:
        # `scriv print` shows the fragments it would collect (with --version it reads the
        # changelog instead)
        argv = (
            [str(program), "print"]
            if draft
            else [str(program), "collect", "--version", str(version)]
        )
    done = workspace.runner(argv, cwd=workspace.root, env=workspace.env)
    if not done.ok:
        raise ServiceError(f"{tool} failed: {done.reason() or f'exit {done.returncode}'}")
    return done.stdout


@dataclass(frozen=True)
class ChangelogResult:
    """What `notes --changelog` (or `bump --changelog`) did to the changelog."""

    version: str
    path: Path | None
    action: Literal["inserted", "dated", "present", "towncrier", "scriv"]
    changed: tuple[Path, ...] = ()  # every file the fragment tool changed, for the commit

    def describe(self, *, planned: bool = False) -> str:
        """One line for the CLI; `planned`: what a dry run would do."""
        name = self.path.name if self.path else "the changelog"
        if self.action == "present":
            return f"{name} already has a {self.version} section; left as is"
        if self.action == "dated":
            verb = "would date" if planned else "dated"
            return f"{verb} the heading of the unreleased {self.version} section of {name}"
        if self.action == "inserted":
            verb = "would add" if planned else "added"
            return f"{verb} the {self.version} section to {name}"
        if planned:
            return f"would run {self.action} for the {self.version} notes"
        return f"{self.action} wrote the {self.version} notes from its fragments"


def apply_tool(workspace: Workspace, tool: Tool, version: Version) -> ChangelogResult:
    """Run the fragment tool for real; the files it changed are those that became dirty."""
    git = workspace.git
    dirty = set(git.dirty_files()) if git is not None else set()
    run_tool(workspace, tool, version, draft=False)
    after = set(git.dirty_files()) if git is not None else set()
    root = git.root if git is not None else workspace.root
    changed = tuple(root / p for p in sorted(after - dirty))
    return ChangelogResult(str(version), None, tool, changed)


def write_changelog(
    workspace: Workspace, notes: ReleaseNotes, version: Version, today: date
) -> ChangelogResult:
    """Insert the release's section (or have the fragment tool write it)."""
    plan = plan_changelog(workspace, notes, version, today)
    if plan.tool is not None:
        run_tool(workspace, plan.tool, version, draft=True)  # fails before anything changes
        return apply_tool(workspace, plan.tool, version)
    if plan.edit is None:
        return ChangelogResult(str(version), plan.path, "present")
    write_atomic(plan.edit.path, plan.edit.after)
    action: Literal["inserted", "dated"] = "dated" if plan.dated else "inserted"
    return ChangelogResult(str(version), plan.path, action, (plan.edit.path,))
