"""The one edit `init` makes to the project's `.gitlab-ci.yml`: an `include: - local:` entry
for tagship's pipeline file, and tagship's stages when the project lists its own.

The edit is a few inserted lines, so the project's comments, order and quoting stay; it is
idempotent, and refused (one line naming what to add by hand) when the file is not a YAML
mapping or its `include:`/`stages:` takes a form a line cannot extend. A top-level `stages:`
in `.gitlab-ci.yml` replaces an included file's (arrays are not merged across includes), so
when the project lists stages, tagship's are added to that list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from tagship.core.errors import ConfigError

PIPELINE_FILE = ".gitlab-ci.yml"
_TOP_KEY = re.compile(r"^([A-Za-z_.][\w.-]*|'[^']*'|\"[^\"]*\")\s*:(.*)$")
_ITEM = re.compile(r"^(\s*)-\s")


class _Loader(yaml.SafeLoader):
    """Reads GitLab's own tags (`!reference [...]`) as plain values: only structure matters."""


def _any_tag(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_Loader.add_multi_constructor("!", _any_tag)


def parse(text: str) -> dict[str, Any] | None:
    """The file's top-level mapping; None when it is not YAML or not a mapping."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError:
        return None
    if data is None:
        return {}
    return data if isinstance(data, dict) else None


def includes_local(data: dict[str, Any], path: str) -> bool:
    """Whether `include:` already names `path` (as a string or a `local:` entry)."""
    entries = data.get("include")
    entries = entries if isinstance(entries, list) else [entries]
    wanted = {path, f"/{path}"}
    for entry in entries:
        if isinstance(entry, str) and entry in wanted:
            return True
        if isinstance(entry, dict) and entry.get("local") in wanted:
            return True
    return False


@dataclass(frozen=True)
class Edited:
    """The new text of `.gitlab-ci.yml` and what was added (empty: nothing to do)."""

    text: str
    added: tuple[str, ...]


def _refuse(why: str, line: str) -> ConfigError:
    return ConfigError(
        f"{PIPELINE_FILE} {why}: init did not change it",
        hint=f"add `{line}` to {PIPELINE_FILE} yourself, then run `tagship init` again",
    )


def _block(lines: list[str], key: str) -> tuple[int, str] | None:
    """The line index of top-level `key:` and what follows the colon; None when absent."""
    for number, line in enumerate(lines):
        found = _TOP_KEY.match(line)
        if found and found.group(1).strip("'\"") == key:
            return number, found.group(2)
    return None


def _extend_list(lines: list[str], start: int, rest: str, items: list[str]) -> list[str] | None:
    """`lines` with `items` appended to the list whose key is on line `start` (a block list
    under it, or a flow list on one line); None when it is neither."""
    value = rest.split(" #", 1)[0].strip()
    if value.startswith("[") and value.endswith("]"):  # a flow list on the key's line
        line = lines[start]
        cut = line.find(" #") if " #" in line else len(line)
        close = line.rindex("]", 0, cut)  # the items go before it; a comment after stays
        kept = line[:close].rstrip()
        joined = ", ".join(items)
        edited = f"{kept}{joined if kept.endswith('[') else ', ' + joined}{line[close:]}"
        return [*lines[:start], edited, *lines[start + 1 :]]
    if value:
        return None
    last, indent = start, None
    for number in range(start + 1, len(lines)):
        line = lines[number]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = _ITEM.match(line)
        if item is None and not line[:1].isspace():
            break  # the next top-level key
        if item is not None and indent is None:
            indent = item.group(1)
        last = number
    if indent is None:
        return None  # a mapping under the key, or nothing
    added = [f"{indent}- {item}" for item in items]
    return [*lines[: last + 1], *added, *lines[last + 1 :]]


def with_include(text: str | None, path: str, stages: tuple[str, ...]) -> Edited:
    """`.gitlab-ci.yml` including `path` (created when `text` is None), with `stages` added
    to the project's own `stages:` list when it has one."""
    entry = f"local: {path}"
    if text is None:
        return Edited(f"include:\n  - {entry}\n", (f"include: - {entry}",))
    data = parse(text)
    if data is None:
        raise _refuse("is not a YAML mapping", f"include: [{{{entry}}}]")
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines()
    added: list[str] = []
    if not includes_local(data, path):
        found = _block(lines, "include")
        if found is None:
            lines = [*lines, "include:", f"  - {entry}"]
        else:
            extended = _extend_list(lines, *found, [entry])
            if extended is None:
                raise _refuse("has an include: that is not a list", f"- {entry}")
            lines = extended
        added.append(f"include: - {entry}")
    listed = data.get("stages")
    if listed is not None and not isinstance(listed, list):
        raise _refuse("has a stages: that is not a list", f"stages: [{', '.join(stages)}]")
    missing = [s for s in stages if listed is not None and s not in listed]
    if missing:
        found = _block(lines, "stages")
        extended = _extend_list(lines, *found, missing) if found else None
        if extended is None:
            raise _refuse("has a stages: that is not a list", f"stages: {', '.join(missing)}")
        lines = extended
        added.append(f"stages: {', '.join(missing)}")
    if not added:
        return Edited(text, ())
    edited = newline.join(lines) + newline
    _check(data, parse(edited), path, stages)
    return Edited(edited, tuple(added))


def _check(
    before: dict[str, Any], after: dict[str, Any] | None, path: str, stages: tuple[str, ...]
) -> None:
    """Fail closed: the edited file must say what it said, plus the include and the stages."""
    if after is None or not includes_local(after, path):
        raise _refuse("could not be edited safely", f"include: [{{local: {path}}}]")
    for key, value in before.items():
        if key in ("include", "stages"):
            continue
        if after.get(key) != value:
            raise _refuse("could not be edited safely", f"include: [{{local: {path}}}]")
    listed = after.get("stages")
    if isinstance(before.get("stages"), list) and (
        not isinstance(listed, list) or any(s not in listed for s in stages)
    ):
        raise _refuse("could not be edited safely", f"stages: {', '.join(stages)}")
