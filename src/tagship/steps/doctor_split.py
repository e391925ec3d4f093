"""What of doctor's findings stands in the release's way, and what is advice.

Release-critical: anything about tagship's own files (those `init` generated, the workflows
the trusted publishers name, any that runs tagship, and the local reusable workflows they
call), the settings the
release needs (GitHub's, and anything not under .github/workflows), a second armed publisher,
a publish workflow that is missing, and a workflow that does not parse (it might hold a
publisher). Everything else is about the project's other workflows: advice.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.ci.github import workflow_model as wm
from tagship.ci.github.policy import WORKFLOWS_DIR

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Sequence

    from tagship.ci.github.policy import Finding

RELEASE_RULES = frozenset({"second-publisher", "publish-workflow-missing", "workflow-syntax"})
_RUNS_TAGSHIP = re.compile(r"\btagship\s+[a-z]")


@dataclass(frozen=True)
class FileAdvice:
    """How many advisory findings one workflow file has, by rule (most frequent first)."""

    path: str
    count: int
    rules: tuple[tuple[str, int], ...]


def release_paths(
    workflows: Sequence[wm.Workflow], tagship_files: Collection[str]
) -> frozenset[str]:
    """The workflow files the release runs: tagship's, and the local ones they call."""
    by_name = {w.file_name: w for w in workflows}
    names = {w.file_name for w in workflows if w.generated or _runs_tagship(w)}
    names |= set(tagship_files)
    pending = list(names)
    while pending:
        workflow = by_name.get(pending.pop())
        for job in workflow.jobs().values() if workflow is not None else ():
            uses = str(job.get("uses", ""))
            called = uses.split("@", 1)[0].rsplit("/", 1)[-1] if uses.startswith("./") else ""
            if called and called not in names:
                names.add(called)
                pending.append(called)
    return frozenset(f"{WORKFLOWS_DIR}/{name}" for name in names)


def _runs_tagship(workflow: wm.Workflow) -> bool:
    return any(
        _RUNS_TAGSHIP.search(str(step.get("run", "")))
        for job in workflow.jobs().values()
        for step in wm.steps(job)
    )


def is_release_critical(finding: Finding, release: Collection[str]) -> bool:
    return (
        finding.rule in RELEASE_RULES
        or finding.path in release
        or not finding.path.startswith(f"{WORKFLOWS_DIR}/")
    )


def split(
    findings: Iterable[Finding], release: Collection[str]
) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """(release-critical, advice), each in the order given."""
    found = list(findings)
    critical = tuple(f for f in found if is_release_critical(f, release))
    return critical, tuple(f for f in found if not is_release_critical(f, release))


def per_file(advice: Iterable[Finding]) -> tuple[FileAdvice, ...]:
    """Advice summarised: each file's count and its rules' counts, files in path order."""
    by_path: dict[str, Counter[str]] = {}
    for finding in advice:
        by_path.setdefault(finding.path, Counter())[finding.rule] += 1
    return tuple(
        FileAdvice(path, sum(rules.values()), tuple(rules.most_common()))
        for path, rules in sorted(by_path.items())
    )
