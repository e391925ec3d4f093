"""Optional dependencies: imported only by the command that needs them, named when missing."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from tagship.core.errors import ConfigError

if TYPE_CHECKING:
    from types import ModuleType

Importer = Callable[[str], "ModuleType"]


def import_extra(
    module: str,
    *,
    extra: str,
    package: str,
    command: str,
    importer: Importer = importlib.import_module,
) -> ModuleType:
    """`module`, or a ConfigError naming the extra that installs it."""
    try:
        return importer(module)
    except ImportError:
        raise ConfigError(
            f"tagship {command} needs {package}, which is not installed",
            hint=f"pip install 'tagship[{extra}]'",
        ) from None
