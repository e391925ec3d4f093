"""`--format json`: one JSON document per run, in one envelope (docs/json.md).

    {"schema": "tagship.<command>/1", "ok": true, "exit_code": 0, ...the command's fields}

While a command runs under `--format json`, whatever it prints for people goes to stderr, so
stdout holds the document alone: written once, as the run ends, when its exit code is known;
a failure adds `error` (the one line's message and hint) to the fields gathered so far.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from tagship.core.errors import EXIT_INTERNAL

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterator

# Every command's schema is at 1. A command's number goes up only when one of its fields is
# removed or changes meaning; a field may be added at any time without a new number.
SCHEMA_VERSION = 1
ENVELOPE = ("schema", "ok", "exit_code")


def schema_name(command: str) -> str:
    return f"tagship.{command}/{SCHEMA_VERSION}"


@dataclasses.dataclass
class Document:
    """The document of one run (mutable: fields arrive while the command runs)."""

    command: str
    wanted: bool = False  # the command line asked for --format json
    fields: dict[str, Any] = dataclasses.field(default_factory=dict)
    error: dict[str, str | None] | None = None

    def add(self, data: object) -> None:
        """Fields of the command's report: a mapping or a dataclass; later fields add up."""
        if dataclasses.is_dataclass(data) and not isinstance(data, type):
            data = {f.name: getattr(data, f.name) for f in dataclasses.fields(data)}
        if not isinstance(data, dict):
            raise TypeError(f"a JSON report is an object, not {type(data).__name__}")
        self.fields.update(data)

    def failed(self, message: str, hint: str | None) -> None:
        self.error = {"message": message, "hint": hint}

    def text(self, exit_code: int) -> str:
        envelope = {"schema": schema_name(self.command), "ok": exit_code == 0}
        # a command's own `ok` (doctor, audit) says what the exit code says: the envelope's
        body = {k: v for k, v in self.fields.items() if k not in ENVELOPE}
        document = {**envelope, "exit_code": exit_code, **body}
        if self.error is not None:
            document["error"] = self.error
        return json.dumps(document, indent=2, default=_plain, allow_nan=False) + "\n"


_CURRENT: ContextVar[Document | None] = ContextVar("tagship_json_document", default=None)


def _plain(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, PurePath):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


@contextmanager
def document(command: str) -> Iterator[Document]:
    """The document of the run of `command`; the CLI writes it with `finish`."""
    current = Document(command)
    token = _CURRENT.set(current)
    try:
        yield current
    finally:
        _CURRENT.reset(token)


@contextmanager
def stdout_for_json(current: Document, args: argparse.Namespace) -> Iterator[None]:
    """With --format json, what the command prints goes to stderr while it runs."""
    current.wanted = getattr(args, "format", None) == "json"
    if not current.wanted:
        yield
        return
    saved = sys.stdout
    sys.stdout = sys.stderr
    try:
        yield
    finally:
        sys.stdout = saved


def add_fields(data: object) -> None:
    """The running command's JSON fields; nothing when it was not asked for JSON."""
    current = _CURRENT.get()
    if current is not None and current.wanted:
        current.add(data)


def finish(current: Document, exit_code: int) -> int:
    """Write the document on stdout, when --format json was asked for; the exit code. A
    report that is not JSON (a bug) is an internal error, in one line and a document."""
    if not current.wanted:
        return exit_code
    try:
        text = current.text(exit_code)
    except (TypeError, ValueError) as exc:
        message = f"internal error: the report is not JSON: {exc}"
        sys.stderr.write(f"tagship: {message} (please report it)\n")
        failed = Document(current.command, wanted=True)
        failed.failed(message, "please report it")
        text = failed.text(EXIT_INTERNAL)
        exit_code = EXIT_INTERNAL
    sys.stdout.write(text)
    return exit_code
