"""Where the page goes: written whole (temp file and rename), and only over a page that
`tagship report` wrote itself, never over a file of the project's."""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING

from tagship.adapters.files import write_atomic
from tagship.core.errors import UsageError
from tagship.steps.report.html_page import GENERATOR

if TYPE_CHECKING:
    from pathlib import Path

_HEAD = 4096  # the generator mark sits in the page's <head>, well inside this


def _ours(path: Path) -> bool:
    # opened without following a link or waiting on a FIFO's writer, and read only when
    # it is a regular file: a FIFO or a device at the path is no page of tagship's
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        return GENERATOR.encode() in handle.read(_HEAD)


def write_page(path: Path, page: str) -> None:
    """Write `page` to `path`; UsageError (exit 2) when `path` is taken by anything but a
    page of tagship's, or cannot be written, and then nothing is written."""
    move = "choose another --output, or move it away"
    if path.is_symlink() or path.is_dir():
        kind = "a symbolic link" if path.is_symlink() else "a directory"
        raise UsageError(f"{path} is {kind}, not a report page tagship wrote", hint=move)
    if not path.parent.is_dir():
        raise UsageError(f"directory {path.parent} does not exist", hint="create it first")
    try:
        if path.exists() and not _ours(path):
            raise UsageError(f"{path} exists and was not written by tagship report", hint=move)
        write_atomic(path, page)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}", hint=move) from None
