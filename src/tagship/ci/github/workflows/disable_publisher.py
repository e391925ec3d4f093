"""Switch an old publisher off in place: a commented `if:` that never holds, every other byte
as it was.

The job gets `if: github.event_name == 'disabled-by-tagship-init'` (no event has that name;
actionlint refuses a constant `false`): a skipped job asks no environment's reviewers and
mints no token. When other jobs need it, its upload steps get it instead, so those run. An
`if:` already there is kept, commented out, below. The text is edited, never re-dumped, and
the result is parsed again: it must differ from the original only by that `if:`.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

from tagship.adapters.files import write_atomic
from tagship.ci.github.old_publishers import OldPublisher, old_publishers
from tagship.ci.github.workflow_model import OFF, WorkflowSyntaxError, parse_workflow
from tagship.core.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

MARK = "# disabled by tagship init"
NOTE_FILE = ".github/tagship-disabled-publishers.md"
_LINE = re.compile(r"[^\n]*\n|[^\n]+$")
Edit = tuple[int, int, str]  # replace text[start:end] with the string


@dataclass(frozen=True)
class Disabled:
    """An old publisher switched off: the file's new text, and where the `if:` went."""

    publisher: OldPublisher
    text: str
    targets: tuple[str, ...]  # "job publish", "step 4 of job release"


class _CannotEditError(Exception):
    """Why a file cannot be edited safely in place."""


def disable(text: str, publisher: OldPublisher, ours: Sequence[str]) -> Disabled:
    """`text` (the file `publisher.path`) with the publisher switched off."""
    try:
        return _disable(text, publisher, ours)
    except _CannotEditError as exc:
        raise ConfigError(
            f"cannot switch off job {publisher.job} of {publisher.path} in place: {exc}",
            hint=f"add `if: {OFF}` to job {publisher.job} by hand, then run `tagship init` again",
        ) from None


def _disable(text: str, publisher: OldPublisher, ours: Sequence[str]) -> Disabled:
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    job = _child(_child(root, "jobs"), publisher.job)
    racing = [u.step for u in publisher.uploads if u.races]
    on_steps = bool(publisher.needed_by) and None not in racing
    nl = "\r\n" if "\r\n" in text else "\n"
    note = f"{' and '.join(ours)} publishes now; two uploads would race"
    edits: list[Edit] = []
    routes: list[tuple[Any, ...]] = []
    targets: list[str] = []
    if on_steps:
        steps = _child(job, "steps")
        for index in sorted({s for s in racing if s is not None}):
            edits.extend(_edit_if(text, _item(steps, index), note, nl))
            routes.append(("jobs", publisher.job, "steps", index))
            targets.append(f"step {index + 1} of job {publisher.job}")
    else:
        edits.extend(_edit_if(text, job, note, nl))
        routes.append(("jobs", publisher.job))
        targets.append(f"job {publisher.job}")
    changed = text
    for start, end, replacement in sorted(edits, reverse=True):
        changed = changed[:start] + replacement + changed[end:]
    _check(text, changed, publisher, routes)
    return Disabled(publisher, changed, tuple(targets))


def _edit_if(text: str, node: yaml.Node, note: str, nl: str) -> list[Edit]:
    """The edits that give a block mapping the `if:` that never holds, keeping an existing
    `if:` commented out."""
    if not isinstance(node, yaml.MappingNode) or node.flow_style or not node.value:
        raise _CannotEditError("it is not written as a block mapping")
    existing = next(((k, v) for k, v in node.value if k.value == "if"), None)
    first = node.value[0][0]
    if existing is None:
        start = _line_start(text, first.start_mark.index)
        prefix = text[start : first.start_mark.index]
        if not prefix.strip():
            return [(start, start, f"{prefix}{MARK}: {note}{nl}{prefix}if: {OFF}{nl}")]
        if prefix.strip() == "-":  # a step whose first key shares the line of its dash
            at = first.start_mark.index
            return [(at, at, f"if: {OFF}  {MARK}: {note}{nl}{' ' * len(prefix)}")]
        raise _CannotEditError("its first key does not start a line")
    key, value = existing
    start = _line_start(text, key.start_mark.index)
    prefix = text[start : key.start_mark.index]
    end = value.end_mark.index
    while end > key.start_mark.index and text[end - 1] in " \t\r\n":
        end -= 1  # a block scalar's end takes the blank lines after it
    stop = text.find("\n", end)
    stop = len(text) if stop == -1 else stop + 1
    if prefix.strip() == "-":
        if "\n" in text[key.start_mark.index : end]:
            raise _CannotEditError("its `if:` spans several lines on the line of a `-`")
        old = text[key.start_mark.index : end]
        return [(key.start_mark.index, end, f"if: {OFF}  {MARK}: {note}; it was `{old}`")]
    if prefix.strip():
        raise _CannotEditError("its `if:` does not start a line")
    commented = "".join(
        _comment_out(line, len(prefix), nl) for line in _LINE.findall(text[start:stop])
    )
    kept = f"{prefix}{MARK}: {note} (old condition below){nl}{prefix}if: {OFF}{nl}"
    return [(start, stop, kept + commented)]


def _comment_out(line: str, column: int, nl: str) -> str:
    body = line.rstrip("\r\n")
    eol = line[len(body) :] or nl
    return f"{' ' * column}# {body[column:]}{eol}" if body.strip() else f"{' ' * column}#{eol}"


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _child(node: yaml.Node | None, key: str) -> yaml.Node:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key and isinstance(value_node, yaml.Node):
                return value_node
    raise _CannotEditError(f"no `{key}:` mapping was found where expected")


def _item(node: yaml.Node, index: int) -> yaml.Node:
    items = node.value if isinstance(node, yaml.SequenceNode) else []
    item = items[index] if index < len(items) else None
    if isinstance(item, yaml.Node):
        return item
    raise _CannotEditError("its steps are not a list")


def _check(
    before: str, after: str, publisher: OldPublisher, routes: Sequence[tuple[Any, ...]]
) -> None:
    """The edited file parses, differs only by the `if:`s, and the job is off."""
    try:
        old, new = parse_workflow(publisher.path, before), parse_workflow(publisher.path, after)
    except WorkflowSyntaxError:
        raise _CannotEditError("the edited file would not parse") from None
    expected = copy.deepcopy(dict(old.data))
    for route in routes:
        target: Any = expected
        for part in route:
            target = target[part]
        target["if"] = OFF
    again = [p for p in old_publishers([new], {}) if p.job == publisher.job]
    if new.data != expected or not again or not again[0].disabled:
        raise _CannotEditError("the edit would change more than its `if:`")


def write(root: Path, texts: Mapping[str, str]) -> None:
    """Write the edited files (path -> text), byte for byte as edited."""
    for path, text in texts.items():
        write_atomic(root / path, text.encode("utf-8", "surrogateescape"))


def note_text(disabled: Sequence[OldPublisher]) -> str:
    """The note `init` leaves beside the workflows: which uploads are off, and how to undo."""
    rows = "".join(
        f"| {p.path} | {p.job} | {', '.join(u.describe() for u in p.uploads)} "
        f"| {'; '.join(p.triggers) or '-'} |\n"
        for p in disabled
    )
    return (
        "# Publishers switched off by `tagship init`\n\n"
        "tagship publishes this project from its own workflows.\n"
        "`tagship init --disable-old-publishers` switched off these uploads of the project's "
        "own workflows in place,\n"
        f"each with a `{MARK}` comment and `if: {OFF}`,\n"
        "so that one release does not start two uploads that race:\n\n"
        "| file | job | upload | on |\n|---|---|---|---|\n"
        f"{rows}\n"
        "To switch one on again, delete that comment and the `if:` line below it, and "
        "uncomment the old `if:` if one is kept there.\n"
        "`tagship doctor` then reports it as a second publisher.\n"
    )
