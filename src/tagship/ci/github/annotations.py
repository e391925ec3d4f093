"""GitHub Actions workflow commands that annotate a run (`::error title=T::message`).

A command is one line, `::name key=value,key=value::data`: the runner reads `%`, CR and LF
escaped in the data (%25, %0D, %0A), and in a property value also `:` and `,` (%3A, %2C),
which would otherwise end the value or the property list (actions/toolkit's command.ts).
"""

from __future__ import annotations

from typing import Literal

Level = Literal["error", "warning", "notice"]


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    level: Level,
    message: str,
    *,
    title: str | None = None,
    file: str | None = None,
    line: int | None = None,
) -> str:
    """The workflow command that shows `message` as an annotation of the run (and, with
    `file` and `line`, on that line of the file)."""
    properties = {"title": title, "file": file, "line": None if line is None else str(line)}
    shown = ",".join(
        f"{key}={escape_property(value)}" for key, value in properties.items() if value
    )
    return f"::{level}{' ' + shown if shown else ''}::{escape_data(message)}"
