"""Command line entry point. Commands load lazily so `tagship --help` stays fast."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from tagship.core.errors import EXIT_GATE, EXIT_INTERNAL, EXIT_INTERRUPTED, TagshipError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

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
    "init": ("init_cmd", "write the CI and publish workflows from the config (--check: drift)"),
    "packages": ("packages_cmd", "list the repository's packages (--changed: what a change hit)"),
    "doctor": ("doctor_cmd", "check workflows and Trusted Publishing setup before a release"),
    "hotfix": ("hotfix_cmd", "start a patch branch from a release tag, or check it is finished"),
    "rollback": ("rollback_cmd", "plan, revert, yank, cloud-run, migrate, patch: recorded"),
    "demo": ("demo_cmd", "run the release flow on a sample project with local stand-ins"),
}


class _VersionAction(argparse.Action):
    """--version asks the installed metadata only when given."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object, **__: object) -> None:
        import tagship  # noqa: PLC0415

        parser.exit(0, f"tagship {tagship.__version__}\n")


class _Parser(argparse.ArgumentParser):
    """Usage errors in the one-line form of every other error, exit 2 (subcommands too)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"tagship: error: {self.prog}: {message} (hint: see {self.prog} --help)\n")


def _top_parser() -> argparse.ArgumentParser:
    listing = "\n".join(f"  {name:<17} {text}" for name, (_, text) in COMMANDS.items())
    parser = _Parser(
        prog="tagship",
        description="Repeatable, auditable, CI-driven releases of Python packages.",
        epilog=f"commands:\n{listing}\n\nexit codes: 0 ok, 1 gate failed, 2 usage or config, "
        "3 external service, 4 integrity, 70 internal error",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_VersionAction, nargs=0, help="show the version")
    parser.add_argument(
        "-C", "--project", type=Path, default=Path(), metavar="DIR", help="the project directory"
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
    parser.add_argument("command", choices=list(COMMANDS), metavar="COMMAND")
    parser.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run tagship; returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    top = _top_parser().parse_args(argv)
    env = dict(os.environ)
    from tagship.cli.render import secrets_masked  # noqa: PLC0415 - keep start-up light

    with secrets_masked(env):  # nothing printed shows a credential
        return _run(top, argv, env)


def _run(top: argparse.Namespace, argv: Sequence[str], env: Mapping[str, str]) -> int:
    """The command; a failure is one line (a crash's traceback goes to a log). --debug shows
    the traceback above that line, and never changes the exit code."""
    try:
        return _dispatch(top, env)
    except TagshipError as exc:
        from tagship.cli.render import error_line, show_traceback  # noqa: PLC0415 - start-up

        if top.debug:
            show_traceback(exc, env)
        error_line(exc.message, exc.hint)
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("tagship: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away (`tagship ... | head`): nothing left to say to it
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_GATE
    except Exception as exc:  # noqa: BLE001 - one line for the unexpected too; traceback to a log
        from tagship.cli.render import internal_error  # noqa: PLC0415 - keep start-up light

        internal_error(exc, argv, env, debug=top.debug)
        return EXIT_INTERNAL


def _dispatch(top: argparse.Namespace, env: Mapping[str, str]) -> int:
    module_name, text = COMMANDS[top.command]
    module = importlib.import_module(f"tagship.cli.{module_name}")
    parser = _Parser(prog=f"tagship {top.command}", description=text)
    module.configure(parser)
    args = parser.parse_args(top.args)
    from tagship.cli.context import Context  # noqa: PLC0415 - after parsing, as a command runs

    # the publish workflow's dispatch names the package through the environment, never
    # through an expression in a command line
    package = top.package or env.get("TAGSHIP_PACKAGE") or None
    ctx = Context(project_dir=top.project, overrides=tuple(top.overrides), env=env, package=package)
    from tagship.cli.outcome import reported  # noqa: PLC0415 - as a command runs

    with reported(ctx, top.command):  # in CI: annotations and the step summary
        code: int = module.run(args, ctx)
    return code
