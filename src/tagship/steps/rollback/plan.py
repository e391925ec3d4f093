"""`rollback plan VERSION`: the five rollback options, in the policy's order, each with what
tagship does and what a person must do, filled in from what the ledger recorded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.adapters.ledger_store import read_ledger
from tagship.core.errors import UsageError
from tagship.core.versions import bump, parse_version, tag_for
from tagship.steps.notes.release_notes import previous_release_tag
from tagship.steps.rollback.yank import OBSERVED, management_url

if TYPE_CHECKING:
    from packaging.version import Version

    from tagship.core.ledger import Record
    from tagship.workspace import Workspace


@dataclass(frozen=True)
class PlanOption:
    key: str
    title: str
    status: str  # what the ledger says about this option for the release
    tagship: tuple[str, ...]  # the commands that do the automatable part
    human: tuple[str, ...]  # what a person must decide or do
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class RollbackPlan:
    project: str
    version: str
    tag: str
    tagged: bool
    published: dict[str, tuple[str, ...]]  # index -> files the ledger says were published
    warnings: tuple[str, ...]
    options: tuple[PlanOption, ...]


def _revert(workspace: Workspace, version: Version, tag: str, mine: list[Record]) -> PlanOption:
    git = workspace.require_git()
    since = previous_release_tag(workspace, version)
    merges = git.merge_commits(since, tag) if git.tag_target(tag) else []
    evidence = tuple(f"merged for {tag}: {sha[:12]} {subject}" for sha, subject, _ in merges)
    done = [r for r in mine if r.event.kind == "rollback-revert"]
    evidence += tuple(f"reverted: {r.event.details.get('reverted', '')}" for r in done)
    shas = " ".join(sha[:12] for sha, _, _ in merges[-1:]) or "MERGE_SHA"
    return PlanOption(
        "revert",
        "Revert and redeploy",
        "reverted" if done else ("available" if merges else "no merge commits found"),
        (f"tagship rollback revert {shas} --push",),
        (
            f"choose the merge(s) that broke {tag} (since {since or 'the first commit'})",
            (
                f"let CI redeploy from {workspace.config.release_branch}; the next release "
                "ships the revert"
            ),
        ),
        evidence,
    )


def _cloud_run(records: list[Record], project: str, version: str) -> PlanOption:
    moves = [
        r for r in records if r.event.kind == "rollback-cloud-run" and r.event.project == project
    ]
    if not moves:
        return PlanOption(
            "cloud-run",
            "Roll back the Cloud Run revision",
            "no Cloud Run traffic change recorded",
            ("tagship rollback cloud-run --service S --region R --to-revision REV --dry-run",),
            (
                (
                    f"if {version} runs on Cloud Run, find the last good revision: "
                    "gcloud run revisions list --service S --region R"
                ),
                "rerun without --dry-run to move 100% of traffic there",
            ),
        )
    last = moves[-1].event.details
    service = last.get("service", "").split("/")
    name, region, gcp = service[-1], last.get("region", "R"), last.get("project", "P")
    return PlanOption(
        "cloud-run",
        "Roll back the Cloud Run revision",
        f"service {name} recorded",
        (
            (
                f"tagship rollback cloud-run --service {name} --region {region} "
                f"--project {gcp} --to-revision REV --dry-run"
            ),
        ),
        (
            (
                "pick the revision that served before the bad deploy (the splits below show "
                "what served before each recorded change)"
            ),
            "rerun without --dry-run to move 100% of traffic there",
        ),
        tuple(
            f"#{r.seq} {r.event.version}: {r.event.details.get('from')} -> "
            f"{r.event.details.get('to')}"
            for r in moves[-3:]
        ),
    )


def _patch(workspace: Workspace, version: Version, tag: str, records: list[Record]) -> PlanOption:
    new = bump(version, "patch")
    new_tag = tag_for(new, workspace.config.tag_format)
    started = [
        r
        for r in records
        if r.event.kind == "hotfix"
        and r.event.project == workspace.name
        and r.event.details.get("fixes") == tag
    ]
    git = workspace.require_git()
    status = "available"
    if started:
        status = f"hotfix started on {started[-1].event.details.get('branch')}"
    elif git.tag_target(new_tag) is not None:
        status = f"{new_tag} already exists: patch the newest release of the line instead"
    return PlanOption(
        "patch",
        "Publish a patch package",
        status,
        (f"tagship rollback patch {version}", "tagship hotfix finish"),
        (
            (
                f"apply the smallest safe fix on hotfix/{new}, and the same fix on "
                f"{workspace.config.release_branch}"
            ),
            "run the required checks and the TestPyPI dry run",
            f"mention {tag} in the {new_tag} release notes, then tag {new_tag}",
        ),
        tuple(f"#{r.seq} {r.event.details.get('action')} {r.event.version}" for r in started),
    )


def _yank(
    workspace: Workspace,
    version: Version,
    published: dict[str, tuple[str, ...]],
    mine: list[Record],
) -> PlanOption:
    observed = {
        r.event.index for r in mine if r.event.kind == "yank" and r.event.result == OBSERVED
    }
    commands, human = [], []
    for index_name in sorted(published):
        index = workspace.config.indexes.get(index_name)
        url = management_url(index, workspace.name, version) if index is not None else None
        if index_name in observed:
            continue
        commands.append(f'tagship rollback yank {version} --reason "..." --index {index_name}')
        human.append(
            f"yank it on {index_name} at {url}"
            if url
            else f"{index_name} has no yank operation tagship knows: remove or hide it there"
        )
    human.append(
        "yank only when installing it does harm: a yanked release stays installable when "
        "pinned with ==, and is gone from resolution otherwise"
    )
    if not published:
        status = "no publish recorded"
    elif not commands:
        status = "yanked everywhere it was published"
    else:
        status = "available"
    return PlanOption(
        "yank",
        "Yank the bad release",
        status,
        tuple(commands),
        tuple(human),
        tuple(f"yank observed on {name}" for name in sorted(i for i in observed if i)),
    )


def _migration(workspace: Workspace, records: list[Record]) -> PlanOption:
    done = [
        r
        for r in records
        if r.event.kind == "rollback-migration" and r.event.project == workspace.name
    ]
    has_alembic = (workspace.root / "alembic.ini").is_file()
    return PlanOption(
        "migration",
        "Apply a database mitigation migration",
        "alembic.ini found" if has_alembic else "no alembic.ini in the project",
        ("tagship rollback migrate --revision REV --config alembic.ini --dry-run",),
        (
            "write or pick the mitigation migration (or the revision to downgrade to)",
            "back up the database, and check the running code works with the target schema",
        ),
        tuple(
            f"#{r.seq} {r.event.details.get('from')} -> {r.event.details.get('to')}"
            for r in done[-3:]
        ),
    )


def rollback_plan(workspace: Workspace, version_text: str) -> RollbackPlan:
    """The plan for `version_text`; UsageError when neither a tag nor the ledger knows it."""
    version = parse_version(version_text, where="the command line")
    tag = tag_for(version, workspace.config.tag_format)
    git = workspace.require_git()
    check = read_ledger(git)
    records = list(check.records)
    warnings = []
    if check.problem is not None:
        warnings.append(
            f"the ledger is broken at record {check.problem.position}; "
            "only the records before it are used"
        )
    mine = [
        r for r in records if r.event.project == workspace.name and r.event.version == str(version)
    ]
    tagged = git.tag_target(tag) is not None
    if not tagged and not mine:
        raise UsageError(
            f"{workspace.name} {version} was never released here: no tag {tag} and no record",
            hint="git fetch --tags; tagship ledger show lists what was recorded",
        )
    published: dict[str, set[str]] = {}
    for record in mine:
        if record.event.kind == "publish" and record.event.index:
            names = {f.name for f in record.event.files}
            published.setdefault(record.event.index, set()).update(names)
    shown = {index: tuple(sorted(names)) for index, names in published.items()}
    options = (
        _revert(workspace, version, tag, mine),
        _cloud_run(records, workspace.name, str(version)),
        _patch(workspace, version, tag, records),
        _yank(workspace, version, shown, mine),
        _migration(workspace, records),
    )
    return RollbackPlan(workspace.name, str(version), tag, tagged, shown, tuple(warnings), options)
