"""The effective configuration as rows for `tagship config`: value and source of each key."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tagship.core.config import (
    DEFAULT,
    ENVIRONMENT,
    GITHUB_KEYS,
    INDEX_KEYS,
    TOP_KEYS,
    credential_variables,
)
from tagship.core.infer_checks import shown_command
from tagship.core.install_config import KEYS as INSTALL_KEYS

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from tagship.core.config import Config
    from tagship.core.infer_checks import CheckPlan


def _shown(value: Any) -> str:
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    return "(none)" if value is None else str(value)


def describe(
    config: Config, env: Mapping[str, str], plans: Sequence[CheckPlan] = ()
) -> list[tuple[str, str, str]]:
    """(key, value, source) rows of the effective config, the required checks as `plans`
    has them (none given: no row for them); secrets are never shown."""
    rows: list[tuple[str, str, str]] = []
    for key, (attr, _) in TOP_KEYS.items():
        value = getattr(config, attr)
        rows.append((key, _shown(value), config.sources.get(key, DEFAULT)))
    for key, (attr, _) in GITHUB_KEYS.items():
        value = getattr(config, attr)
        rows.append(
            (f"github.{key}", value or "(unknown)", config.sources.get(f"github.{key}", DEFAULT))
        )
    # what each required check's job runs, as init writes it (inferred, skipped, or written)
    for plan in plans:
        source = config.sources.get(f"checks.{plan.name}", plan.source)
        rows.append((f"checks.{plan.name}", shown_command(plan), source))
    planned = {plan.name for plan in plans}
    for name, command in config.check_commands.items():
        written = config.sources.get(f"checks.{name}")
        if name not in planned and written is not None:  # set, though not required
            rows.append((f"checks.{name}", command, written))
    for key in INSTALL_KEYS:
        dotted = f"verify-install.{key}"
        rows.append((dotted, config.verify_install.shown(key), config.sources.get(dotted, DEFAULT)))
    for name, index in config.indexes.items():
        for key, (attr, _) in INDEX_KEYS.items():
            value = getattr(index, attr)
            shown = _shown(value)
            rows.append(
                (
                    f"indexes.{name}.{key}",
                    shown,
                    config.sources.get(f"indexes.{name}.{key}", DEFAULT),
                )
            )
        present = [v for v in credential_variables(name) if env.get(v)]
        rows.append(
            (
                f"indexes.{name}.credentials",
                "set (hidden)" if present else "not set",
                f"{ENVIRONMENT}: {', '.join(present)}" if present else ENVIRONMENT,
            )
        )
    return rows
