"""-v: the library's log on stderr. tagship logs through `logging` (each process it starts;
httpx logs each HTTP request); nothing is shown unless asked."""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator


class _Stderr(logging.Handler):
    """Writes to the stderr of the moment (the masked one while a command runs: no
    credential shows), not the one there was when the handler was made."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:  # noqa: BLE001 - logging's own rule: a failing log never fails the run
            self.handleError(record)


@contextmanager
def debug_logging(verbosity: int) -> Iterator[None]:
    """-v shows tagship's debug log and each HTTP request; -vv every library's debug log
    too. Loggers are restored afterwards (tests run commands in one process)."""
    if verbosity <= 0:
        yield
        return
    handler = _Stderr()
    handler.setFormatter(logging.Formatter("tagship: debug: %(name)s: %(message)s"))
    wanted = (
        {"": logging.DEBUG} if verbosity > 1 else {"tagship": logging.DEBUG, "httpx": logging.INFO}
    )
    saved = {}
    for name, level in wanted.items():
        logger = logging.getLogger(name)
        saved[name] = logger.level
        logger.setLevel(level)
        logger.addHandler(handler)
    try:
        yield
    finally:
        for name, level in saved.items():
            logger = logging.getLogger(name)
            logger.setLevel(level)
            logger.removeHandler(handler)
