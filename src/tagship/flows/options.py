"""What the dry run and the release are told by their caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.steps.gates.gates import ChecksMode
    from tagship.steps.verify.verify_install import Installer


@dataclass(frozen=True)
class FlowOptions:
    """What the dry run and the release share."""

    out_dir: Path
    index: str
    checks: ChecksMode = "auto"
    installer: Installer = "auto"
    wait_timeout: float = 600.0
