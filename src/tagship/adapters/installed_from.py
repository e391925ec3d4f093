"""Where this tagship was installed from (PEP 610's direct_url.json), so a hint can name a
source that works: tagship is installed from a clone or a git URL until it is on PyPI."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class Source:
    """A git URL at a commit (`commit` set), a local directory (`path` set), or neither
    (an index, or not known)."""

    url: str = ""
    commit: str = ""
    path: str = ""


def installed_from() -> Source:
    try:
        text = distribution("tagship").read_text("direct_url.json") or "{}"
        recorded = json.loads(text)
    except (PackageNotFoundError, ValueError):
        return Source()
    if not isinstance(recorded, dict):
        return Source()
    url = str(recorded.get("url", ""))
    vcs = recorded.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git":
        if "@" not in urlsplit(url).netloc:  # a URL with credentials must not be shown
            return Source(url=url, commit=str(vcs.get("commit_id", "")))
        return Source()
    if "dir_info" in recorded and url.startswith("file://"):
        return Source(path=unquote(urlsplit(url).path))
    return Source()


def requirement(extra: str = "") -> str:
    """What to install for tagship (with `extra`) from where it came, e.g.
    `'tagship[demo] @ git+https://...@COMMIT'` or `'/path/to/clone[demo]'`."""
    source = installed_from()
    extras = f"[{extra}]" if extra else ""
    if source.url:
        at = f"@{source.commit}" if source.commit else ""
        return shlex.quote(f"tagship{extras} @ git+{source.url}{at}")
    if source.path:
        return shlex.quote(f"{source.path}{extras}")
    return shlex.quote(f"./tagship{extras}")  # a clone of tagship's repository
