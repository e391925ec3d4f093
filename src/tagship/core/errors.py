"""One error family. Each subclass carries its exit code; the CLI renders it once."""

from __future__ import annotations

EXIT_OK = 0
EXIT_GATE = 1
EXIT_USAGE = 2
EXIT_SERVICE = 3
EXIT_INTEGRITY = 4
EXIT_INTERNAL = 70  # an unexpected exception: a bug (EX_SOFTWARE of sysexits.h)
EXIT_INTERRUPTED = 130


class TagshipError(Exception):
    """Base of every user-facing failure: a one-line message and an optional hint.

    Each subclass sets its exit code; `exit_code=` overrides it for one error, e.g. one that
    wraps another and exits as the wrapped one would."""

    exit_code: int = EXIT_USAGE  # not a ClassVar: an instance may carry its own

    def __init__(
        self, message: str, hint: str | None = None, *, exit_code: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code


class GateError(TagshipError):
    """A gate or check refused to let the release proceed."""

    exit_code = EXIT_GATE


class ConfigError(TagshipError):
    """The project or its configuration is not usable as it is."""

    exit_code = EXIT_USAGE


class UsageError(TagshipError):
    """The command line asked for something that cannot be done."""

    exit_code = EXIT_USAGE


class ServiceError(TagshipError):
    """An external tool or service failed (after any retries)."""

    exit_code = EXIT_SERVICE


class IntegrityError(TagshipError):
    """Bytes or records do not match what was recorded: a hash mismatch or tampering."""

    exit_code = EXIT_INTEGRITY
