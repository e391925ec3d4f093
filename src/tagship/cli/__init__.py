"""Command line entry point. Commands load lazily so `tagship --help` stays fast."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from tagship.cli.usage import Parser, add_output_options, unknown_command
from tagship.core.errors import EXIT_GATE, EXIT_INTERNAL, EXIT_INTERRUPTED, TagshipError

# `typing` is not imported for `tagship --help`; mypy takes any TYPE_CHECKING as True
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from tagship.cli import json_document
    from tagship.cli.style import Style

# name -> (module under tagship.cli, one-line help); the module is imported only when run
COMMANDS: dict[str, tuple[str, str]] = {
    "status": ("status_cmd", "show version, expected tag, branch and tree state"),
    "version": ("version_cmd", "print the project's version"),
    "bump": ("bump_cmd", "rewrite the version everywhere it is: a bump part or X.Y.Z"),
    "check-tag": ("check_tag_cmd", "check that a tag is the release tag of the version"),
    "config": ("config_cmd", "show the effective configuration and where each value came from"),
    "build": ("build_cmd", "build, verify and hash the sdist and wheel of HEAD"),
    "verify-artifacts": ("verify_cmd", "check built files against the project and the manifest"),
    "manifest": ("manifest_cmd", "merge the files of several build jobs into one manifest"),
    "publish": ("publish_cmd", "upload the manifest's files to an index, resumably"),
    "preflight": ("preflight_cmd", "check the manifest's files against the index's rules"),
    "wait": ("wait_cmd", "wait until an index shows every manifest file"),
    "verify-install": ("verify_install_cmd", "install the release in a clean venv and check it"),
    "record": ("record_cmd", "append to the ledger what earlier jobs left in their outboxes"),
    "promote": ("promote_cmd", "on the tag: fetch the dry run's files, check every byte, verify"),
    "rebuild-check": ("rebuild_check_cmd", "rebuild the tag and compare with the promoted files"),
    "dry-run": ("dry_run_cmd", "gate, build, publish to the test index, verify, record"),
    "tag": ("tag_cmd", "check every release gate, then create and push the tag"),
    "release": ("release_cmd", "in CI on the tag: promote the dry run's files, publish, release"),
    "check-docs": ("check_docs_cmd", "the docs check without Sphinx or MkDocs: readme renders"),
    "checks": ("checks_cmd", "are the required checks green for a commit (GitHub, or --local)"),
    "label-check": ("label_check_cmd", "check that a pull request has exactly one release label"),
    "notes": ("notes_cmd", "release notes from PR labels; --github updates the draft release"),
    "github-release": ("github_release_cmd", "publish the draft GitHub Release of a tag"),
    "docs-links": ("docs_links_cmd", "point the docs at a release, on a branch, with a PR"),
    "wait-workflow": ("wait_workflow_cmd", "wait for the publish workflow run of a tag"),
    "ledger": ("ledger_cmd", "show or verify the hash-chained release ledger"),
    "audit": ("audit_cmd", "prove every file on the index came from a recorded CI release"),
    "report": ("report_cmd", "draw the releases as an HTML page: indexes, GitHub, the ledger"),
    "watch": ("watch_cmd", "check the recorded releases for quarantine, yanks, lost attestations"),
    "init": ("init_cmd", "write the CI and publish workflows from the config (--check: drift)"),
    "packages": ("packages_cmd", "list the repository's packages (--changed: what a change hit)"),
    "setup": ("setup_cmd", "create the GitHub environments, required checks and labels"),
    "doctor": ("doctor_cmd", "check workflows and Trusted Publishing setup before a release"),
    "hotfix": ("hotfix_cmd", "start a patch branch from a release tag, or check it is finished"),
    "rollback": ("rollback_cmd", "plan, revert, yank, cloud-run, migrate, patch: recorded"),
    "demo": ("demo_cmd", "run the release flow on a sample project with local stand-ins"),
    "rehearse": ("rehearse_cmd", "rehearse your own release in a throwaway copy, local indexes"),
    "completion": ("completion_cmd", "print the shell completion script: bash, zsh or fish"),
}


class _VersionAction(argparse.Action):
    """--version asks the installed metadata only when given."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object, **__: object) -> None:
        import tagship  # noqa: PLC0415

        parser.exit(0, f"tagship {tagship.__version__}\n")


def _listing() -> str:
    """The commands by group, for `tagship --help` (catalog.py is data: no command loads)."""
    from tagship.cli.catalog import GROUPS  # noqa: PLC0415 - only for the help

    groups = [(title, [n for n in names if n in COMMANDS]) for title, names in GROUPS]
    grouped = {name for _, names in groups for name in names}
    groups.append(("Other", [name for name in COMMANDS if name not in grouped]))
    return "\n\n".join(
        f"{title}:\n" + "\n".join(f"  {name:<17} {COMMANDS[name][1]}" for name in names)
        for title, names in groups
        if names
    )


def _path(text: str) -> Path:
    """-C's value; pathlib loads as the command does, not for `tagship --help`."""
    from pathlib import Path  # noqa: PLC0415 - keep start-up light

    return Path(text)


def _top_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="tagship",
        description="Repeatable, auditable, CI-driven releases of Python packages.",
        epilog=f"{_listing()}\n\na command's options and examples: tagship COMMAND --help\n\n"
        "exit codes: 0 ok, 1 gate failed, 2 usage or config, 3 external service, "
        "4 integrity, 70 internal error",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_VersionAction, nargs=0, help="show the version")
    parser.add_argument(
        "-C",
        "--project",
        type=_path,
        metavar="DIR",
        help="the project directory (default: the nearest one with a pyproject.toml)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        dest="overrides",
        help="override a [tool.tagship] key for this run (e.g. --set tag-format=v{version})",
    )
    parser.add_argument(
        "--package",
        metavar="NAME",
        help="in a repository of several packages: the one to act on (default: "
        "$TAGSHIP_PACKAGE, else the one whose directory you are in)",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    add_output_options(parser, top=True)
    parser.add_argument("command", nargs="?", metavar="COMMAND", help="one of the commands below")
    parser.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run tagship; returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    parser = _top_parser()
    top = parser.parse_args(argv)
    if top.command not in COMMANDS:
        parser.exit(2, unknown_command(top.command, COMMANDS) + "\n")
    env = dict(os.environ)
    from tagship.cli.render import secrets_masked  # noqa: PLC0415 - keep start-up light

    with secrets_masked(env):  # nothing printed shows a credential
        return _documented(top, argv, env)


def _documented(top: argparse.Namespace, argv: Sequence[str], env: Mapping[str, str]) -> int:
    """The command, and its --format json document once the exit code is known."""
    from tagship.cli import json_document  # noqa: PLC0415 - keep start-up light

    with json_document.document(top.command) as document:
        return json_document.finish(document, _run(top, argv, env, document))


def _run(
    top: argparse.Namespace,
    argv: Sequence[str],
    env: Mapping[str, str],
    document: json_document.Document,
) -> int:
    """The command; a failure is one line (a crash's traceback goes to a log), and the
    `error` of the JSON document. --debug shows the traceback above that line, and never
    changes the exit code."""
    try:
        return _dispatch(top, env, document)
    except TagshipError as exc:
        from tagship.cli.render import error_line, show_traceback  # noqa: PLC0415 - start-up

        if top.debug:
            show_traceback(exc, env)
        error_line(exc.message, exc.hint)
        document.failed(exc.message, exc.hint)
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("tagship: interrupted\n")
        document.failed("interrupted", None)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away (`tagship ... | head`): nothing left to say to it
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        document.wanted = False
        return EXIT_GATE
    except Exception as exc:  # noqa: BLE001 - one line for the unexpected too; traceback to a log
        from tagship.cli.render import internal_error  # noqa: PLC0415 - keep start-up light

        internal_error(exc, argv, env, debug=top.debug)
        document.failed(f"internal error: {type(exc).__name__}", "see stderr; please report it")
        return EXIT_INTERNAL


def command_parser(name: str) -> argparse.ArgumentParser:
    """The parser of one command, as `tagship NAME` parses its arguments (its examples as the
    epilog, the output options on it and its actions); the docs' command reference and the
    shell completion scripts are generated from it, so neither can drift."""
    from tagship.cli.catalog import examples_text  # noqa: PLC0415 - as the command loads

    module_name, text = COMMANDS[name]
    module = importlib.import_module(f"tagship.cli.{module_name}")
    parser = Parser(
        prog=f"tagship {name}",
        description=text,
        epilog=examples_text(name),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    module.configure(parser)
    add_output_options(parser)
    return parser


def _style(top: argparse.Namespace, args: argparse.Namespace, env: Mapping[str, str]) -> Style:
    """-q/-v/--color, given before the command or after it."""
    from tagship.cli.style import Style, color_wanted  # noqa: PLC0415 - as the command runs

    loudness = top.verbose - top.quiet + getattr(args, "verbose", 0) - getattr(args, "quiet", 0)
    choice = getattr(args, "color", top.color)
    return Style(loudness, color_wanted(choice, env, tty=sys.stdout.isatty()))


def _project_dir(given: Path | None) -> Path:
    """-C, else the nearest directory with a pyproject.toml (cli/discover.py)."""
    if given is not None:
        return given
    from pathlib import Path  # noqa: PLC0415 - as the command runs

    from tagship.cli.discover import project_directory  # noqa: PLC0415 - as the command runs

    try:
        return project_directory(Path.cwd())
    except OSError:  # the working directory was removed: the command says what is missing
        return Path()


def _dispatch(
    top: argparse.Namespace, env: Mapping[str, str], document: json_document.Document
) -> int:
    args = command_parser(top.command).parse_args(top.args)
    module = importlib.import_module(f"tagship.cli.{COMMANDS[top.command][0]}")
    from tagship.cli.context import Context  # noqa: PLC0415 - after parsing, as a command runs
    from tagship.cli.debug_log import debug_logging  # noqa: PLC0415
    from tagship.cli.style import applied  # noqa: PLC0415

    # the publish workflow's dispatch names the package through the environment, never
    # through an expression in a command line
    package = top.package or env.get("TAGSHIP_PACKAGE") or None
    ctx = Context(
        project_dir=_project_dir(top.project),
        overrides=tuple(top.overrides),
        env=env,
        package=package,
    )
    style = _style(top, args, env)
    from tagship.cli.json_document import stdout_for_json  # noqa: PLC0415 - after parsing
    from tagship.cli.outcome import reported  # noqa: PLC0415 - as a command runs

    with (
        applied(style),
        debug_logging(style.verbosity),
        stdout_for_json(document, args),
        reported(ctx, top.command),  # in CI: annotations and the step summary
    ):
        code: int = module.run(args, ctx)
    return code
