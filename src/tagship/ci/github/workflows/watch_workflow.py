"""The scheduled workflow that runs `tagship watch` (`tagship init --watch`): once a day, and
by hand, the recorded releases against the indexes and the GitHub Releases."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tagship.ci.github.workflows.workflow_files import is_generated
from tagship.ci.github.workflows.workflow_jobs import JOB_TOKEN, job, setup_steps
from tagship.core.yaml_text import Commented

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tagship.ci.github.workflows.workflow_jobs import Toolchain

WATCH_FILE = "tagship-watch.yml"
# a fixed minute off the hour: scheduled runs at :00 queue behind everyone else's
SCHEDULE = "23 5 * * *"


def wanted(path: str, existing: Mapping[str, str], *, asked: bool) -> bool:
    """Asked for (`--watch`), or written by tagship before: kept current from then on."""
    return asked or (path in existing and is_generated(existing[path]))


def watch_workflow(tools: Toolchain) -> dict[str, Any]:
    """One read-only job: the ledger (a git ref, fetched by tagship), the indexes' public
    pages, and the releases through the job's token; a drift fails the run, so GitHub
    notifies the maintainers."""
    permissions = {"contents": Commented("read", "the ledger's ref and the GitHub Releases")}
    watch = {
        "name": "Watch the recorded releases",
        "run": "tagship watch",
        "env": {"GITHUB_TOKEN": JOB_TOKEN},
    }
    return {
        "name": "Watch releases",
        "on": {"schedule": [{"cron": SCHEDULE}], "workflow_dispatch": {}},
        "permissions": {},
        "concurrency": {"group": "tagship-watch", "cancel-in-progress": False},
        "jobs": {"watch": job("watch", permissions, [*setup_steps(tools, history=False), watch])},
    }
