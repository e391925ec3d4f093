"""What a long step tells the person waiting for it, as values.

Library code never prints: a step that builds, uploads or waits is handed a `Progress`
callback and sends it these events; the CLI decides how to show them (a live line on a
terminal, occasional plain lines in CI logs and pipes, nothing with --quiet).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias


@dataclass(frozen=True)
class Phase:
    """A step began something that may take a while ("building charmos 1.0 with uv")."""

    text: str


@dataclass(frozen=True)
class Transfer:
    """`sent` of `total` bytes of file `name` are on their way (0 again when retried)."""

    name: str
    sent: int
    total: int


@dataclass(frozen=True)
class Waiting:
    """A wait is still pending after `elapsed` of `timeout` seconds; `what` says what."""

    what: str
    elapsed: float
    timeout: float
    polls: int


Event: TypeAlias = Phase | Transfer | Waiting
Progress: TypeAlias = Callable[[Event], None]


def ignore(_: Event) -> None:
    """The progress of a caller that shows none."""
