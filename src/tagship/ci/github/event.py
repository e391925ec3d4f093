"""The payload of the GitHub Actions event a job handles (GITHUB_EVENT_PATH)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tagship.core.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Mapping


def read_event(env: Mapping[str, str]) -> dict[str, Any] | None:
    """The event payload; None outside GitHub Actions. An unreadable one is a UsageError."""
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return None
    try:
        event: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read the event payload {path}: {exc}") from None
    return event if isinstance(event, dict) else {}
