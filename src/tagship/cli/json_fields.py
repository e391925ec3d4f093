"""The fields of each command's `--format json` document where the library's result is not
itself the report (docs/json.md lists them): a ledger record shown by its number, a file by
its path, a rewrite by what it touched (not its whole text)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.ci.github.workflows.workflows import InitPlan
    from tagship.core.ledger import Record
    from tagship.core.manifest import Manifest
    from tagship.steps.rollback.hotfix import HotfixStarted
    from tagship.steps.rollback.hotfix_finish import HotfixFinish
    from tagship.steps.versions.bump import BumpResult

Fields = dict[str, Any]


def seq(record: Record | None) -> int | None:
    """A ledger record, by its number (`tagship ledger show` has the rest)."""
    return None if record is None else record.seq


def built(directory: Path, manifest: Manifest, **more: object) -> Fields:
    """build, manifest merge, promote: where the files are and their manifest."""
    return {"directory": directory, "manifest": manifest, **more}


def bumped(result: BumpResult) -> Fields:
    changelog = result.changelog
    return {
        "old": result.old,
        "new": result.new,
        "where": result.where,
        "written": result.written,
        "commit": result.commit,
        "edits": [{"path": e.path, "what": e.what, "old": e.old} for e in result.edits],
        "notes": list(result.notes),
        "copies": [asdict(c) for c in result.copies],
        "changelog": None
        if changelog is None
        else {"path": changelog.path, "action": changelog.action},
    }


def hotfix_started(started: HotfixStarted) -> Fields:
    return {
        "fixes": started.fixes,
        "branch": started.branch,
        "version": started.version,
        "tag": started.tag,
        "bump_commit": started.bump_commit,
        "newer": started.newer,
        "ledger_seq": seq(started.record),
    }


def hotfix_finished(result: HotfixFinish) -> Fields:
    return {
        "branch": result.branch,
        "version": result.version,
        "tag": result.tag,
        "fixes": result.fixes,
        "findings": [asdict(f) for f in result.findings],
        "ledger_seq": seq(result.record),
    }


def init_plan(plan: InitPlan, changed: list[str] | None, drifted: list[str] | None) -> Fields:
    """init: each file and whether it was written (None: --check), what drifted (--check),
    and the outside setup to do by hand."""
    return {
        "files": [
            {"path": f.path, "written": None if changed is None else f.path in changed}
            for f in plan.files
        ],
        "drifted": drifted,
        "notes": list(plan.notes),
        "checks": [asdict(c) for c in plan.checks],
        "publishers": [asdict(p) for p in plan.publishers],
        "environments": [asdict(e) for e in plan.environments],
    }
