"""Rendering results for people (rich, on a terminal) and machines (JSON, plain lines)."""

from __future__ import annotations

import io
import os
import sys
import traceback
from contextlib import contextmanager
from typing import TYPE_CHECKING

from tagship.adapters.secrets import scrub, secrets_in
from tagship.ci import read_run
from tagship.cli.json_document import add_fields
from tagship.cli.style import VERDICT_COLUMNS, current, verdict, verdict_style
from tagship.core.errors import TagshipError
from tagship.core.printable import printable

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence
    from datetime import datetime
    from pathlib import Path
    from typing import TextIO

    from tagship.ci.github.annotations import Level
    from tagship.cli.context import Context
    from tagship.core.ci_run import CIRun
    from tagship.core.progress import Event


def error_line(message: str, hint: str | None) -> None:
    """The one line a failure prints, with its hint."""
    text = f"tagship: error: {message}"
    if hint:
        text += f" (hint: {hint})"
    sys.stderr.write(text + "\n")


class _Masking(io.TextIOBase):
    """A text stream that masks every form of the secrets in play in all written to it (the
    last line of defence: adapters already mask the server and program text they quote),
    and shows what cannot be encoded (a file name that is not UTF-8) escaped, not failing."""

    def __init__(self, stream: TextIO, secrets: set[str]) -> None:
        super().__init__()
        self._stream = stream
        self.secrets = secrets  # shared by stdout and stderr; hide() adds to it

    def write(self, text: str) -> int:
        encoding = self._stream.encoding or "utf-8"
        shown = scrub(text, self.secrets).encode(encoding, "backslashreplace").decode(encoding)
        self._stream.write(shown)
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()


@contextmanager
def secrets_masked(env: Mapping[str, str]) -> Iterator[None]:
    """While a command runs, nothing it prints shows a credential of `env` (adapters/secrets.py),
    nor one `hide` is given."""
    secrets = set(secrets_in(env))
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Masking(saved[0], secrets), _Masking(saved[1], secrets)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def _shown_secrets() -> set[str]:
    return sys.stdout.secrets if isinstance(sys.stdout, _Masking) else set()


def hide(secret: str) -> None:
    """Mask `secret` in all output from now on: a credential made during the run (a Trusted
    Publishing token), which no environment variable holds."""
    _shown_secrets().add(secret)


def annotate(
    ci: CIRun,
    level: Level,
    message: str,
    *,
    title: str = "tagship",
    file: str | None = None,
    line: int | None = None,
) -> None:
    """In a CI job, `message` also as an annotation of the run (GitHub Actions: a workflow
    command, on stderr: the runner reads commands there too, and stdout may be a document).
    Credentials are masked before the text is escaped: an escaped one would no longer be
    recognised by the masking of the output."""
    if not ci.workflow_commands:
        return
    from tagship.ci.github.annotations import annotation  # noqa: PLC0415 - only in a job

    secrets = _shown_secrets()
    where = None if file is None else scrub(file, secrets)
    command = annotation(
        level, scrub(message, secrets), title=scrub(title, secrets), file=where, line=line
    )
    sys.stderr.write(command + "\n")


def crash_log_path(env: Mapping[str, str], ci: CIRun, now: datetime, pid: int) -> Path:
    """Where a crash's traceback goes: the job's temporary directory in GitHub Actions, the
    user's tagship cache elsewhere. Time and process id keep concurrent runs apart."""
    from tagship.adapters.build.build_env import cache_root  # noqa: PLC0415 - only when crashing

    if ci.host is not None and ci.temp_dir is not None:
        directory = ci.temp_dir
    else:
        directory = cache_root(env) / "crashes"
    return directory / f"tagship-crash-{now:%Y%m%dT%H%M%SZ}-{pid}.log"


def _trace(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def _write_trace(report: str, ci: CIRun) -> None:
    """A traceback on stderr; on a CI host in a collapsed group of the job's log, where,
    between stop-commands, a `::` line in an exception's message is no workflow command."""
    if not ci.workflow_commands:
        sys.stderr.write(report)
        return
    import uuid  # noqa: PLC0415 - only for a traceback; uuid imports platform, slow at start-up

    token = uuid.uuid4().hex
    sys.stderr.write(
        f"::group::tagship traceback\n::stop-commands::{token}\n"
        f"{report.rstrip()}\n::{token}::\n::endgroup::\n"
    )


def show_traceback(exc: BaseException, env: Mapping[str, str]) -> None:
    """--debug: the traceback of a failure, before its one line (credentials masked)."""
    _write_trace(scrub(_trace(exc), secrets_in(env) | _shown_secrets()), read_run(env))


def internal_error(
    exc: BaseException, argv: Sequence[str], env: Mapping[str, str], *, debug: bool = False
) -> None:
    """One line for an unexpected exception; its traceback goes to a log file (and, in GitHub
    Actions, to a collapsed group of the job's log), so a failed CI run need not be rerun to
    see it; with `debug`, above the line instead of to a log. Credentials in `env` are
    masked; local variables are never shown."""
    ci = read_run(env)  # the run's facts as the seam reads them: the context may be unmade
    from tagship import __version__  # noqa: PLC0415 - the metadata lookup, only when crashing

    secrets = secrets_in(env) | _shown_secrets()
    report = scrub(
        f"tagship {__version__} on Python {sys.version.split()[0]} ({sys.platform})\n"
        f"command: tagship {' '.join(argv)}\n\n{_trace(exc)}",
        secrets,
    )
    if debug:
        _write_trace(report, ci)
        note = "traceback above"
    else:
        note = _save(report, env, ci)
    sys.stderr.write(
        scrub(f"tagship: internal error: {_describe(exc)} ({note}; please report it)\n", secrets)
    )
    if ci.host is not None and not debug:
        _write_trace(report, ci)


def _save(report: str, env: Mapping[str, str], ci: CIRun) -> str:
    """Write the crash log; says where, or why it could not be written."""
    try:
        from datetime import datetime, timezone  # noqa: PLC0415 - only when crashing

        from tagship.adapters.files import write_atomic  # noqa: PLC0415 - only when crashing

        path = crash_log_path(env, ci, datetime.now(tz=timezone.utc), os.getpid())
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, report)
    except Exception as error:  # noqa: BLE001 - reporting a crash must not crash
        where = "it is in the group below" if ci.host is not None else "rerun with --debug"
        return f"the traceback could not be written: {_describe(error)}; {where}"
    return f"traceback written to {path}"


def _describe(exc: BaseException) -> str:
    """`Type: message` on one line."""
    try:
        text = " ".join(str(exc).split())
    except Exception:  # noqa: BLE001 - an exception whose str() fails is still reported
        text = "<unprintable>"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def emit_json(data: object) -> None:
    """The fields of the command's `--format json` document (a mapping or a dataclass); the
    one writer, cli/json_document.py, puts them in the envelope and writes them as the run
    ends. Without --format json, nothing."""
    add_fields(data)


def line(text: str) -> None:
    sys.stdout.write(text + "\n")


def note_line(text: str) -> None:
    """An informational `note:` line: not a result, so -q drops it."""
    if not current().quiet:
        line(f"note: {text}")


def table(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[str]], *, header: bool = True
) -> None:
    """A table: rich on a terminal, tab-separated plain lines otherwise (CI logs, pipes): the
    title as a `#` line, then the column names (unless `header` is False), then the rows.
    Verdict cells (passed, failed, skipped) are coloured when colour is on (cli/style.py)."""
    verdicts = [column in VERDICT_COLUMNS for column in columns]
    # cells may hold a ledger's or a server's text: nothing in them acts on a terminal
    title, columns = printable(title), [printable(column) for column in columns]
    rows = [[printable(cell) for cell in row] for row in rows]
    if sys.stdout.isatty():
        from rich.console import Console  # noqa: PLC0415 - rich is slow to import
        from rich.table import Table  # noqa: PLC0415
        from rich.text import Text  # noqa: PLC0415

        # plain Text: a value such as "[project].version" is not rich markup
        grid = Table(title=Text(title))
        for column in columns:
            grid.add_column(Text(column))
        for row in rows:
            cells = zip(row, verdicts, strict=False)
            grid.add_row(*(Text(c, style=(v and verdict_style(c)) or "") for c, v in cells))
        # tagship's choice (--color, NO_COLOR, FORCE_COLOR, TERM), not rich's own reading
        colour = current().color
        Console(color_system="standard" if colour else None, no_color=not colour).print(grid)
        return
    line(f"# {title}")
    if header:
        line("\t".join(columns))
    for row in rows:
        line("\t".join(verdict(c) if v else c for c, v in zip(row, verdicts, strict=False)))


def step_summary(ctx: Context, markdown: str) -> None:
    """Append to the CI job's summary when the host gives one (GitHub Actions)."""
    path = ctx.ci.summary_path
    if path is None:
        return
    shown = scrub(markdown.rstrip(), secrets_in(ctx.env) | _shown_secrets())
    try:
        with path.open(  # append mode
            "a", encoding="utf-8", errors="backslashreplace"
        ) as handle:
            handle.write(shown + "\n\n")
    except OSError as exc:
        raise TagshipError(f"cannot write the step summary {path}: {exc.strerror}") from None


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n"
    return head + "".join("| " + " | ".join(r) + " |\n" for r in rows)


@contextmanager
def progress_display(ci: CIRun) -> Iterator[Callable[[Event | str], None]]:
    """Where long steps show their progress (a phase's text, or a core.progress event): a
    live display on a terminal; occasional plain lines in CI logs and pipes; nothing with -q."""
    if current().quiet:
        yield lambda _: None
        return
    from tagship.cli.progress_view import live_view, plain_lines  # noqa: PLC0415 - when shown

    if not sys.stderr.isatty() or ci.in_ci:
        with plain_lines(sys.stderr.write) as plain:
            yield plain
        return
    with live_view(color=current().color) as live:
        yield live
