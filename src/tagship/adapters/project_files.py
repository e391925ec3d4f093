"""Reading the project's own files: pyproject.toml, the file its version lives in, and the
other text files read whole (readme, workflows, changelog), each a regular file of bounded
size: a FIFO, a device or a directory in their place is refused, never read.

Core parses what these return and never opens a file itself; each read turns the ways a
file can be missing or unreadable into a ConfigError naming it.
"""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING, Any

from tagship.core.errors import ConfigError
from tagship.core.pyproject import parse_toml

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

MAX_PROJECT_FILE = 16 << 20  # a pyproject.toml, version file or changelog: KiB, not MiB
# O_NONBLOCK: a FIFO opens without waiting for a writer, and is refused once open
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_regular(path: Path) -> bytes:
    """The bytes of `path`, a regular file (or a symlink to one) of at most MAX_PROJECT_FILE
    bytes: ConfigError for anything else, which would block (a FIFO), never end
    (/dev/zero) or fill memory; OSError (FileNotFoundError...) when it cannot be opened."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "no regular file")
            raise ConfigError(
                f"{path} is not a regular file ({kind})", hint="put the file itself in its place"
            )
        chunks, size = [], 0
        while size <= MAX_PROJECT_FILE and (chunk := os.read(fd, 1 << 20)):
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > MAX_PROJECT_FILE:
        raise ConfigError(
            f"{path} is larger than {MAX_PROJECT_FILE >> 20} MiB",
            hint="a project file that large is no project file: check what it is",
        )
    return b"".join(chunks)


def read_text(path: Path) -> str:
    """The UTF-8 text of `path` (read_regular) as a text-mode read gives it: newlines `\\n`."""
    text = read_regular(path).decode("utf-8")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_pyproject(path: Path) -> str:
    """The text of a project's pyproject.toml."""
    try:
        return read_text(path)
    except FileNotFoundError:
        raise ConfigError(
            f"no pyproject.toml at {path}",
            hint="run tagship in the project's root directory, or pass --project DIR",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None


def load_pyproject(path: Path, read: Callable[[Path], str] = read_pyproject) -> dict[str, Any]:
    """A project's pyproject.toml, read with `read` and parsed."""
    return parse_toml(read(path), path)


def read_exact(path: Path) -> str:
    """A version file's text with its line endings as they are (CRLF stays CRLF), so a
    rewrite changes the version and nothing else."""
    try:
        return read_regular(path).decode("utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the version file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(
            f"the version file {path} is not valid UTF-8", hint="save it as UTF-8"
        ) from None
