"""`tagship doctor`: the repository's workflows as they are, against the release policy."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from packaging.version import Version

from tagship.adapters.project_files import read_text
from tagship.ci.adoption import choose
from tagship.ci.github import doctor as doctor_github
from tagship.ci.github import old_publishers as old
from tagship.ci.github import zizmor as tools
from tagship.ci.github.policy import WORKFLOWS_DIR, Finding, check_policy, publishers
from tagship.ci.github.workflow_model import Workflow, WorkflowSyntaxError, parse_workflow
from tagship.ci.github.workflows.values import run_expressions
from tagship.core.config import github_repo_from_url
from tagship.core.pyproject import table
from tagship.core.versions import tag_for
from tagship.steps.doctor_pipeline import pipeline_doctor
from tagship.steps.doctor_split import FileAdvice, per_file, release_paths, split
from tagship.steps.tagship_lock import LOCK_CHECK, lock_check

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from tagship.adapters.process import Runner
    from tagship.workspace import Workspace


@dataclass(frozen=True)
class ToolRun:
    """Whether an external checker ran, and why not when it did not."""

    name: str
    ran: bool
    note: str = ""


@dataclass(frozen=True)
class DoctorReport:
    """The release-critical findings and the advice about the project's other workflows
    (steps/doctor_split.py), each in file and line order; which checkers ran; and the
    project's own publishers, armed (a finding) or kept off."""

    findings: tuple[Finding, ...]
    tools: tuple[ToolRun, ...]
    advice: tuple[Finding, ...] = ()
    old_publishers: tuple[old.OldPublisher, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.findings

    def advice_per_file(self) -> tuple[FileAdvice, ...]:
        return per_file(self.advice)


def load_workflows(root: Path) -> tuple[list[Workflow], list[Finding]]:
    """Parse every workflow file under `root`; one that does not parse becomes a finding."""
    folder = root / WORKFLOWS_DIR
    parsed: list[Workflow] = []
    broken: list[Finding] = []
    files = sorted(folder.glob("*.y*ml")) if folder.is_dir() else []
    for path in files:
        relative = f"{WORKFLOWS_DIR}/{path.name}"
        try:
            # a FIFO or a device is refused, never read
            parsed.append(parse_workflow(relative, read_text(path)))
        except WorkflowSyntaxError as exc:
            broken.append(
                Finding(
                    "workflow-syntax",
                    relative,
                    exc.line,
                    exc.message,
                    "fix the YAML; GitHub does not run a workflow it cannot parse",
                )
            )
    return parsed, broken


def _registered(workspace: Workspace) -> tuple[str | None, str | None]:
    """The repository the trusted publisher names: [tool.tagship.github], else the config's."""
    config = workspace.config
    declared = table(dict(workspace.pyproject_data), "tool.tagship.github", config.pyproject)
    owner, repository = declared.get("owner"), declared.get("repository")
    if isinstance(owner, str) and isinstance(repository, str):
        return owner, repository
    return config.github_owner, config.github_repository


def _running_in(workspace: Workspace) -> tuple[str, str] | None:
    """The repository the workflows run in: GitHub Actions says so, else the origin remote."""
    repo = workspace.ci.repository or ""
    if "/" in repo:
        owner, name = repo.split("/", 1)
        return owner, name
    return github_repo_from_url(workspace.origin_url)


def doctor(
    workspace: Workspace,
    runner: Runner,
    *,
    packages: Sequence[Workspace] = (),
    top: Path | None = None,
) -> DoctorReport:
    """Policy rules, zizmor and (when installed) actionlint over .github/workflows; with a
    GitHub token, the repository's environments and branch protection too. In a repository
    of several packages (`packages`, the workflows under `top`) the rules hold for each."""
    every = tuple(packages) or (workspace,)
    root = top or workspace.root
    host = choose(None, workspace.origin_url, root, workspace.ci.host).host
    if host.pipeline is not None and not packages:
        found_here, skipped_here = pipeline_doctor(workspace, host.pipeline)
        ran = ToolRun(
            host.pipeline.settings_name, ran=skipped_here is None, note=skipped_here or ""
        )
        ordered_here = sorted(set(found_here), key=lambda f: (f.path, f.line, f.rule, f.message))
        return DoctorReport(tuple(ordered_here), (ran,))
    workflows, findings = load_workflows(root)
    for workflow in workflows:  # tagship writes no expression into a run: of its own files
        if workflow.generated:
            findings.extend(run_expressions(workflow))
    tagship: dict[str, str] = {}  # index -> the workflow file its trusted publisher names
    for member in every:
        owner, repository = _registered(member)
        expected = tuple(
            replace(p, owner=owner, repository=repository)
            for p in publishers(member.config, member.name)
        )
        tagship.update({p.index: p.workflow for p in expected})
        findings.extend(
            check_policy(
                workflows,
                expected,
                tag_example=tag_for(Version("1.2.3"), member.config.tag_format),
                actual_repo=_running_in(member),
            )
        )
    found = old.old_publishers(workflows, tagship)
    findings.extend(old.findings(found, tagship))
    runs: list[ToolRun] = []
    lock_problems, skipped_lock = lock_check(workflows, every, root)
    findings.extend(lock_problems)
    runs.extend([ToolRun(LOCK_CHECK, ran=False, note=skipped_lock)] if skipped_lock else [])
    if workflows:
        findings.extend(tools.zizmor(root, runner, workspace.env))
        runs.append(ToolRun("zizmor", ran=True))
        linted = tools.actionlint(root, runner, workspace.env)
        if linted is None:
            runs.append(ToolRun("actionlint", ran=False, note="not installed"))
        else:
            findings.extend(linted)
            runs.append(ToolRun("actionlint", ran=True))
    else:
        note = f"no workflows in {WORKFLOWS_DIR}"
        runs.extend(
            [ToolRun("zizmor", ran=False, note=note), ToolRun("actionlint", ran=False, note=note)]
        )
    # last, and only with a token: the checks above need no network
    skipped = doctor_github.skipped_because(workspace)
    if skipped is None:
        for member in every:
            findings.extend(doctor_github.github_findings(member))
    runs.append(ToolRun(doctor_github.NAME, ran=skipped is None, note=skipped or ""))
    ordered = sorted(set(findings), key=lambda f: (f.path, f.line, f.rule, f.message))
    critical, advice = split(ordered, release_paths(workflows, tagship.values()))
    return DoctorReport(critical, tuple(runs), advice, found)
