"""`[tool.tagship.verify-install]`: what the clean-install check imports and runs.

    import = "top-level"           # default; "all": every module; "none": no import
    exclude = ["pkg.templates.*"]  # glob patterns on dotted module names
    smoke = "python -m pkg --selftest"  # or false: no smoke test, not even cibuildwheel's

Without `smoke`, the project's `[tool.cibuildwheel] test-command` is the smoke test.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from tagship.core.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Callable

ImportMode = Literal["top-level", "all", "none"]
IMPORT_MODES: tuple[ImportMode, ...] = ("top-level", "all", "none")
TABLE = "verify-install"
KEYS = ("import", "exclude", "smoke")


@dataclass(frozen=True)
class InstallSettings:
    """How verify-install proves the release works once installed."""

    imports: ImportMode = "top-level"
    exclude: tuple[str, ...] = ()
    # the smoke test's command; None: [tool.cibuildwheel] test-command, when there is one
    smoke: str | None = None
    # `smoke = false`: no smoke test at all
    smoke_enabled: bool = True

    def shown(self, key: str) -> str:
        """The value of `key` as `tagship config` shows it."""
        if key == "import":
            return self.imports
        if key == "exclude":
            return ", ".join(self.exclude)
        if not self.smoke_enabled:
            return "false"
        return self.smoke or "(none: [tool.cibuildwheel] test-command, if any)"


def _mode(value: Any) -> ImportMode | None:
    return next((m for m in IMPORT_MODES if m == value), None)


def apply_install_settings(
    base: InstallSettings,
    raw: Any,
    where: str,
    unknown: Callable[[str, list[str]], ConfigError],
) -> tuple[InstallSettings, list[str]]:
    """`base` with the keys of the `[tool.tagship.verify-install]` table `raw` (written
    `where`), and the keys it set."""
    prefix = f"tool.tagship.{TABLE}"
    if not isinstance(raw, dict):
        raise ConfigError(f"`{prefix}` {where} must be a table")
    settings = base
    for key, value in raw.items():
        if key == "import":
            mode = _mode(value)
            if mode is None:
                choices = " or ".join(f'"{m}"' for m in IMPORT_MODES)
                raise ConfigError(f"`{prefix}.import` {where} must be {choices}, got {value!r}")
            settings = replace(settings, imports=mode)
        elif key == "exclude":
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise ConfigError(
                    f"`{prefix}.exclude` {where} must be a list of module patterns",
                    hint='e.g. exclude = ["pkg.templates.*", "pkg.tests"]',
                )
            settings = replace(settings, exclude=tuple(value))
        elif key == "smoke":
            if value is False:
                settings = replace(settings, smoke=None, smoke_enabled=False)
            elif isinstance(value, str) and value.strip():
                settings = replace(settings, smoke=value, smoke_enabled=True)
            else:
                raise ConfigError(
                    f"`{prefix}.smoke` {where} must be a command or false, got {value!r}"
                )
        else:
            raise unknown(f"{prefix}.{key}", list(KEYS))
    return settings, [f"{TABLE}.{key}" for key in raw]


def check_one_smoke(settings: InstallSettings, smoke_command: str | None) -> None:
    """`smoke-command` is the older name of `verify-install.smoke`: one of them, not both."""
    if smoke_command is not None and (settings.smoke is not None or not settings.smoke_enabled):
        raise ConfigError(
            "both `smoke-command` and `verify-install.smoke` are set",
            hint="keep [tool.tagship.verify-install] smoke (smoke-command is its older name)",
        )
