"""Reading `--format json` documents as a program would, and the fields docs/json.md promises."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import CliResult

DOCS = Path(__file__).parent.parent / "docs" / "json.md"
ENVELOPE = {"schema", "ok", "exit_code"}
_ROW = re.compile(r"^\| `tagship ([a-z-]+(?: [a-z-]+)?)` \| (.*) \|$", re.MULTILINE)


def documented() -> dict[str, set[str]]:
    """Each command (or `command action`) of docs/json.md's table, and its top-level fields."""
    # what a row says in parentheses describes a field's inside, not more top-level fields
    return {
        label: set(re.findall(r"`([a-z_]+)`", re.sub(r"\([^)]*\)", "", fields)))
        for label, fields in _ROW.findall(DOCS.read_text(encoding="utf-8"))
    }


def document(result: CliResult, label: str, code: int = 0) -> dict[str, Any]:
    """The one JSON document on stdout of `tagship LABEL ... --format json`, checked against
    its exit code and the fields docs/json.md lists for it: all of them when it succeeds."""
    assert result.code == code, f"{label}: exit {result.code}\n{result.out}\n{result.err}"
    data = json.loads(result.out)  # one document, and nothing else on stdout
    assert isinstance(data, dict)
    assert list(data)[:3] == ["schema", "ok", "exit_code"]
    assert data["schema"] == f"tagship.{label.split(maxsplit=1)[0]}/1"
    assert (data["ok"], data["exit_code"]) == (code == 0, code)
    fields = set(data) - ENVELOPE - {"error"}
    # a failure keeps the fields gathered before it: maybe not all
    promised = fields == documented()[label] if code == 0 else fields <= documented()[label]
    assert promised, f"{label}: fields {sorted(fields)}"
    if code != 0 and "error" in data:
        assert data["error"]["message"] in result.err  # the one line says the same
    return data
