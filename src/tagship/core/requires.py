"""A wheel's Requires-Dist, split: what every install pulls in, and what only an extra adds
(which a plain install of the wheel leaves out)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

# `extra == "cli"` in any spacing or quoting (PEP 508 markers name extras only this way)
_EXTRA = re.compile(r"""\bextra\s*==\s*["']([^"']+)["']""")


@dataclass(frozen=True)
class Requires:
    """`unconditional`: requirements without an extra (platform markers may still skip one
    here or there); `in_extras`: those only an extra adds; `extras`: those extras' names."""

    unconditional: tuple[str, ...]
    in_extras: tuple[str, ...]
    extras: tuple[str, ...]

    def describe(self, installed: str) -> str:
        """`installed` (what was done with the unconditional ones), then what only extras
        add, said apart: a plain install leaves it out, so it is never counted as installed."""
        if not self.in_extras:
            return installed
        named = "extra" if len(self.extras) == 1 else "extras"
        apart = f"{len(self.in_extras)} only with the {named} {', '.join(self.extras)}"
        head = installed if self.unconditional else "none but in extras"
        return f"{head}; {apart} (not installed)"


def split_requires(lines: Iterable[str]) -> Requires:
    unconditional: list[str] = []
    in_extras: list[str] = []
    extras: dict[str, None] = {}  # ordered, once each
    for line in lines:
        marker = line.split(";", 1)[1] if ";" in line else ""
        named = _EXTRA.findall(marker)
        (in_extras if named else unconditional).append(line)
        extras.update(dict.fromkeys(named))
    return Requires(tuple(unconditional), tuple(in_extras), tuple(extras))
