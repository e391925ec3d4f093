"""The table `init` prints: each required check, the command its job runs, and where that
command came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.core.infer_checks import shown_command

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from tagship.core.infer_checks import CheckPlan


@dataclass(frozen=True)
class CheckRow:
    check: str
    command: str
    source: str


def check_rows(plans: Sequence[CheckPlan], reused: Mapping[str, str]) -> tuple[CheckRow, ...]:
    rows = []
    for plan in plans:
        if plan.name in reused:
            where = f"job {plan.name} in {reused[plan.name]} (the project's own)"
            rows.append(CheckRow(plan.name, "(the project's own job)", where))
        else:
            rows.append(CheckRow(plan.name, shown_command(plan), plan.source))
    return tuple(rows)
