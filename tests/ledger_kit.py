"""Ledgers for tests (import: `from ledger_kit import ...`): events, chains, a released
repository, and what an attacker with push access to origin does to its ledger ref."""

from __future__ import annotations

import dataclasses
import subprocess
from typing import TYPE_CHECKING

from conftest import git
from tagship.adapters.git import Git
from tagship.adapters.ledger_store import LEDGER_FILE, LEDGER_REF, append_event, ledger_head
from tagship.core.ledger import Actor, Event, FileEntry, anchor_line, make_record, parse_line

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from conftest import MakeRepo, Repo

CI_ENV = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_REPOSITORY": "CharmAIOS/Charm",
    "GITHUB_WORKFLOW_REF": "CharmAIOS/Charm/.github/workflows/publish-pypi.yml@refs/tags/v1.0.0",
    "GITHUB_RUN_ID": "4242",
    "GITHUB_RUN_ATTEMPT": "2",
    "GITHUB_REF": "refs/tags/v1.0.0",
    "GITHUB_SHA": "a" * 40,
    "GITHUB_ACTOR": "maintainer",
    "TAGSHIP_ENVIRONMENT": "pypi",
    # secrets that must never reach a record
    "GITHUB_TOKEN": "ghs_secret_token_value",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "oidc-request-secret",
    "TAGSHIP_INDEX_PYPI_TOKEN": "pypi-secret",
}
TRACKING_REF = "refs/tagship/remotes/origin/ledger"


def publish_event(version: str, commit: str | None = None) -> Event:
    return Event(
        kind="publish",
        project="sample-pkg",
        version=version,
        tag=f"v{version}",
        commit=commit,
        index="pypi",
        files=(FileEntry(f"sample_pkg-{version}.tar.gz", 1234, "ab" * 32),),
    )


def chain(count: int) -> list[bytes]:
    """A valid chain of `count` publish records, as stored lines."""
    lines: list[bytes] = []
    prev = None
    for seq in range(1, count + 1):
        actor = Actor(kind="local", user="me@example.invalid", host="laptop")
        record = make_record(seq, "2026-01-01T00:00:00Z", prev, publish_event(f"1.0.{seq}"), actor)
        lines.append(record.line())
        prev = record.hash
    return lines


def _chained(start: Sequence[bytes], events: Sequence[Event]) -> list[bytes]:
    out = list(start)
    prev = parse_line(out[-1]).hash if out else None
    for seq, event in enumerate(events, start=len(out) + 1):
        record = make_record(seq, "2026-01-01T00:00:00Z", prev, event, Actor(kind="local"))
        out.append(record.line())
        prev = record.hash
    return out


def forked(lines: Sequence[bytes], at: int, extra: int = 0) -> list[bytes]:
    """A valid chain equal to `lines` before record `at` and different from there on (each
    later event names another commit), `extra` records longer: every hash is right."""
    events = [
        dataclasses.replace(parse_line(line).event, commit="f" * 40) for line in lines[at - 1 :]
    ]
    return _chained(lines[: at - 1], events + events[-1:] * extra)


def extended(lines: Sequence[bytes], extra: int) -> list[bytes]:
    """`lines` and `extra` more records chained on them."""
    return _chained(lines, [publish_event(f"2.0.{n}") for n in range(extra)])


def changed_byte(lines: Sequence[bytes], position: int) -> list[bytes]:
    """`lines` with one digit of record `position`'s version changed (its hash now wrong)."""
    target = bytearray(lines[position - 1])
    offset = target.index(b'"version":"1.0.') + len(b'"version":"1.0.')
    target[offset] = ord("7") if target[offset] != ord("7") else ord("8")
    return [*lines[: position - 1], bytes(target), *lines[position:]]


def ledger_lines(repo: Repo, ref: str = LEDGER_REF) -> list[bytes]:
    """The record lines of origin's `ref`."""
    text = git(repo.origin, "show", f"{ref}:{LEDGER_FILE}")
    return text.encode().split(b"\n") if text else []


def head(path: Path, ref: str = LEDGER_REF) -> str | None:
    """Where `ref` points in the repository at `path`, None when it does not exist."""
    return git(path, "for-each-ref", "--format=%(objectname)", ref) or None


def git_input(path: Path, data: bytes, *args: str) -> str:
    """Real git in `path` reading `data`, byte for byte, on its standard input."""
    done = subprocess.run(["git", *args], cwd=path, input=data, capture_output=True, check=True)
    return done.stdout.decode().strip()


def forge(
    repo: Repo, lines: Sequence[bytes], *, parent: str | None = None, newline: bool = True
) -> str:
    """Force origin's ledger ref to a new commit (on `parent`) whose file holds `lines`, byte
    for byte: what an attacker with push access does. Returns the commit."""
    data = b"\n".join(lines) + (b"\n" if newline and lines else b"")
    blob = git_input(repo.path, data, "hash-object", "-w", "--stdin")
    tree = git_input(repo.path, f"100644 blob {blob}\t{LEDGER_FILE}\n".encode(), "mktree")
    commit = git(repo.path, "commit-tree", tree, *(["-p", parent] if parent else []), "-m", "x")
    git(repo.path, "push", "--quiet", "--force", "origin", f"{commit}:{LEDGER_REF}")
    return commit


def released_repo(make_repo: MakeRepo, env: Mapping[str, str] = CI_ENV) -> Repo:
    """Five records; tag v1.0.2 (on origin too) anchors the head after the third."""
    repo = make_repo()
    g = Git(repo.path)
    for n in range(5):
        append_event(g, publish_event(f"1.0.{n}", repo.commit(f"c{n}")), env)
        if n == 2:
            message = f"release v1.0.2\n\n{anchor_line(ledger_head(g) or '')}\n"
            git(repo.path, "tag", "-a", "v1.0.2", "-m", message)
    repo.push("main", "refs/tags/v1.0.2")
    return repo
