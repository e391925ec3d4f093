"""The test cibuildwheel runs on each wheel it builds, read from `[tool.cibuildwheel]` as
cibuildwheel reads it: `test-command` (a list joined with ` && `), `test-requires`,
`test-extras`, `test-groups` (PEP 735 dependency groups), `test-sources`, `before-test` and
`test-skip` (build selectors, braces expanded), each overridden by the table of the platform
(`[tool.cibuildwheel.linux]`, `.macos`, `.windows`). `[[tool.cibuildwheel.overrides]]` (per
build identifier) and the `CIBW_*` variables of a CI workflow are not read."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from tagship.core.errors import ConfigError
from tagship.core.names import normalized_name

if TYPE_CHECKING:
    from collections.abc import Mapping

_LISTS = ("test-requires", "test-groups", "test-sources", "test-skip")  # space-separated as strings


@dataclass(frozen=True)
class CibuildwheelTest:
    command: str
    requires: tuple[str, ...] = ()
    extras: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    before: str | None = None
    # build selectors whose builds cibuildwheel does not test (`test-skip`)
    skip: tuple[str, ...] = ()

    def skips(self, identifier: str) -> bool:
        """Whether cibuildwheel skips the test of the build `identifier` (`cp311-win_amd64`)."""
        return any(fnmatchcase(identifier, p) for s in self.skip for p in _expanded(s))


def _expanded(selector: str) -> list[str]:
    """`cp3{9,10}-*` -> `cp39-*`, `cp310-*`: the shell's braces, as cibuildwheel expands them."""
    found = re.search(r"\{([^{}]*)\}", selector)
    if found is None:
        return [selector]
    head, tail = selector[: found.start()], selector[found.end() :]
    return [e for alt in found[1].split(",") for e in _expanded(head + alt + tail)]


def fill(command: str, **values: str) -> str:
    """`{project}`, `{package}`, `{wheel}` replaced as cibuildwheel does: other braces stay,
    and `#{project}` is the literal `{project}`."""
    for key, value in values.items():
        command = re.sub(rf"(?<!#){{{key}}}", value.replace("\\", r"\\"), command)
        command = command.replace(f"#{{{key}}}", f"{{{key}}}")
    return command


def _joined(value: Any, key: str, sep: str) -> str:
    """A string, or a list of strings joined with `sep` (cibuildwheel's list format)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return sep.join(value)
    raise ConfigError(f"`tool.cibuildwheel.{key}` must be a string or a list of strings")


def _group(groups: Mapping[str, Any], name: str, seen: tuple[str, ...] = ()) -> list[str]:
    """The requirements of a PEP 735 dependency group, included groups expanded."""
    found = {normalized_name(k): v for k, v in groups.items()}
    key = normalized_name(name)
    if key in seen or not isinstance(found.get(key), list):
        why = "includes itself" if key in seen else "is not in [dependency-groups]"
        raise ConfigError(f"the dependency group {name!r} of tool.cibuildwheel.test-groups {why}")
    requirements: list[str] = []
    for item in found[key]:
        if isinstance(item, str):
            requirements.append(item)
        elif isinstance(item, dict) and isinstance(item.get("include-group"), str):
            requirements += _group(groups, item["include-group"], (*seen, key))
        else:
            raise ConfigError(f"the dependency group {name!r} holds {item!r}")
    return requirements


def cibuildwheel_test(pyproject: Mapping[str, Any], platform: str) -> CibuildwheelTest | None:
    """The test of `[tool.cibuildwheel]` on `platform` (linux, macos or windows), if any."""
    tool = pyproject.get("tool", {})
    table = tool.get("cibuildwheel") if isinstance(tool, dict) else None
    if not isinstance(table, dict):
        return None
    own = table.get(platform)
    merged = {**table, **(own if isinstance(own, dict) else {})}
    command = _joined(merged.get("test-command", ""), "test-command", " && ").strip()
    if not command:
        return None
    values = {k: _joined(merged.get(k, ""), k, " ") for k in _LISTS}
    groups = pyproject.get("dependency-groups", {})
    requires = shlex.split(values["test-requires"])
    for name in values["test-groups"].split():
        requires += _group(groups if isinstance(groups, dict) else {}, name)
    extras = _joined(merged.get("test-extras", ""), "test-extras", ",")
    before = _joined(merged.get("before-test", ""), "before-test", " && ").strip()
    return CibuildwheelTest(
        command,
        tuple(requires),
        tuple(e.strip() for e in extras.split(",") if e.strip()),
        tuple(shlex.split(values["test-sources"])),
        before or None,
        tuple(values["test-skip"].split()),
    )
