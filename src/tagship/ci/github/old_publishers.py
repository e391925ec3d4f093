"""The project's own publishers: jobs of workflows tagship did not write that upload where
tagship publishes, the triggers that reach them, and whether an `if:` that never holds keeps
them off.

Beside tagship's publish workflows such a job makes one release start two uploads that race,
so `init` refuses to leave one armed and `doctor` counts one as release-critical.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tagship.ci.github import workflow_model as wm
from tagship.ci.github.policy import Finding
from tagship.ci.github.uploads import UNKNOWN, Upload, job_uploads

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

# what a job's `if:` may say about the events that reach it (read only without `||`)
_TAG_GUARD = re.compile(r"refs/tags|ref_type\s*(?:==|,)\s*['\"]tag['\"]")
_BRANCH_GUARD = re.compile(r"refs/heads/|ref_type\s*==\s*['\"]branch['\"]")
_EVENT_NAME = re.compile(r"event_name\s*==\s*['\"](\w+)['\"]")
_RELEASE_ACTION = re.compile(r"github\.event\.action\s*==")
_NEVER_ON_A_TAG = frozenset({"pull_request", "pull_request_target", "schedule", "merge_group"})
FIX = (
    "run `tagship init --disable-old-publishers` to switch it off in place (an `if:` that "
    "never holds, commented), or delete the job"
)


@dataclass(frozen=True)
class OldPublisher:
    """A job of the project's own that uploads: where, how, when, and whether it is off."""

    path: str
    job: str
    line: int
    uploads: tuple[Upload, ...]
    triggers: tuple[str, ...]  # the events that reach it, described; () when none does
    disabled: bool  # an `if:` that never holds on the job, or on each of its racing uploads
    needed_by: tuple[str, ...] = ()  # jobs that need it: skipping it would skip them

    @property
    def races(self) -> bool:
        """It uploads where tagship publishes (PyPI, TestPyPI, or an index chosen at run
        time); an upload only elsewhere (a private index) is no second publisher."""
        return any(u.races for u in self.uploads)

    @property
    def armed(self) -> bool:
        return self.races and not self.disabled and bool(self.triggers)

    def describe(self) -> str:
        """`file:line job J: tool -> index, on trigger; trigger` (no triggers for one that is
        off: its old condition, now a comment, no longer tells which events reached it)."""
        how = ", ".join(u.describe() for u in self.uploads)
        if self.disabled:
            return f"{self.path}:{self.line} job {self.job}: {how}"
        when = "; ".join(self.triggers) or "nothing (no trigger reaches it)"
        return f"{self.path}:{self.line} job {self.job}: {how}, on {when}"


def old_publishers(
    workflows: Sequence[wm.Workflow], tagship: Mapping[str, str]
) -> tuple[OldPublisher, ...]:
    """Every uploading job outside tagship's files (generated, or named by a trusted
    publisher: `tagship`, index -> workflow file name), in file and job order."""
    by_name = {w.file_name: w for w in workflows}
    found = []
    for workflow in workflows:
        if workflow.generated or workflow.file_name in tagship.values():
            continue
        jobs = workflow.jobs()
        for job_id, job in jobs.items():
            uploads = job_uploads(workflow, job)
            if not uploads:
                continue
            racing = [u for u in uploads if u.races]
            guard = " && ".join(_conditions(job, racing))
            found.append(
                OldPublisher(
                    workflow.path,
                    job_id,
                    workflow.line(("jobs", job_id)),
                    uploads,
                    _triggers(workflow, guard, by_name, frozenset({workflow.file_name})),
                    _disabled(job, racing),
                    tuple(other for other, j in jobs.items() if job_id in wm.needs(j)),
                )
            )
    return tuple(found)


def rivals(publisher: OldPublisher, tagship: Mapping[str, str]) -> tuple[str, ...]:
    """tagship's workflows that publish where `publisher` uploads (all when it cannot tell)."""
    indexes = {u.index for u in publisher.uploads if u.races}
    named = {tagship[i] for i in indexes if i in tagship}
    return tuple(sorted(named if named and UNKNOWN not in indexes else set(tagship.values())))


def findings(found: Sequence[OldPublisher], tagship: Mapping[str, str]) -> list[Finding]:
    """A `second-publisher` finding for each armed old publisher (none when tagship has no
    publish workflow to race)."""
    return [_finding(p, tagship) for p in found if p.armed and tagship]


def _finding(publisher: OldPublisher, tagship: Mapping[str, str]) -> Finding:
    uploads = ", ".join(u.describe() for u in publisher.uploads)
    return Finding(
        "second-publisher",
        publisher.path,
        publisher.line,
        f"job {publisher.job} uploads ({uploads}) on {'; '.join(publisher.triggers)}: beside "
        f"tagship's {' and '.join(rivals(publisher, tagship))}, one release starts two uploads "
        "that race",
        FIX,
    )


def _conditions(job: Mapping[str, Any], racing: Sequence[Upload]) -> list[str]:
    steps = wm.steps(job)
    found = [str(job.get("if", ""))]
    found += [str(steps[u.step].get("if", "")) for u in racing if u.step is not None]
    return [c for c in found if c.strip()]


def _disabled(job: Mapping[str, Any], racing: Sequence[Upload]) -> bool:
    if wm.is_off(job.get("if")):
        return True
    steps = wm.steps(job)
    return bool(racing) and all(
        u.step is not None and wm.is_off(steps[u.step].get("if")) for u in racing
    )


def _triggers(
    workflow: wm.Workflow, guard: str, by_name: Mapping[str, wm.Workflow], seen: frozenset[str]
) -> tuple[str, ...]:
    """The events that reach a job guarded by `guard`; a reusable workflow is reached through
    the jobs of the project's workflows that call it."""
    found: list[str] = []
    for event, filters in workflow.triggers().items():
        if event != "workflow_call":
            described = _describe(event, filters, guard)
            found.extend([described] if described else [])
            continue
        for caller in by_name.values():
            if caller.file_name in seen:
                continue
            for job_id, job in caller.jobs().items():
                if _calls(job, workflow.file_name):
                    outer = " && ".join(c for c in (guard, str(job.get("if", ""))) if c.strip())
                    through = _triggers(caller, outer, by_name, seen | {caller.file_name})
                    found.extend(f"{t} (through {caller.file_name} job {job_id})" for t in through)
    return tuple(found)


def _calls(job: Mapping[str, Any], file_name: str) -> bool:
    uses = str(job.get("uses", ""))
    return uses.startswith("./") and uses.split("@", 1)[0].rsplit("/", 1)[-1] == file_name


def _describe(event: str, filters: Mapping[str, Any], guard: str) -> str | None:
    """How `event` reaches the job, or None when the job's `if:` plainly rules it out."""
    plain = "||" not in guard
    tags = plain and bool(_TAG_GUARD.search(guard))
    branches = plain and not tags and bool(_BRANCH_GUARD.search(guard))
    named = set(_EVENT_NAME.findall(guard)) if plain else set()
    if (named and event not in named) or (tags and event in _NEVER_ON_A_TAG):
        return None
    if plain and _RELEASE_ACTION.search(guard) and event != "release":
        return None
    if event == "push":
        return _push(filters, tags=not branches, branches=not tags)
    if event == "release":
        types = _names(filters.get("types"))
        return f"release {'/'.join(types)}" if types else "release (any activity)"
    if event == "workflow_dispatch":
        return "workflow_dispatch (by hand)"
    return event


def _push(filters: Mapping[str, Any], *, tags: bool, branches: bool) -> str | None:
    """Which pushes start the workflow (GitHub: with only branches filtered no tag push does,
    with only tags no branch push does, with neither every push), those the guard allows."""
    filtered_tags = "tags" in filters or "tags-ignore" in filters
    filtered_branches = "branches" in filters or "branches-ignore" in filters
    if tags and branches and not filtered_tags and not filtered_branches:
        return "every push (tags too)"
    found = []
    if tags and (filtered_tags or not filtered_branches):
        found.append(
            _filter("push of tags", filters, "tags") if filtered_tags else "push of any tag"
        )
    if branches and (filtered_branches or not filtered_tags):
        found.append(
            _filter("push to branches", filters, "branches")
            if filtered_branches
            else "push to any branch"
        )
    return " or ".join(found) or None


def _filter(what: str, filters: Mapping[str, Any], key: str) -> str:
    named, ignored = _names(filters.get(key)), _names(filters.get(f"{key}-ignore"))
    return f"{what} {' '.join(named)}" if named else f"{what} but {' '.join(ignored)}"


def _names(raw: Any) -> list[str]:
    if isinstance(raw, str):
        return [raw]
    return [str(item) for item in raw] if isinstance(raw, list) else []
