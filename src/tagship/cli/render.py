"""Rendering results for people (rich, on a terminal) and machines (JSON, plain lines)."""

from __future__ import annotations

import json
import os
import re
import sys
import traceback
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tagship import __version__
from tagship.core.ci_env import in_ci, in_github_actions
from tagship.core.errors import TagshipError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence


def error_line(message: str, hint: str | None) -> None:
    """The one line a failure prints, with its hint."""
    text = f"tagship: error: {message}"
    if hint:
        text += f" (hint: {hint})"
    sys.stderr.write(text + "\n")


# names of variables that hold credentials: TAGSHIP_INDEX_*_PASSWORD, GITHUB_TOKEN, ...
_CREDENTIAL_NAME = re.compile(r"TOKEN|PASSWORD|PASSWD|SECRET|CREDENTIAL|API_?KEY", re.IGNORECASE)
_MIN_SECRET = 4  # shorter values are flags such as "1", not secrets; hiding them garbles text
_URL_USERINFO = re.compile(r"(?<=://)[^/\s@]+@")


def scrub(text: str, env: Mapping[str, str]) -> str:
    """`text` with the values of credential variables in `env` and URL user info masked."""
    secrets = {v for k, v in env.items() if _CREDENTIAL_NAME.search(k) and len(v) >= _MIN_SECRET}
    for value in sorted(secrets, key=len, reverse=True):  # longest first: one may hold another
        text = text.replace(value, "***")
    return _URL_USERINFO.sub("***@", text)


def crash_log_path(env: Mapping[str, str], now: datetime, pid: int) -> Path:
    """Where a crash's traceback goes: the job's temporary directory in GitHub Actions, the
    user's tagship cache elsewhere. Time and process id keep concurrent runs apart."""
    from tagship.steps.build_env import cache_root  # noqa: PLC0415 - only when crashing

    if in_github_actions(env) and env.get("RUNNER_TEMP"):
        directory = Path(env["RUNNER_TEMP"])
    else:
        directory = cache_root(env) / "crashes"
    return directory / f"tagship-crash-{now:%Y%m%dT%H%M%SZ}-{pid}.log"


def internal_error(exc: BaseException, argv: Sequence[str], env: Mapping[str, str]) -> None:
    """One line for an unexpected exception; its traceback goes to a log file (and, in GitHub
    Actions, to a collapsed group of the job's log), so a failed CI run need not be rerun to
    see it. Credentials in `env` are masked; local variables are never shown."""
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    report = scrub(
        f"tagship {__version__} on Python {sys.version.split()[0]} ({sys.platform})\n"
        f"command: tagship {' '.join(argv)}\n\n{trace}",
        env,
    )
    note = _save(report, env)
    sys.stderr.write(
        scrub(f"tagship: internal error: {_describe(exc)} ({note}; please report it)\n", env)
    )
    if in_github_actions(env):
        # between stop-commands, a `::` line in an exception's message is not a workflow command
        token = uuid.uuid4().hex
        sys.stderr.write(
            f"::group::tagship traceback\n::stop-commands::{token}\n"
            f"{report.rstrip()}\n::{token}::\n::endgroup::\n"
        )


def _save(report: str, env: Mapping[str, str]) -> str:
    """Write the crash log; says where, or why it could not be written."""
    try:
        from tagship.adapters.files import write_atomic  # noqa: PLC0415 - only when crashing

        path = crash_log_path(env, datetime.now(tz=timezone.utc), os.getpid())
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, report)
    except Exception as error:  # noqa: BLE001 - reporting a crash must not crash
        where = "it is in the group below" if in_github_actions(env) else "rerun with --debug"
        return f"the traceback could not be written: {_describe(error)}; {where}"
    return f"traceback written to {path}"


def _describe(exc: BaseException) -> str:
    """`Type: message` on one line."""
    try:
        text = " ".join(str(exc).split())
    except Exception:  # noqa: BLE001 - an exception whose str() fails is still reported
        text = "<unprintable>"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


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


@contextmanager
def progress_display(env: Mapping[str, str]) -> Iterator[Callable[[str], None]]:
    """A spinner on a terminal; plain lines in CI logs and pipes."""
    if not sys.stderr.isatty() or in_ci(env):

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
