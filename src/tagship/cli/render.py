"""Rendering results for people (rich, on a terminal) and machines (JSON, plain lines)."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from tagship.core.errors import TagshipError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence


def error_line(message: str, hint: str | None) -> None:
    """The one line a failure prints, with its hint."""
    text = f"tagship: error: {message}"
    if hint:
        text += f" (hint: {hint})"
    sys.stderr.write(text + "\n")


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False) + "\n")


def line(text: str) -> None:
    sys.stdout.write(text + "\n")


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A table: rich on a terminal, tab-separated plain lines otherwise (CI logs, pipes)."""
    if sys.stdout.isatty():
        from rich.console import Console  # noqa: PLC0415 - rich is slow to import
        from rich.table import Table  # noqa: PLC0415
        from rich.text import Text  # noqa: PLC0415

        # plain Text: a value such as "[project].version" is not rich markup
        grid = Table(title=Text(title))
        for column in columns:
            grid.add_column(Text(column))
        for row in rows:
            grid.add_row(*(Text(cell) for cell in row))
        Console().print(grid)
        return
    line(f"# {title}")
    for row in rows:
        line("\t".join(row))


def step_summary(env: Mapping[str, str], markdown: str) -> None:
    """Append to the GitHub Actions job summary when running there."""
    path = env.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as handle:  # noqa: PTH123 - append mode
            handle.write(markdown.rstrip() + "\n\n")
    except OSError as exc:
        raise TagshipError(f"cannot write the step summary {path}: {exc.strerror}") from None


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n"
    return head + "".join("| " + " | ".join(r) + " |\n" for r in rows)


def is_ci(env: Mapping[str, str]) -> bool:
    return env.get("GITHUB_ACTIONS") == "true" or bool(env.get("CI"))


@contextmanager
def progress_display(env: Mapping[str, str]) -> Iterator[Callable[[str], None]]:
    """A spinner on a terminal; plain lines in CI logs and pipes."""
    if not sys.stderr.isatty() or is_ci(env):

        def plain(text: str) -> None:
            sys.stderr.write(f"tagship: {text}\n")

        yield plain
        return
    from rich.console import Console  # noqa: PLC0415 - rich is slow to import
    from rich.text import Text  # noqa: PLC0415

    console = Console(stderr=True)
    with console.status("starting") as status:

        def show(text: str) -> None:
            console.print(f"tagship: {text}", highlight=False, markup=False)
            status.update(Text(text))

        yield show
