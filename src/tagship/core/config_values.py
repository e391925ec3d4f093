"""Config values judged where the config is parsed, so that no later step meets one its tools
cannot take: a branch name git refuses (or reads as an option), a glob that does not compile,
an index URL that is not http(s), a Python version uv and setup-python cannot read, an index
or workflow name that cannot be one, a project name the index refuses. Pure."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tagship.core.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Callable

# git check-ref-format: no control character, space, ~ ^ : ? * [ \ or DEL in a ref
_REF_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")
# one glob construct, as fnmatch reads it: runs of *, ?, a bracket class ([]x] holds `]`)
_GLOB = re.compile(r"\*+|\?|\[!?\]?[^\]]*\]")
# X.Y or X.Y.Z (a pre-release too): what setup-python and `uv --python-version` both read
_PYTHON = re.compile(r"[0-9]+\.[0-9]+(?:\.[0-9]+(?:(?:a|b|rc)[0-9]+)?)?")
# an index name becomes part of TAGSHIP_INDEX_<NAME>_* variables and of workflow commands
_INDEX_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
# a file GitHub runs, directly in .github/workflows
_WORKFLOW_FILE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*\.ya?ml")
# PEP 508 names, as PyPI accepts them (ASCII only: IGNORECASE alone folds the Kelvin sign)
_PROJECT = re.compile(r"[A-Z0-9](?:[A-Z0-9._-]*[A-Z0-9])?", re.IGNORECASE | re.ASCII)


def ref_problem(name: str) -> str | None:
    """Why git refuses `name` as a branch (`git check-ref-format --branch`, and `git branch`
    taking a leading '-' for an option), or None."""
    if not name:
        return "is empty"
    if name.startswith("-"):
        return "starts with '-', which git reads as an option"
    if _REF_FORBIDDEN.search(name):
        return "holds a character git refuses in a branch name (space, control, ~ ^ : ? * [ \\)"
    parts = name.split("/")
    if (
        name in ("@", "HEAD")
        or "@{" in name
        or ".." in name
        or name.endswith(".")
        or any(not p or p.startswith(".") or p.endswith(".lock") for p in parts)
    ):
        return (
            "is not a branch name git accepts (no @{, .., empty or dot-led path parts, "
            "no trailing . or .lock)"
        )
    return None


def glob_problem(pattern: str) -> str | None:
    """Why `pattern` is no glob of branch names: it does not compile (a `[` without its `]`),
    or what it matches could never be a branch; None when it is one."""
    if pattern.startswith("!"):
        return "starts with '!', which GitHub's branch filters read as a negation"
    literal = _GLOB.sub("x", pattern)
    if "[" in literal:
        return "does not compile: a `[` without its `]`"
    problem = ref_problem(literal)
    return None if problem is None else f"matches no branch: it {problem}"


def url_problem(url: str) -> str | None:
    """Why `url` is no index URL tagship talks to (http or https only), or None. The URL is
    not repeated: its userinfo may hold a password."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "is not a URL"
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return f"must be an http:// or https:// URL, not {scheme or 'one without scheme'}"
    return None if parts.hostname else "names no host"


def python_problem(version: str) -> str | None:
    if _PYTHON.fullmatch(version):
        return None
    return "is not a Python version (X.Y or X.Y.Z)"


def workflow_problem(name: str) -> str | None:
    if _WORKFLOW_FILE.fullmatch(name):
        return None
    return "must be a .yml or .yaml file name in .github/workflows (no folders)"


def is_project_name(name: str) -> bool:
    """A project name PyPI accepts (PEP 508: ASCII letters and digits, with . _ - inside)."""
    return _PROJECT.fullmatch(name) is not None


_RULES: dict[str, tuple[Callable[[str], str | None], str]] = {
    "release-branch": (ref_problem, 'e.g. release-branch = "main"'),
    "hotfix-branches": (glob_problem, 'e.g. hotfix-branches = "hotfix/*"'),
    "dependency-index": (url_problem, 'e.g. dependency-index = "https://pypi.org/simple/"'),
    "upload-url": (url_problem, 'e.g. upload-url = "https://HOST/legacy/"'),
    "simple-url": (url_problem, 'e.g. simple-url = "https://HOST/simple/"'),
    "python-version": (python_problem, 'e.g. python-version = "3.12"'),
    "workflow": (workflow_problem, 'e.g. workflow = "publish-pypi.yml"'),
}


def check_value(key: str, value: object, where: str) -> None:
    """ConfigError naming `key` (dotted, as written) and `where` when its value is one the
    key's users cannot take; keys without a rule pass."""
    rule = _RULES.get(key.rsplit(".", 1)[-1])
    if rule is None or not isinstance(value, str):
        return
    judge, hint = rule
    problem = judge(value)
    if problem is not None:
        raise ConfigError(f"`{key}` {where} {problem}", hint=hint)


def check_index_name(key: str, name: str, where: str) -> None:
    if _INDEX_NAME.fullmatch(name) is None:
        raise ConfigError(
            f"`{key}` {where}: an index name is letters, digits, - and _ (it names the "
            "TAGSHIP_INDEX_<NAME>_* variables)",
            hint="e.g. [tool.tagship.indexes.staging]",
        )
