"""What verify-install's report says beyond its table: exactly what was imported and left
out (the ledger keeps it too), and, when a check failed, how to go on from there."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from tagship.core.errors import GateError

if TYPE_CHECKING:
    from tagship.steps.verify.verify_install import InstallReport

# where verify-install ran: a dry run's (or --record-dry-run), a release's, or on its own
Context = Literal["dry-run", "release", "step"]


def imported_lines(report: InstallReport) -> list[str]:
    """Every module imported and every one excluded, by name."""
    plan = report.plan
    if plan is None or not (plan.imported or plan.excluded):
        return []
    passed = any(c.name == "import" and c.ok for c in report.checks)
    what = "imported" if passed else "import tried"
    lines = [f"{what} ({plan.mode}, {len(plan.imported)}): {', '.join(plan.imported) or '-'}"]
    if plan.excluded:
        lines.append(f"excluded ({len(plan.excluded)}): {', '.join(plan.excluded)}")
    return lines


def install_details(report: InstallReport) -> dict[str, str]:
    """The ledger details of a verify-install record."""
    details = {"result": "ok" if report.ok else "failed"}
    if report.plan is not None:
        details["import"] = report.plan.mode
        details["imported"] = ", ".join(report.plan.imported)
        if report.plan.excluded:
            details["excluded"] = ", ".join(report.plan.excluded)
    return details


def install_failure(report: InstallReport, version: str, context: Context) -> GateError:
    """The first failed check as a closed gate, saying how to go on from `context`: in a dry
    run nothing was tagged and the files stay on the test index; a release's are released."""
    failed = next(c for c in report.checks if not c.ok)
    index = report.index
    message = f"verify-install failed at {failed.name}: {failed.detail}"
    if context == "release":
        hint = (
            f"{version} is on {index}: fix the package and release a new version "
            "(tagship rollback yank, if this one must not be installed)"
        )
        return GateError(message, hint=hint)
    if context == "step":
        hint = (
            f"fix the package and publish a new version; a changed [tool.tagship.verify-install] "
            f"can be tried on the files of {version} on {index} by rerunning this command "
            "(it uploads nothing)"
        )
        return GateError(message, hint=hint)
    return GateError(
        f"{message}; nothing was tagged or released (the ledger records this run) and the "
        f"files of {version} stay on {index}",
        hint="if the package is at fault, fix it and dry-run a new version; if the check is, "
        "try a changed [tool.tagship.verify-install] on those files, uploading nothing "
        f"(tagship --set verify-install.KEY=VALUE verify-install --index {index}), commit it "
        "and dry-run a new version (the sdist holds pyproject.toml); if neither is (the "
        "network, the dependency index), rerun this step alone, uploading nothing: "
        f"tagship verify-install --index {index} --record-dry-run",
    )
