"""Option types shared by the commands that wait: argparse refuses a bad value (exit 2)."""

from __future__ import annotations

import argparse

from tagship.core.durations import seconds as checked_seconds


def seconds(text: str) -> float:
    """argparse `type=` for a timeout: a number of seconds >= 0 (nan and inf refused)."""
    try:
        return checked_seconds(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive_seconds(text: str) -> float:
    """argparse `type=` for a polling interval: a number of seconds > 0."""
    try:
        return checked_seconds(text, positive=True)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_wait_options(
    parser: argparse.ArgumentParser,
    *,
    timeout: float,
    interval: float | None = None,
    interval_help: str = "between polls",
) -> None:
    """`--timeout` (and `--interval`, when the command polls at a pace), with defaults."""
    parser.add_argument(
        "--timeout",
        type=seconds,
        default=timeout,
        metavar="SECONDS",
        help=f"give up after this long, exit 3 (default {timeout:g})",
    )
    if interval is not None:
        parser.add_argument(
            "--interval",
            type=positive_seconds,
            default=interval,
            metavar="SECONDS",
            help=f"{interval_help} (default {interval:g})",
        )


def add_format(parser: argparse.ArgumentParser, *, markdown: bool = False) -> None:
    """`--format`, the one declaration every command shares: text for people, json for
    programs (one document: cli/json_document.py), markdown where a report has a table."""
    choices = ("text", "json", "markdown") if markdown else ("text", "json")
    parser.add_argument(
        "--format", choices=choices, default="text", help="how to print the report (default text)"
    )
