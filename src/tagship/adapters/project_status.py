"""PEP 792 project status markers as the JSON simple API (PEP 691) states them.

`"project-status": {"status": "quarantined", "reason": "..."}` on a project's page
(warehouse's `_simple_detail` in `warehouse/packaging/utils.py` writes `status`; the spec at
packaging.python.org/en/latest/specifications/project-status-markers/ adds an optional
`reason`). No marker means `active`; the HTML API (frozen by PEP 833) is not read for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tagship.core.printable import printable

ACTIVE = "active"


@dataclass(frozen=True)
class ProjectStatus:
    status: str  # active, archived, quarantined, deprecated (or a marker added later)
    reason: str | None = None


def project_status(value: Any) -> ProjectStatus | None:
    """The page's marker, None when it states none (or not as the spec says)."""
    if not isinstance(value, dict) or not isinstance(value.get("status"), str):
        return None
    reason = value.get("reason")
    # the index's free text, shown on one line with nothing in it acting on a terminal
    shown = " ".join(reason.split())[:200] if isinstance(reason, str) and reason.strip() else None
    return ProjectStatus(printable(value["status"]), shown and printable(shown))
