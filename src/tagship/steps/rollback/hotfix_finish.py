"""`hotfix finish`: is the fix also on main, and do the patch's notes name the fixed release?

Release notes are looked for, in order: a file given explicitly; the host's release (a GitHub draft
or published) of the patch tag when a GitHub client is given; the patch tag's annotated
message; the patch version's section of CHANGELOG / CHANGES / HISTORY (.md or .rst) on the branch.
Lines tagship writes itself (`**Full changelog**: v1.2.3...v1.2.4`, the ledger head) do not
count as a mention.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.adapters.ledger_store import append_event, read_ledger
from tagship.core.changelog import CHANGELOG_NAMES, rst_section
from tagship.core.errors import UsageError
from tagship.core.ledger import Event
from tagship.core.names import normalized_name
from tagship.core.versions import parse_version, tag_for, version_from_tag
from tagship.core.words import plural
from tagship.steps.notes.release_notes import previous_release_tag
from tagship.steps.rollback.hotfix import EVENT

if TYPE_CHECKING:
    from packaging.version import Version

    from tagship.adapters.git import Git
    from tagship.ci.api import HostClient
    from tagship.core.ledger import Record
    from tagship.workspace import Workspace

CHANGELOGS = CHANGELOG_NAMES
_GENERATED = ("**Full changelog**", "Ledger head", "tagship-ledger-head:")
_CHERRY_PICKED = re.compile(r"\(cherry picked from commit ([0-9a-f]{7,40})\)")


@dataclass(frozen=True)
class Finding:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class HotfixFinish:
    branch: str
    version: str
    tag: str
    fixes: str
    findings: tuple[Finding, ...]
    record: Record | None  # appended only when every check passed

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)


def _start_record(git: Git, branch: str, project: str) -> Record | None:
    """The ledger's record of `project`'s hotfix start on `branch`, the last one."""
    found = None
    for record in read_ledger(git).records:
        details = record.event.details
        mine = normalized_name(record.event.project) == normalized_name(project)
        if mine and record.event.kind == EVENT and details.get("action") == "start":
            found = record if details.get("branch") == branch else found
    return found


def _identify(workspace: Workspace, git: Git, branch: str) -> tuple[Version, str, str | None]:
    """(patch version, fixed tag, bump commit) from the ledger, else from the branch name."""
    record = _start_record(git, branch, workspace.name)
    if record is not None:
        event = record.event
        return (
            parse_version(event.version, where="the ledger"),
            event.details["fixes"],
            event.commit,
        )
    pattern = workspace.config.hotfix_branches
    if not fnmatch.fnmatchcase(branch, pattern) or pattern.count("*") != 1:
        raise UsageError(
            f"{branch} is not a hotfix branch ({pattern})",
            hint="run it on the branch tagship hotfix start created, or pass --branch",
        )
    prefix, suffix = pattern.split("*")
    middle = branch[len(prefix) : len(branch) - len(suffix)]
    package = workspace.package_of_several
    if package is not None:  # hotfix/ws-core-1.2.4: the package's own patch line
        if not middle.startswith(f"{package}-"):
            raise UsageError(
                f"{branch} is no hotfix branch of {package}",
                hint=f"its hotfix branches are named {prefix}{package}-X.Y.Z{suffix}",
            )
        middle = middle[len(package) + 1 :]
    version = parse_version(middle, where=branch)
    fixes = previous_release_tag(workspace, version)
    if fixes is None:
        raise UsageError(f"no release before {version} to be fixed by {branch}")
    return version, fixes, None


def _main_ref(workspace: Workspace, git: Git) -> str:
    main = workspace.config.release_branch
    for ref in (main, f"origin/{main}"):
        if git.commit_of(ref) is not None:
            return ref
    raise UsageError(f"there is no {main} branch here", hint=f"git fetch origin {main}")


def changelogs(workspace: Workspace, git: Git) -> tuple[str, ...]:
    """The changelog file names the project may keep, as paths from the repository's top
    (a package of several keeps its own in its directory)."""
    where = workspace.root.resolve().relative_to(git.root.resolve()).as_posix()
    return tuple(name if where == "." else f"{where}/{name}" for name in CHANGELOGS)


def on_main(
    git: Git,
    main: str,
    branch: str,
    fixes: str,
    bump_commit: str | None,
    *,
    notes: tuple[str, ...] = CHANGELOGS,
) -> Finding:
    """Every fix commit of the branch is on main: merged, or picked (same patch id, or a
    `cherry picked from commit` line naming it in either direction). The version bump and
    commits that only touch the changelog (`notes`) are not fixes."""
    picked_into_main = {
        sha for _, message in git.log_messages(f"{fixes}..{main}") for sha in _picked(message)
    }
    missing, seen = [], 0
    for equivalent, sha in git.cherry(main, branch, fixes):
        message = git.message(sha)
        if sha == bump_commit or message.startswith("Bump version to "):
            continue
        if set(git.changed_paths(sha)) <= set(notes):
            continue  # the patch's own notes belong to the hotfix line
        seen += 1
        if equivalent or git.is_ancestor(sha, main):
            continue
        if any(sha.startswith(p) for p in picked_into_main):
            continue
        if any(git.commit_of(p) and git.is_ancestor(p, main) for p in _picked(message)):
            continue
        missing.append(sha)
    if not seen:
        return Finding(
            "fix on main", ok=False, detail=f"{branch} has no fix commits since {fixes} yet"
        )
    if missing:
        shown = ", ".join(f"{s[:12]} {git.message(s).split(chr(10))[0]!r}" for s in missing[:3])
        return Finding("fix on main", ok=False, detail=f"not on {main} yet: {shown}")
    return Finding(
        "fix on main",
        ok=True,
        detail=f"all {plural(seen, 'fix commit is', 'fix commits are')} on {main}",
    )


def _picked(message: str) -> list[str]:
    return _CHERRY_PICKED.findall(message)


def mentions(text: str, tag: str, version: str) -> bool:
    """Whether notes name the fixed release (its tag or version), outside tagship's footers."""
    wanted = "|".join(re.escape(x) for x in {tag, version})
    pattern = re.compile(rf"(?<![\w.])(?:{wanted})(?![\w]|\.\d)")
    lines = (ln for ln in text.splitlines() if not ln.strip().startswith(_GENERATED))
    return any(pattern.search(ln) for ln in lines)


def changelog_section(text: str, version: str) -> str | None:
    """The Markdown section whose heading names `version`, up to the next heading as high."""
    lines = text.splitlines()
    pattern = re.compile(rf"(?<![\w.]){re.escape(version)}(?![\w]|\.\d)")
    for start, row in enumerate(lines):
        level = len(row) - len(row.lstrip("#"))
        if level and pattern.search(row):
            end = next(
                (
                    i
                    for i in range(start + 1, len(lines))
                    if 0 < len(lines[i]) - len(lines[i].lstrip("#")) <= level
                ),
                len(lines),
            )
            return "\n".join(lines[start + 1 : end])
    return None


def find_notes(
    git: Git,
    branch: str,
    tag: str,
    version: str,
    github: HostClient | None,
    *,
    notes: tuple[str, ...] = CHANGELOGS,
) -> tuple[str, str] | None:
    """(where, text) of the patch release's notes, or None when there are none yet."""
    if github is not None:
        for release in github.releases():
            if release.tag_name == tag:
                return f"the release {tag} of {github.full_name}", release.body
    for record in git.tag_records():
        if record.name == tag and record.message:
            return f"the message of tag {tag}", record.message
    for name in notes:
        text = git.read_blob(f"{branch}:{name}")
        find = rst_section if name.endswith(".rst") else changelog_section
        section = None if text is None else find(text, version)
        if section is not None:
            return f"the {version} section of {name}", section
    return None


def finish_hotfix(
    workspace: Workspace,
    *,
    branch: str | None = None,
    notes: str | None = None,
    github: HostClient | None = None,
) -> HotfixFinish:
    """Check the hotfix on `branch` (default: the current one); record it when all is well."""
    git = workspace.require_git()
    branch = branch or git.require_branch()
    if git.commit_of(branch) is None:
        raise UsageError(f"there is no branch {branch}", hint="git fetch, or fix --branch")
    version, fixes, bump_commit = _identify(workspace, git, branch)
    tag = tag_for(version, workspace.config.tag_format)
    main = _main_ref(workspace, git)
    files = changelogs(workspace, git)
    findings = [on_main(git, main, branch, fixes, bump_commit, notes=files)]
    fixed_version = str(version_from_tag(fixes, workspace.config.tag_format))
    found = ("the given notes", notes) if notes is not None else None
    found = found or find_notes(git, branch, tag, str(version), github, notes=files)
    if found is None:
        findings.append(
            Finding(
                "notes name the fixed release",
                ok=False,
                detail=f"no release notes for {tag} yet (the release on the host, tag message or a "
                f"{version} section in {files[0]})",
            )
        )
    else:
        where, text = found
        ok = mentions(text, fixes, fixed_version)
        detail = f"{where} {'mention' if ok else 'do not mention'} {fixes}"
        findings.append(Finding("notes name the fixed release", ok, detail))
    record = None
    if all(f.ok for f in findings):
        event = Event(
            kind=EVENT,
            project=workspace.name,
            version=str(version),
            tag=tag,
            commit=git.commit_of(branch),
            details={"action": "finish", "fixes": fixes, "branch": branch, "main": main},
        )
        record = append_event(git, event, workspace.env)
    return HotfixFinish(branch, str(version), tag, fixes, tuple(findings), record)
