"""The commands as `--help` presents them: in groups, each with an example.

Kept apart from `COMMANDS` (name -> module, help), whose shape the docs generator reads; a
test checks that every command has a group and an example, and that each example parses.
"""

from __future__ import annotations

# (group title, its commands in the order a maintainer meets them)
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Start", ("init", "setup", "doctor", "demo", "rehearse", "completion")),
    (
        "Inspect",
        ("status", "version", "config", "packages", "checks", "ledger", "audit", "watch", "report"),
    ),
    ("Release flow", ("notes", "bump", "dry-run", "tag", "release", "github-release")),
    (
        "CI jobs",
        (
            "build",
            "verify-artifacts",
            "manifest",
            "preflight",
            "publish",
            "wait",
            "verify-install",
            "record",
            "promote",
            "rebuild-check",
            "check-tag",
            "check-docs",
            "label-check",
            "wait-workflow",
            "docs-links",
        ),
    ),
    ("Recovery", ("hotfix", "rollback")),
)

# command -> (example command line, what it does)
EXAMPLES: dict[str, tuple[tuple[str, str], ...]] = {
    "init": (
        ("tagship init", "write the CI and publish workflows for this project"),
        ("tagship init --check", "fail when the workflows drifted from the config"),
        ("tagship init --watch", "also the daily `tagship watch` workflow"),
    ),
    "setup": (
        ("tagship setup github --dry-run", "show what GitHub needs; change nothing"),
        ("tagship setup github --reviewer my-org/maintainers", "create it, team approves"),
    ),
    "doctor": (("tagship doctor", "predict Trusted Publishing failures before a release"),),
    "demo": (("tagship demo --keep", "the whole flow on a sample, kept for a look"),),
    "rehearse": (
        ("tagship rehearse", "your next release in a throwaway copy, with local indexes"),
        ("tagship rehearse --skip-checks --keep", "without the checks here; keep the copy"),
    ),
    "completion": (
        ("tagship completion bash > ~/.local/share/bash-completion/completions/tagship", "bash"),
        ("tagship completion zsh > ~/.zfunc/_tagship", "zsh: fpath+=(~/.zfunc) in ~/.zshrc"),
        ("tagship completion fish > ~/.config/fish/completions/tagship.fish", "fish"),
    ),
    "status": (("tagship status --format json", "the release state, for a script"),),
    "version": (("tagship version --tag", "the tag the current version is released from"),),
    "config": (("tagship config", "each setting and where its value came from"),),
    "packages": (("tagship packages --changed --since v1.2.0", "what a change touched"),),
    "checks": (("tagship checks --local", "run the required checks on this machine"),),
    "ledger": (("tagship ledger verify", "check the ledger's hash chain"),),
    "audit": (("tagship audit --index pypi", "prove every file on PyPI came from a release"),),
    "report": (("tagship report --output site/releases.html", "the releases as one HTML page"),),
    "watch": (
        ("tagship watch", "exit 1 when a recorded release drifted: quarantine, yank, hash"),
        ("tagship watch --index pypi --format json", "the findings on PyPI, for a program"),
    ),
    "notes": (("tagship notes --local", "release notes from the merged pull requests"),),
    "bump": (("tagship bump minor --commit", "bump the version everywhere and commit it"),),
    "dry-run": (("tagship dry-run", "gate, build, publish to TestPyPI, install, record"),),
    "tag": (("tagship tag --dry-run", "check every release gate without tagging"),),
    "release": (("tagship release --tag v1.2.0", "the tag's CI job: publish what was proven"),),
    "github-release": (("tagship github-release publish v1.2.0", "publish the draft release"),),
    "build": (("tagship build --out dist", "build, verify and hash the sdist and wheel"),),
    "verify-artifacts": (("tagship verify-artifacts --dir dist", "check the built files"),),
    "manifest": (("tagship manifest merge --out dist wheels-*", "gather a build matrix's wheels"),),
    "preflight": (("tagship preflight --index pypi", "would PyPI take these files?"),),
    "publish": (("tagship publish --index testpypi", "upload the manifest's files"),),
    "wait": (("tagship wait --index pypi --timeout 300", "wait until PyPI shows them"),),
    "verify-install": (
        ("tagship verify-install --index testpypi", "install in a clean venv and check it"),
    ),
    "record": (("tagship record outbox", "append an earlier job's records to the ledger"),),
    "promote": (("tagship promote --tag v1.2.0", "fetch the dry run's files for the tag"),),
    "rebuild-check": (("tagship rebuild-check", "rebuild the tag, compare with the promoted"),),
    "check-tag": (("tagship check-tag v1.2.0", "does the tag match the version"),),
    "check-docs": (("tagship check-docs", "does the readme render on PyPI"),),
    "label-check": (("tagship label-check --pr 42", "one release label on pull request 42"),),
    "wait-workflow": (("tagship wait-workflow --tag v1.2.0", "wait for the tag's publish run"),),
    "docs-links": (("tagship docs-links v1.2.0", "point the docs at the release, in a PR"),),
    "hotfix": (("tagship hotfix start v1.2.0", "branch hotfix/1.2.1 from the tag"),),
    "rollback": (
        ("tagship rollback plan 1.2.0", "the runbook of the ways back from 1.2.0"),
        ('tagship rollback yank 1.2.0 --reason "broken import"', "yank it, recorded"),
    ),
}


def group_of(command: str) -> str | None:
    return next((title for title, names in GROUPS if command in names), None)


def examples_text(command: str) -> str | None:
    """The epilog of `tagship COMMAND --help`."""
    examples = EXAMPLES.get(command)
    if not examples:
        return None
    width = max(len(example) for example, _ in examples)
    return "examples:\n" + "\n".join(f"  {e:<{width}}  # {what}" for e, what in examples)
