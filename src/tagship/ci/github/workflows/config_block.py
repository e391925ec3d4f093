"""The [tool.tagship] block `init` adds to pyproject.toml: every other byte is kept."""

from __future__ import annotations

from typing import TYPE_CHECKING

import tomlkit

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from tomlkit.items import Table

    from tagship.core.config import Config
    from tagship.core.infer_checks import CheckPlan


def with_config_block(
    text: str,
    config: Config,
    plans: Sequence[CheckPlan],
    *,
    pin_github: bool = False,
    workflows: Mapping[str, str] | None = None,
) -> str:
    """pyproject.toml with a [tool.tagship] block added when it has none; other bytes kept.

    The repository is written into a new block, or into an existing one when `pin_github`
    (--owner/--repo given): it is what the trusted publisher names, and what doctor compares.
    So is each publish workflow `init` had to write under another name (`workflows`: index ->
    file name): the trusted publisher registered for that index must name that file.
    """
    document = tomlkit.parse(text)
    tool = document.get("tool")
    has_block = tool is not None and "tagship" in tool
    known = config.github_owner is not None and config.github_repository is not None
    wants_github = known and (pin_github or not has_block)
    if has_block and not wants_github and not workflows:
        return text
    if tool is None:
        tool = tomlkit.table(is_super_table=True)
        document.append("tool", tool)
    if not has_block:
        tool["tagship"] = _new_block(config, plans)  # also on an out-of-order [tool] (tomlkit)
    if wants_github:
        github = tool["tagship"].setdefault("github", tomlkit.table())
        _set(github, "owner", config.github_owner)
        _set(github, "repository", config.github_repository)
    for index, workflow in (workflows or {}).items():
        indexes = tool["tagship"].setdefault("indexes", tomlkit.table(is_super_table=True))
        _set(indexes.setdefault(index, tomlkit.table()), "workflow", workflow)
    return _same_line_endings(text, document.as_string())


def with_keys(text: str, keys: Mapping[str, str]) -> str:
    """pyproject.toml with `keys` set in its [tool.tagship] (added when there is none): what
    `init` inferred or was told, so later commands and the workflows agree. Other bytes kept."""
    if not keys:
        return text
    document = tomlkit.parse(text)
    tool = document.get("tool")
    if tool is None:
        tool = tomlkit.table(is_super_table=True)
        document.append("tool", tool)
    if "tagship" not in tool:
        block = tomlkit.table()
        for key, value in keys.items():
            block.add(key, value)
        block.add(tomlkit.nl())  # a blank line before a table that may follow it
        tool["tagship"] = block
        updated = document.as_string()
        # at the end of the file, no blank line more than it had
        ending = len(text) - len(text.rstrip("\n"))
        return _same_line_endings(text, updated.rstrip("\n") + "\n" * max(ending, 1))
    for key, value in keys.items():
        _set(tool["tagship"], key, value)
    return _same_line_endings(text, document.as_string())


def _new_block(config: Config, plans: Sequence[CheckPlan]) -> Table:
    block = tomlkit.table()
    block.add("tag-format", config.tag_format)
    block.add("release-branch", config.release_branch)
    block.add("hotfix-branches", config.hotfix_branches)
    checks = tomlkit.table()
    for plan in plans:  # what each check's job runs: edit here; "" skips a check
        if plan.command is not None:
            checks.add(plan.name, plan.command)
        if plan.unfound is not None:  # the decision, visible where it is changed
            checks[plan.name].comment(
                f"no {plan.unfound} found: the job passes saying so; set a command to run one"
            )
    block.add("checks", checks)
    return block


def _set(table: Table, key: str, value: str | None) -> None:
    # an unchanged value keeps its bytes (quotes, comments)
    if table.get(key) != value:
        table[key] = value


def _same_line_endings(original: str, updated: str) -> str:
    """`updated` with CRLF line endings when `original` uses them throughout: tomlkit keeps
    the old lines' endings but writes the lines it adds with LF."""
    if "\r\n" not in original or original.count("\n") != original.count("\r\n"):
        return updated
    return updated.replace("\r\n", "\n").replace("\n", "\r\n")
