"""The payload of the GitHub Actions event a job handles (GITHUB_EVENT_PATH)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from tagship.core.errors import UsageError

if TYPE_CHECKING:
    from tagship.core.ci_run import CIRun


def read_event(ci: CIRun) -> dict[str, Any] | None:
    """The event payload; None outside GitHub Actions. An unreadable one is a UsageError."""
    path = ci.event_path
    if path is None:
        return None
    try:
        event: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read the event payload {path}: {exc}") from None
    return event if isinstance(event, dict) else {}
