"""A small, deterministic YAML writer for generated workflows (block style, stable order)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

# plain scalars that YAML 1.1 readers (GitHub's included) would not read back as the same text
_SPECIAL = re.compile(
    r"(?i)(?:y|n|yes|no|true|false|on|off|null|~|[-+]?[0-9][0-9_.:eE+-]*|\.inf|\.nan)"
)
_PLAIN = re.compile(r"[A-Za-z_$./][^:#'\"\n\t]*")  # a tab is no plain scalar to PyYAML


@dataclass(frozen=True)
class Commented:
    """A scalar written with a trailing comment (an action pinned by SHA, with its version)."""

    value: str
    comment: str


def dump(node: dict[str, Any], header: str = "") -> str:
    """The YAML text of a mapping; `header` lines become comments on top."""
    lines = [f"# {h}" if h else "#" for h in header.splitlines()]
    lines.extend(_mapping(node, 0))
    return "\n".join(lines) + "\n"


def _scalar(value: str) -> str:
    if value == "on":
        return value  # the trigger key: GitHub reads it as text, and everyone writes it plain
    if _PLAIN.fullmatch(value) and not _SPECIAL.fullmatch(value) and value == value.strip():
        return value
    if "'" not in value:
        return f"'{value}'"
    return json.dumps(value)  # JSON strings are YAML double-quoted scalars


def _mapping(node: dict[str, Any], indent: int) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    for key, value in node.items():
        out.extend(_entry(f"{pad}{_scalar(key)}:", value, indent))
    return out


def _entry(head: str, value: Any, indent: int) -> list[str]:
    if isinstance(value, Commented):
        return [f"{head} {_scalar(value.value)} # {value.comment}"]
    if isinstance(value, dict):
        return [f"{head} {{}}"] if not value else [head, *_mapping(value, indent + 2)]
    if isinstance(value, list):
        return [f"{head} []"] if not value else [head, *_sequence(value, indent + 2)]
    if isinstance(value, bool):
        return [f"{head} {'true' if value else 'false'}"]
    if isinstance(value, int):
        return [f"{head} {value}"]
    text = str(value)
    if "\n" in text:
        body = [f"{' ' * (indent + 2)}{line}" if line else "" for line in text.splitlines()]
        # indented first line: say the indentation, else YAML takes it from that line
        indicator = "2" if text.lstrip("\n").startswith(" ") else ""
        return [f"{head} |{indicator}", *body]
    return [f"{head} {_scalar(text)}"]


def _sequence(items: list[Any], indent: int) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    for item in items:
        if isinstance(item, dict) and item:
            inner = _mapping(item, indent + 2)
            out.append(f"{pad}- {inner[0].lstrip()}")
            out.extend(inner[1:])
        else:
            out.extend(_entry(f"{pad}-", item, indent))
    return out
