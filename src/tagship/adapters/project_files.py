"""Reading the project's own files: pyproject.toml and the file its version lives in.

Core parses what these return and never opens a file itself; each read turns the ways a
file can be missing or unreadable into a ConfigError naming it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tagship.core.errors import ConfigError
from tagship.core.pyproject import parse_toml

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


def read_pyproject(path: Path) -> str:
    """The text of a project's pyproject.toml."""
    try:
        return path.read_text(encoding="utf-8")
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
        with path.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except OSError as exc:
        raise ConfigError(f"cannot read the version file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(
            f"the version file {path} is not valid UTF-8", hint="save it as UTF-8"
        ) from None
